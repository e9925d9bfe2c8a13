-- Reference datasets: one row per kind a module registers. version is the hash of the built-in content last
-- loaded, so a start only reloads datasets whose embedded file changed.
CREATE TABLE refdata_datasets (
	id {{ID}},
	kind TEXT NOT NULL UNIQUE,
	title TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	value_type TEXT NOT NULL CHECK (value_type IN ('number', 'json')),
	unit TEXT NOT NULL DEFAULT '',
	version TEXT NOT NULL,
	loaded_at BIGINT NOT NULL
);

-- Rows: built-in rows come from the embedded files (replaced when the file changes); override rows are added by
-- administrators and never rewritten — they are ended (valid_to set) or revised (a new row with replaces_id).
-- Dates are YYYY-MM-DD; valid_to is the last day of validity ('' = open); a row whose valid_to is the day before its
-- valid_from was withdrawn and never applied. region_code '' is national, else a 6-digit division code.
CREATE TABLE refdata_rows (
	id {{ID}},
	kind TEXT NOT NULL REFERENCES refdata_datasets (kind),
	origin TEXT NOT NULL CHECK (origin IN ('builtin', 'override')),
	key TEXT NOT NULL,
	region_code TEXT NOT NULL DEFAULT '',
	valid_from TEXT NOT NULL,
	valid_to TEXT NOT NULL DEFAULT '',
	value_num DOUBLE PRECISION,
	value_json TEXT NOT NULL DEFAULT '',
	unit TEXT NOT NULL DEFAULT '',
	source_doc TEXT NOT NULL,
	issuer TEXT NOT NULL DEFAULT '',
	confidence TEXT NOT NULL CHECK (confidence IN ('V', 'S', 'M')),
	note TEXT NOT NULL DEFAULT '',
	replaces_id BIGINT REFERENCES refdata_rows (id),
	created_at BIGINT NOT NULL,
	created_by TEXT NOT NULL DEFAULT '',
	ended_at BIGINT NOT NULL DEFAULT 0,
	ended_by TEXT NOT NULL DEFAULT '',
	end_reason TEXT NOT NULL DEFAULT '',
	CHECK (region_code = '' OR length(region_code) = 6)
);
CREATE INDEX refdata_rows_lookup ON refdata_rows (kind, key, region_code, valid_from);
CREATE INDEX refdata_rows_region ON refdata_rows (kind, region_code);
CREATE UNIQUE INDEX refdata_rows_builtin ON refdata_rows (kind, key, region_code, valid_from) WHERE origin = 'builtin';
