-- Issue 11 items 2–4: suites (a 休息室 or 卫生间 belongs to an office, docs/domain/office-space.md §Table 1 ·
-- 办公室使用面积), leases of let or lent space with their recovery (§Management measures 2017), and the new
-- violation kinds: suite_toilet, lease_active, equipment_share, service_per_person.
ALTER TABLE space_rooms ADD COLUMN suite_of BIGINT REFERENCES space_rooms (id);
CREATE INDEX space_rooms_suite ON space_rooms (suite_of);

-- 出租出借: one record per let or lent room, active until the space is recovered (收回); rent and the income handed
-- to the treasury (上缴 非税收入) in fen.
CREATE TABLE space_leases (
	id {{ID}},
	room_id BIGINT NOT NULL REFERENCES space_rooms (id),
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	kind TEXT NOT NULL CHECK (kind IN ('let', 'lent')),
	lessee TEXT NOT NULL,
	starts_on TEXT NOT NULL,
	ends_on TEXT NOT NULL DEFAULT '',
	area_m2 DOUBLE PRECISION NOT NULL CHECK (area_m2 > 0),
	rent_fen BIGINT NOT NULL DEFAULT 0 CHECK (rent_fen >= 0),
	handed_fen BIGINT NOT NULL DEFAULT 0 CHECK (handed_fen >= 0),
	status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'recovered')),
	recovered_on TEXT NOT NULL DEFAULT '',
	recovery_note TEXT NOT NULL DEFAULT '',
	note TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX space_leases_org ON space_leases (org_id, status);
CREATE INDEX space_leases_room ON space_leases (room_id, status);

-- +postgres
ALTER TABLE space_violations DROP CONSTRAINT space_violations_kind_check;
ALTER TABLE space_violations ADD CONSTRAINT space_violations_kind_check CHECK (kind IN ('over_area', 'multiple_offices',
	'stale_occupant', 'use_changed', 'over_approved_area', 'let_or_lent', 'suite_toilet', 'lease_active', 'equipment_share', 'service_per_person'));
-- +sqlite
-- SQLite cannot change a CHECK constraint: the table is rebuilt with the same ids, its rectifications set aside
-- meanwhile so no foreign key ever points at a missing row.
CREATE TABLE space_rectifications_keep AS SELECT * FROM space_rectifications;
DELETE FROM space_rectifications;
CREATE TABLE space_violations_new (
	id {{ID}},
	vkey TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('over_area', 'multiple_offices', 'stale_occupant', 'use_changed', 'over_approved_area', 'let_or_lent',
		'suite_toilet', 'lease_active', 'equipment_share', 'service_per_person')),
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	room_id BIGINT NOT NULL DEFAULT 0,
	person_id BIGINT NOT NULL DEFAULT 0,
	actual_m2 DOUBLE PRECISION NOT NULL DEFAULT 0,
	allowed_m2 DOUBLE PRECISION NOT NULL DEFAULT 0,
	detail TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
	first_seen_at BIGINT NOT NULL,
	changed_at BIGINT NOT NULL,
	resolved_at BIGINT NOT NULL DEFAULT 0
);
INSERT INTO space_violations_new (id, vkey, kind, org_id, room_id, person_id, actual_m2, allowed_m2, detail, status, first_seen_at, changed_at, resolved_at)
	SELECT id, vkey, kind, org_id, room_id, person_id, actual_m2, allowed_m2, detail, status, first_seen_at, changed_at, resolved_at FROM space_violations;
DROP TABLE space_violations;
ALTER TABLE space_violations_new RENAME TO space_violations;
CREATE UNIQUE INDEX space_violations_key ON space_violations (vkey);
CREATE INDEX space_violations_org ON space_violations (org_id, status, kind);
CREATE INDEX space_violations_room ON space_violations (room_id, status);
CREATE INDEX space_violations_status ON space_violations (status, kind);
INSERT INTO space_rectifications SELECT * FROM space_rectifications_keep;
DROP TABLE space_rectifications_keep;
