-- Public-institution energy (公共机构节能), phase 1: monthly statistics entries, meters and their readings with
-- roll-ups, review of reading anomalies, and the effective monthly consumption that indicators read.
-- Energy type codes are validated in Go (energy.Types) rather than by CHECK, so later phases can add types without
-- rebuilding tables on SQLite. Periods are 'YYYY-MM'; instants are Unix seconds.

-- Monthly statistics entries: the authoritative figure for (unit, month, type). amount is in the type's unit
-- (kWh, m3, kg, GJ); input_amount/input_unit keep what was typed (e.g. litres of diesel, 万kWh) and density the
-- kg/L used to convert litres.
CREATE TABLE energy_consumption (
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	period TEXT NOT NULL CHECK (length(period) = 7),
	energy_type TEXT NOT NULL,
	amount DOUBLE PRECISION NOT NULL CHECK (amount >= 0),
	input_amount DOUBLE PRECISION NOT NULL,
	input_unit TEXT NOT NULL,
	density DOUBLE PRECISION NOT NULL DEFAULT 0,
	note TEXT NOT NULL DEFAULT '',
	source TEXT NOT NULL CHECK (source IN ('form', 'api', 'import', 'demo')),
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	updated_by TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (org_id, period, energy_type)
);

-- Effective monthly consumption per unit, year and type: the entry when there is one, else the sum of the unit's
-- main meters (no sub-item, no parent meter). One row per (unit, year, type) with twelve month columns keeps the
-- annual roll-up of a province at 20,000 units × 8 types = 160,000 rows. NULL = no figure for that month;
-- data_mask / entry_mask have bit (month-1) set for months with a figure / with an authoritative entry.
CREATE TABLE energy_usage (
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	year INTEGER NOT NULL,
	energy_type TEXT NOT NULL,
	m01 DOUBLE PRECISION, m02 DOUBLE PRECISION, m03 DOUBLE PRECISION, m04 DOUBLE PRECISION,
	m05 DOUBLE PRECISION, m06 DOUBLE PRECISION, m07 DOUBLE PRECISION, m08 DOUBLE PRECISION,
	m09 DOUBLE PRECISION, m10 DOUBLE PRECISION, m11 DOUBLE PRECISION, m12 DOUBLE PRECISION,
	total DOUBLE PRECISION NOT NULL DEFAULT 0,
	data_mask INTEGER NOT NULL DEFAULT 0,
	entry_mask INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (org_id, year, energy_type)
)
-- +sqlite
WITHOUT ROWID;
-- +postgres
;
-- +all
CREATE INDEX energy_usage_year ON energy_usage (year, energy_type);

-- usage_version changes with every write of energy_usage or energy_org_years, so the figure cache of each
-- process (and replica) knows when its aggregates are out of date.
CREATE TABLE energy_meta (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	usage_version BIGINT NOT NULL
);
INSERT INTO energy_meta (id, usage_version) VALUES (1, 0);

-- The statistics' 用能人数 and 建筑面积 of a unit for a year (the 基层表 asks for them each year). Indicators use
-- these when present and the unit's current headcount and floor area otherwise.
CREATE TABLE energy_org_years (
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	year INTEGER NOT NULL,
	headcount INTEGER NOT NULL CHECK (headcount >= 0),
	floor_area_m2 DOUBLE PRECISION NOT NULL CHECK (floor_area_m2 >= 0),
	updated_at BIGINT NOT NULL,
	updated_by TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (org_id, year)
);

-- Meters on buildings. sub_item '' is a main meter; otherwise a sub-item code of the building monitoring guideline
-- (a lighting/sockets, b HVAC, c power, d special, and their items a1…d6). cumulative meters report a counter,
-- interval meters the consumption of the interval a reading closes. code is the collector's device or point name.
CREATE TABLE energy_meters (
	id {{ID}},
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	building_id BIGINT REFERENCES buildings (id),
	parent_id BIGINT REFERENCES energy_meters (id),
	code TEXT UNIQUE,
	name TEXT NOT NULL,
	energy_type TEXT NOT NULL,
	sub_item TEXT NOT NULL DEFAULT '',
	multiplier DOUBLE PRECISION NOT NULL DEFAULT 1 CHECK (multiplier > 0),
	cumulative BOOLEAN NOT NULL DEFAULT TRUE,
	interval_s INTEGER NOT NULL DEFAULT 0 CHECK (interval_s >= 0),
	value_key TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'retired')),
	note TEXT NOT NULL DEFAULT '',
	last_ts BIGINT NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX energy_meters_org ON energy_meters (org_id, energy_type);
