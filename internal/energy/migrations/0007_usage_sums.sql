-- Sums of energy_usage kept up to date at write time, so that a province's indicators read a few hundred rows
-- instead of 160,000 per year (docs/benchmarks.md §Energy). They are derived data: RebuildSums recomputes them from
-- energy_usage, energy_org_years and orgs at any time.

-- The unit attributes the sums were built with (path, region, category, headcount, floor area): a write adds and
-- removes a unit's contribution under these, and a change in orgs (counted by the triggers below) moves the unit's
-- contribution from the recorded attributes to the current ones before the sums are read again.
CREATE TABLE energy_sum_units (
	org_id BIGINT PRIMARY KEY,
	path TEXT NOT NULL,
	region_code TEXT NOT NULL,
	category TEXT NOT NULL,
	headcount BIGINT NOT NULL,
	floor_area_m2 DOUBLE PRECISION NOT NULL
);

-- The figures of the units strictly below node_id (0: every unit), per year, region, category, type and the type
-- row's data_mask: units rows summed, their months and totals.
CREATE TABLE energy_sums (
	node_id BIGINT NOT NULL,
	year INTEGER NOT NULL,
	region_code TEXT NOT NULL,
	category TEXT NOT NULL,
	energy_type TEXT NOT NULL,
	data_mask INTEGER NOT NULL,
	units BIGINT NOT NULL,
	m01 DOUBLE PRECISION NOT NULL, m02 DOUBLE PRECISION NOT NULL, m03 DOUBLE PRECISION NOT NULL, m04 DOUBLE PRECISION NOT NULL,
	m05 DOUBLE PRECISION NOT NULL, m06 DOUBLE PRECISION NOT NULL, m07 DOUBLE PRECISION NOT NULL, m08 DOUBLE PRECISION NOT NULL,
	m09 DOUBLE PRECISION NOT NULL, m10 DOUBLE PRECISION NOT NULL, m11 DOUBLE PRECISION NOT NULL, m12 DOUBLE PRECISION NOT NULL,
	total DOUBLE PRECISION NOT NULL,
	PRIMARY KEY (node_id, year, region_code, category, energy_type, data_mask)
);

-- The denominators of the same units: per year, region, category and the unit's data_mask over all its types,
-- how many units and their 用能人数 and 建筑面积 (energy_org_years, else the unit's own).
CREATE TABLE energy_sum_heads (
	node_id BIGINT NOT NULL,
	year INTEGER NOT NULL,
	region_code TEXT NOT NULL,
	category TEXT NOT NULL,
	data_mask INTEGER NOT NULL,
	units BIGINT NOT NULL,
	headcount BIGINT NOT NULL,
	floor_area_m2 DOUBLE PRECISION NOT NULL,
	PRIMARY KEY (node_id, year, region_code, category, data_mask)
);

-- One row per unit and year with every type's months packed (docs/benchmarks.md §Energy): the per-unit figures of
-- rankings read one row per unit instead of one per unit and type, a year's rows side by side.
CREATE TABLE energy_unit_packs (
	year INTEGER NOT NULL,
	org_id BIGINT NOT NULL,
	data_mask INTEGER NOT NULL,
	pack {{BLOB}} NOT NULL,
	PRIMARY KEY (year, org_id)
)
-- +sqlite
WITHOUT ROWID;
-- +postgres
;
-- +all

-- built: the sums hold every figure (a database that had figures before this migration is rebuilt at start);
-- org_changes counts updates of orgs (triggers), reconciled is the count the sums were last reconciled at.
CREATE TABLE energy_sum_state (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	built INTEGER NOT NULL,
	org_changes BIGINT NOT NULL,
	reconciled BIGINT NOT NULL
);
INSERT INTO energy_sum_state (id, built, org_changes, reconciled)
SELECT 1, CASE WHEN EXISTS (SELECT 1 FROM energy_usage) OR EXISTS (SELECT 1 FROM energy_org_years) THEN 0 ELSE 1 END, 0, 0;

-- +sqlite
CREATE TRIGGER energy_sum_orgs_update AFTER UPDATE OF path, region_code, category, headcount, floor_area_m2 ON orgs
BEGIN UPDATE energy_sum_state SET org_changes = org_changes + 1 WHERE id = 1; END;
CREATE TRIGGER energy_sum_orgs_delete AFTER DELETE ON orgs
BEGIN UPDATE energy_sum_state SET org_changes = org_changes + 1 WHERE id = 1; END;
-- +postgres
CREATE FUNCTION energy_sum_orgs_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE energy_sum_state SET org_changes = org_changes + 1 WHERE id = 1;
	RETURN NULL;
END
$$;
CREATE TRIGGER energy_sum_orgs_changed AFTER UPDATE OF path, region_code, category, headcount, floor_area_m2 OR DELETE ON orgs
FOR EACH STATEMENT EXECUTE FUNCTION energy_sum_orgs_changed();
