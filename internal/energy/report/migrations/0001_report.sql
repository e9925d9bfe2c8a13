-- The annual statistics report (《公共机构能源资源消费统计调查制度》): the state of each unit's 基层表 and each
-- bureau's 综合表 per year, and the 基层表 fields the energy figures do not hold. A (unit, year, kind) without a row
-- is a draft. Figures are never copied here: the report reads energy's effective figures, and an approved report
-- locks them (Service.Locked, checked by energy's writes).
CREATE TABLE energy_reports (
	id {{ID}},
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	year INTEGER NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('basic', 'summary')),
	status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'returned', 'approved')),
	revision TEXT NOT NULL DEFAULT '',
	submitted_at BIGINT NOT NULL DEFAULT 0,
	submitted_by TEXT NOT NULL DEFAULT '',
	reviewed_at BIGINT NOT NULL DEFAULT 0,
	reviewed_by TEXT NOT NULL DEFAULT '',
	reason TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	UNIQUE (org_id, year, kind)
);
CREATE INDEX energy_reports_year ON energy_reports (year, kind, status);

-- 基层表 fields kept by the report: 新能源汽车数量 and the fields of earlier revisions (用地面积, 充电桩数量), and the
-- signature block (单位负责人, 统计负责人, 填表人, 联系电话).
CREATE TABLE energy_report_info (
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	year INTEGER NOT NULL,
	new_energy_vehicles INTEGER NOT NULL DEFAULT 0 CHECK (new_energy_vehicles >= 0),
	land_area_m2 DOUBLE PRECISION NOT NULL DEFAULT 0 CHECK (land_area_m2 >= 0),
	charging_piles INTEGER NOT NULL DEFAULT 0 CHECK (charging_piles >= 0),
	principal TEXT NOT NULL DEFAULT '',
	stats_lead TEXT NOT NULL DEFAULT '',
	preparer TEXT NOT NULL DEFAULT '',
	phone TEXT NOT NULL DEFAULT '',
	updated_at BIGINT NOT NULL,
	updated_by TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (org_id, year)
);