CREATE INDEX energy_meters_building ON energy_meters (building_id);
CREATE INDEX energy_meters_parent ON energy_meters (parent_id);

-- Raw readings, as received: the same (meter, ts) again is a no-op. No foreign key, for ingest speed: meter ids are
-- checked before a batch is written, and meters with readings are retired, never deleted.
CREATE TABLE energy_readings (
	meter_id BIGINT NOT NULL,
	ts BIGINT NOT NULL,
	value DOUBLE PRECISION NOT NULL,
	PRIMARY KEY (meter_id, ts)
)
-- +sqlite
WITHOUT ROWID;
-- +postgres
;
-- +all

-- Readings a person ruled out while reviewing an anomaly (a misread, a test value): roll-ups skip them.
CREATE TABLE energy_excluded_readings (
	meter_id BIGINT NOT NULL REFERENCES energy_meters (id),
	ts BIGINT NOT NULL,
	excluded_at BIGINT NOT NULL,
	excluded_by TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (meter_id, ts)
);

-- Roll-ups of each meter's consumption (after the multiplier), by the interval's closing instant: hour (Unix
-- seconds of the hour's start), day (Unix seconds of the local midnight, Asia/Shanghai) and month ('YYYY-MM').
CREATE TABLE energy_meter_hourly (
	meter_id BIGINT NOT NULL,
	hour BIGINT NOT NULL,
	amount DOUBLE PRECISION NOT NULL,
	readings INTEGER NOT NULL,
	PRIMARY KEY (meter_id, hour)
)
-- +sqlite
WITHOUT ROWID;
-- +postgres
;
-- +all
CREATE TABLE energy_meter_daily (
	meter_id BIGINT NOT NULL,
	day BIGINT NOT NULL,
	amount DOUBLE PRECISION NOT NULL,
	readings INTEGER NOT NULL,
	PRIMARY KEY (meter_id, day)
);
CREATE TABLE energy_meter_monthly (
	meter_id BIGINT NOT NULL,
	period TEXT NOT NULL,
	amount DOUBLE PRECISION NOT NULL,
	readings INTEGER NOT NULL,
	PRIMARY KEY (meter_id, period)
);

-- Meters whose roll-ups must be recomputed from from_ts on, written in the same transaction as the readings so a
-- crash loses nothing; seq changes at every mark so the roll-up worker only clears what it has seen.
CREATE TABLE energy_rollup_queue (
	meter_id BIGINT PRIMARY KEY,
	from_ts BIGINT NOT NULL,
	seq BIGINT NOT NULL
);

-- Reading anomalies for review: decrease (rollover or replacement), gap (a missing stretch longer than the
-- detection factor × the meter's interval) and spike (an interval far above the rolling median). A decrease or
-- an open spike is never summed; a gap is summed and flagged. A person resolves each.
CREATE TABLE energy_anomalies (
	id {{ID}},
	meter_id BIGINT NOT NULL REFERENCES energy_meters (id),
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	kind TEXT NOT NULL CHECK (kind IN ('decrease', 'gap', 'spike')),
	ts BIGINT NOT NULL,
	prev_ts BIGINT NOT NULL,
	prev_value DOUBLE PRECISION NOT NULL,
	value DOUBLE PRECISION NOT NULL,
	amount DOUBLE PRECISION NOT NULL,
	expected DOUBLE PRECISION NOT NULL DEFAULT 0,
	status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
	resolution TEXT NOT NULL DEFAULT '' CHECK (resolution IN ('', 'rollover', 'replacement', 'exclude', 'accept', 'ignore')),
	resolved_amount DOUBLE PRECISION NOT NULL DEFAULT 0,
	note TEXT NOT NULL DEFAULT '',
	resolved_by TEXT NOT NULL DEFAULT '',
	resolved_at BIGINT NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL,
	UNIQUE (meter_id, kind, ts)
);
CREATE INDEX energy_anomalies_open ON energy_anomalies (status, org_id, ts);
