-- The register of office space (办公用房). The space module owns these tables; other modules (energy meters, assets,
-- meeting rooms) refer to buildings and rooms by id and read them through the exported query functions.

-- 房产（权属）: a site with its title documents. Buildings stand on a property.
CREATE TABLE space_properties (
	id {{ID}},
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	name TEXT NOT NULL,
	address TEXT NOT NULL DEFAULT '',
	property_cert_no TEXT NOT NULL DEFAULT '',
	land_cert_no TEXT NOT NULL DEFAULT '',
	holder TEXT NOT NULL DEFAULT '',
	ownership TEXT NOT NULL DEFAULT 'registered' CHECK (ownership IN ('registered', 'filed', 'unclear')),
	acquisition TEXT NOT NULL DEFAULT '' CHECK (acquisition IN ('', 'build', 'purchase', 'allocation', 'exchange', 'lease', 'other')),
	acquired_on TEXT NOT NULL DEFAULT '',
	land_area_m2 DOUBLE PRECISION NOT NULL DEFAULT 0 CHECK (land_area_m2 >= 0),
	asset_card_no TEXT NOT NULL DEFAULT '',
	note TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX space_properties_org ON space_properties (org_id);

CREATE TABLE buildings (
	id {{ID}},
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	name TEXT NOT NULL,
	address TEXT NOT NULL DEFAULT '',
	built_year INTEGER NOT NULL DEFAULT 0,
	floors INTEGER NOT NULL DEFAULT 0,
	gross_area_m2 DOUBLE PRECISION NOT NULL DEFAULT 0 CHECK (gross_area_m2 >= 0),
	status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disposed')),
	property_id BIGINT REFERENCES space_properties (id),
	basement_floors INTEGER NOT NULL DEFAULT 0,
	structure TEXT NOT NULL DEFAULT '' CHECK (structure IN ('', 'frame', 'shear_wall', 'brick_concrete', 'steel', 'other')),
	note TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX buildings_org ON buildings (org_id);
CREATE INDEX buildings_property ON buildings (property_id);

-- Floors are created with their first room; they carry a name ("一层", "B1") for the floor view.
CREATE TABLE space_floors (
	building_id BIGINT NOT NULL REFERENCES buildings (id),
	floor INTEGER NOT NULL,
	name TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (building_id, floor)
);

-- approved_use is the use in the allocation certificate or the last approved change; a use_type that differs from
-- it is a use changed without approval.
CREATE TABLE space_rooms (
	id {{ID}},
	building_id BIGINT NOT NULL REFERENCES buildings (id),
	floor INTEGER NOT NULL,
	number TEXT NOT NULL,
	use_type TEXT NOT NULL CHECK (use_type IN ('office', 'service', 'equipment', 'auxiliary')),
	subtype TEXT NOT NULL DEFAULT '',
	approved_use TEXT NOT NULL CHECK (approved_use IN ('office', 'service', 'equipment', 'auxiliary')),
	usable_area_m2 DOUBLE PRECISION NOT NULL CHECK (usable_area_m2 > 0 AND usable_area_m2 <= 100000),
	building_area_m2 DOUBLE PRECISION NOT NULL DEFAULT 0 CHECK (building_area_m2 >= 0),
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	capacity INTEGER NOT NULL DEFAULT 0 CHECK (capacity >= 0),
	status TEXT NOT NULL DEFAULT 'in_use' CHECK (status IN ('in_use', 'let', 'lent', 'disposed')),
	note TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX space_rooms_number ON space_rooms (building_id, number);
CREATE INDEX space_rooms_floor ON space_rooms (building_id, floor);
CREATE INDEX space_rooms_org ON space_rooms (org_id, use_type);

-- Current occupants; past occupancy is kept in space_occupancy_log.
CREATE TABLE space_occupants (
	room_id BIGINT NOT NULL REFERENCES space_rooms (id),
	person_id BIGINT NOT NULL REFERENCES people (id),
	since TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	PRIMARY KEY (room_id, person_id)
)
-- +sqlite
WITHOUT ROWID;
-- +postgres
;
-- +all
CREATE INDEX space_occupants_person ON space_occupants (person_id, room_id);

CREATE TABLE space_occupancy_log (
	id {{ID}},
	room_id BIGINT NOT NULL REFERENCES space_rooms (id),
	person_id BIGINT NOT NULL REFERENCES people (id),
	since TEXT NOT NULL,
	until TEXT NOT NULL,
	reason TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL
);
CREATE INDEX space_occupancy_log_room ON space_occupancy_log (room_id, id);
CREATE INDEX space_occupancy_log_person ON space_occupancy_log (person_id, id);

-- 兼职: a leader holding a post in another unit may, with approval, keep one more office (below the standard) there,
-- to be vacated within two months after the post ends.
CREATE TABLE space_concurrent_posts (
	id {{ID}},
	person_id BIGINT NOT NULL REFERENCES people (id),
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	post TEXT NOT NULL,
	approval_doc TEXT NOT NULL DEFAULT '',
	approved_on TEXT NOT NULL,
	ends_on TEXT NOT NULL DEFAULT '',
	room_id BIGINT REFERENCES space_rooms (id),
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX space_concurrent_person ON space_concurrent_posts (person_id);
CREATE INDEX space_concurrent_org ON space_concurrent_posts (org_id);

-- 使用协议 and 分配使用凭证 with the approved (核定) usable area of a unit.
CREATE TABLE space_agreements (
	id {{ID}},
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	building_id BIGINT REFERENCES buildings (id),
	agreement_no TEXT NOT NULL,
	certificate_no TEXT NOT NULL DEFAULT '',
	approved_area_m2 DOUBLE PRECISION NOT NULL CHECK (approved_area_m2 > 0),
	signed_on TEXT NOT NULL,
	valid_until TEXT NOT NULL DEFAULT '',
	note TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX space_agreements_org ON space_agreements (org_id);

-- Violations found by the compliance rules. vkey is the stable identity ("over_area:12:0"), so a re-scan updates
-- or resolves a row and never replaces it; rectification tasks refer to rows.
CREATE TABLE space_violations (
	id {{ID}},
	vkey TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('over_area', 'multiple_offices', 'stale_occupant', 'use_changed', 'over_approved_area', 'let_or_lent')),
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
CREATE UNIQUE INDEX space_violations_key ON space_violations (vkey);
CREATE INDEX space_violations_org ON space_violations (org_id, status, kind);
CREATE INDEX space_violations_room ON space_violations (room_id, status);
CREATE INDEX space_violations_status ON space_violations (status, kind);

CREATE TABLE space_scans (
	id {{ID}},
	trigger_kind TEXT NOT NULL,
	started_at BIGINT NOT NULL,
	ms BIGINT NOT NULL,
	rooms BIGINT NOT NULL,
	occupants BIGINT NOT NULL,
	people BIGINT NOT NULL,
	open_violations BIGINT NOT NULL,
	opened BIGINT NOT NULL,
	resolved BIGINT NOT NULL
);

-- Rectification (整改): violation → task to the unit with a deadline → the unit reports → the bureau verifies.
CREATE TABLE space_rectifications (
	id {{ID}},
	violation_id BIGINT NOT NULL REFERENCES space_violations (id),
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	status TEXT NOT NULL CHECK (status IN ('open', 'submitted', 'closed', 'cancelled')),
	deadline TEXT NOT NULL,
	requirement TEXT NOT NULL DEFAULT '',
	report TEXT NOT NULL DEFAULT '',
	review_note TEXT NOT NULL DEFAULT '',
	escalation INTEGER NOT NULL DEFAULT 0,
	escalated_at BIGINT NOT NULL DEFAULT 0,
	created_by TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	submitted_at BIGINT NOT NULL DEFAULT 0,
	closed_at BIGINT NOT NULL DEFAULT 0,
	updated_at BIGINT NOT NULL
);
CREATE INDEX space_rectifications_org ON space_rectifications (org_id, status);
CREATE INDEX space_rectifications_violation ON space_rectifications (violation_id);
CREATE INDEX space_rectifications_due ON space_rectifications (status, deadline);

-- 调剂 requests, decided through the workflow kit and completed by moving rooms to the unit.
CREATE TABLE space_allocations (
	id {{ID}},
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	title TEXT NOT NULL,
	reason TEXT NOT NULL DEFAULT '',
	area_m2 DOUBLE PRECISION NOT NULL DEFAULT 0 CHECK (area_m2 >= 0),
	headcount INTEGER NOT NULL DEFAULT 0 CHECK (headcount >= 0),
	status TEXT NOT NULL CHECK (status IN ('submitted', 'approved', 'rejected', 'withdrawn', 'completed')),
	requester_id BIGINT NOT NULL,
	requester TEXT NOT NULL DEFAULT '',
	rooms TEXT NOT NULL DEFAULT '',
	decision_note TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	decided_at BIGINT NOT NULL DEFAULT 0,
	completed_at BIGINT NOT NULL DEFAULT 0,
	updated_at BIGINT NOT NULL
);
CREATE INDEX space_allocations_org ON space_allocations (org_id, status);

-- 腾退: a person's office (or a whole room) to be vacated by a date.
CREATE TABLE space_vacates (
	id {{ID}},
	room_id BIGINT NOT NULL REFERENCES space_rooms (id),
	person_id BIGINT REFERENCES people (id),
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	reason TEXT NOT NULL CHECK (reason IN ('retired', 'transferred', 'over_standard', 'concurrent_ended', 'reallocation', 'other')),
	due_on TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('pending', 'done', 'cancelled')),
	note TEXT NOT NULL DEFAULT '',
	done_on TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX space_vacates_org ON space_vacates (org_id, status);

-- 维修: 大修 / 中修 / 日常维修 projects.
CREATE TABLE space_repairs (
	id {{ID}},
	building_id BIGINT NOT NULL REFERENCES buildings (id),
	room_id BIGINT REFERENCES space_rooms (id),
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	kind TEXT NOT NULL CHECK (kind IN ('major', 'medium', 'routine')),
	title TEXT NOT NULL,
	reason TEXT NOT NULL DEFAULT '',
	budget_fen BIGINT NOT NULL DEFAULT 0 CHECK (budget_fen >= 0),
	approved_fen BIGINT NOT NULL DEFAULT 0 CHECK (approved_fen >= 0),
	contractor TEXT NOT NULL DEFAULT '',
	started_on TEXT NOT NULL DEFAULT '',
	accepted_on TEXT NOT NULL DEFAULT '',
	cost_fen BIGINT NOT NULL DEFAULT 0 CHECK (cost_fen >= 0),
	acceptance_note TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL CHECK (status IN ('requested', 'approved', 'in_progress', 'accepted', 'rejected', 'cancelled')),
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX space_repairs_building ON space_repairs (building_id, status);
CREATE INDEX space_repairs_org ON space_repairs (org_id, status);

-- 处置: a building (or a room) leaving the register.
CREATE TABLE space_disposals (
	id {{ID}},
	building_id BIGINT NOT NULL REFERENCES buildings (id),
	room_id BIGINT REFERENCES space_rooms (id),
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	method TEXT NOT NULL CHECK (method IN ('transfer', 'auction', 'exchange', 'demolish', 'other')),
	reason TEXT NOT NULL,
	approval_doc TEXT NOT NULL DEFAULT '',
	disposed_on TEXT NOT NULL,
	proceeds_fen BIGINT NOT NULL DEFAULT 0 CHECK (proceeds_fen >= 0),
	created_at BIGINT NOT NULL
);
CREATE INDEX space_disposals_org ON space_disposals (org_id);

-- 清查盘点: a campaign over a unit's subtree; one checklist row per room (账实) and per unit (账账, 账证).
CREATE TABLE space_stocktakes (
	id {{ID}},
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	name TEXT NOT NULL,
	due_on TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
	created_at BIGINT NOT NULL,
	closed_at BIGINT NOT NULL DEFAULT 0,
	updated_at BIGINT NOT NULL
);
CREATE TABLE space_stocktake_rooms (
	stocktake_id BIGINT NOT NULL REFERENCES space_stocktakes (id),
	room_id BIGINT NOT NULL REFERENCES space_rooms (id),
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	ledger_use TEXT NOT NULL,
	ledger_area_m2 DOUBLE PRECISION NOT NULL,
	ledger_occupants INTEGER NOT NULL,
	result TEXT NOT NULL DEFAULT '' CHECK (result IN ('', 'match', 'mismatch', 'missing')),
	found_use TEXT NOT NULL DEFAULT '',
	found_area_m2 DOUBLE PRECISION NOT NULL DEFAULT 0,
	found_occupants INTEGER NOT NULL DEFAULT 0,
	note TEXT NOT NULL DEFAULT '',
	checked_at BIGINT NOT NULL DEFAULT 0,
	checked_by TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (stocktake_id, room_id)
);
CREATE INDEX space_stocktake_rooms_org ON space_stocktake_rooms (stocktake_id, org_id);
CREATE TABLE space_stocktake_units (
	stocktake_id BIGINT NOT NULL REFERENCES space_stocktakes (id),
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	ledger_rooms INTEGER NOT NULL,
	ledger_area_m2 DOUBLE PRECISION NOT NULL,
	ledger_cert_no TEXT NOT NULL DEFAULT '',
	ledger_approved_m2 DOUBLE PRECISION NOT NULL DEFAULT 0,
	sub_rooms INTEGER NOT NULL DEFAULT 0,
	sub_area_m2 DOUBLE PRECISION NOT NULL DEFAULT 0,
	cert_no TEXT NOT NULL DEFAULT '',
	cert_area_m2 DOUBLE PRECISION NOT NULL DEFAULT 0,
	confirmed_at BIGINT NOT NULL DEFAULT 0,
	confirmed_by TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (stocktake_id, org_id)
);
