-- The figures of the 基层表's hand-filled tables (采暖能耗, 数据中心机房): one row per unit, year and field key of
-- the form definition (reference data energy.report_form, sections).
CREATE TABLE energy_report_values (
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	year INTEGER NOT NULL,
	key TEXT NOT NULL,
	value DOUBLE PRECISION NOT NULL CHECK (value >= 0),
	PRIMARY KEY (org_id, year, key)
);
