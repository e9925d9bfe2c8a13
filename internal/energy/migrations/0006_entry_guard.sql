-- Guarded monthly entry (docs/api.md §Energy, issue 14): a figure far from the unit's previous month or the same
-- month last year is saved only with a confirmation and a reason, kept with the entry (reason, warning) and in the
-- entry's change history below, which the entry page shows.
ALTER TABLE energy_consumption ADD COLUMN reason TEXT NOT NULL DEFAULT '';
ALTER TABLE energy_consumption ADD COLUMN warning TEXT NOT NULL DEFAULT '';

-- Every change of a monthly entry (set, replace, delete) with the old and new amount in the type's unit (NULL: no
-- entry), where it came from and the confirmation reason.
CREATE TABLE energy_consumption_changes (
	id {{ID}},
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	period TEXT NOT NULL CHECK (length(period) = 7),
	energy_type TEXT NOT NULL,
	at BIGINT NOT NULL,
	actor TEXT NOT NULL DEFAULT '',
	source TEXT NOT NULL DEFAULT '',
	before_amount DOUBLE PRECISION,
	after_amount DOUBLE PRECISION,
	warning TEXT NOT NULL DEFAULT '',
	reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX energy_consumption_changes_org ON energy_consumption_changes (org_id, period, id);

-- An uploaded import workbook kept between the trial run and the import, so 确认导入 needs no second upload. Bound to
-- the user and the session (a hash of the session's CSRF token) and valid until expires_at; expired rows are swept
-- whenever a file is kept.
CREATE TABLE energy_import_files (
	token TEXT PRIMARY KEY,
	user_id BIGINT NOT NULL,
	session_hash TEXT NOT NULL DEFAULT '',
	filename TEXT NOT NULL DEFAULT '',
	data {{BLOB}} NOT NULL,
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL
);
CREATE INDEX energy_import_files_expiry ON energy_import_files (expires_at);
