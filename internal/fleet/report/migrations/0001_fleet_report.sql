-- The annual 公务用车配备更新和使用情况 statistics report (docs/domain/vehicles.md §Annual statistics): the state
-- of each unit's report per year, and what the fleet ledger does not hold. A (unit, year) without a row is a draft.
-- figures is the JSON snapshot of the report's figures taken when it is submitted: a submitted or approved report
-- shows what was submitted (the lock), a draft or returned one the ledger's figures of the day.
CREATE TABLE fleet_reports (
	id {{ID}},
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	year INTEGER NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'returned', 'approved')),
	submitted_at BIGINT NOT NULL DEFAULT 0,
	submitted_by TEXT NOT NULL DEFAULT '',
	reviewed_at BIGINT NOT NULL DEFAULT 0,
	reviewed_by TEXT NOT NULL DEFAULT '',
	reason TEXT NOT NULL DEFAULT '',
	figures TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	UNIQUE (org_id, year)
);
CREATE INDEX fleet_reports_year ON fleet_reports (year, status);

-- The report's own fields: how many of the year's new vehicles replaced a disposed one (更新), the budget of
-- 公务用车购置及运行费 (三公经费, 年初预算数), a note, and the sign-off block.
CREATE TABLE fleet_report_info (
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	year INTEGER NOT NULL,
	replaced INTEGER NOT NULL DEFAULT 0 CHECK (replaced >= 0),
	budget_fen BIGINT NOT NULL DEFAULT 0 CHECK (budget_fen >= 0),
	note TEXT NOT NULL DEFAULT '',
	principal TEXT NOT NULL DEFAULT '',
	preparer TEXT NOT NULL DEFAULT '',
	phone TEXT NOT NULL DEFAULT '',
	updated_at BIGINT NOT NULL,
	updated_by TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (org_id, year)
);
