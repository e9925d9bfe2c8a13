-- Energy quotas (能耗定额), issue 3 item 4: quota standards with three levels, annual quotas decomposed down the
-- unit tree, run-rate warnings and over-quota explanations. Indicator, category and reason codes are validated in Go.

-- Quota standards: one indicator of one category in one region, valid over a range of years (valid_to 0 = open).
-- A new edition is a new row; the old one is closed or withdrawn, never overwritten silently (history + audit).
-- factor_set names the standard-coal factors the standard's kgce indicators use: 'statistics' (当量值, the
-- statistics factors) or 'equivalent' (等价值 electricity, as some local quota standards require).
CREATE TABLE energy_quota_standards (
	id {{ID}},
	region_code TEXT NOT NULL,
	category TEXT NOT NULL,
	indicator TEXT NOT NULL,
	factor_set TEXT NOT NULL DEFAULT 'statistics' CHECK (factor_set IN ('statistics', 'equivalent')),
	constraint_value DOUBLE PRECISION NOT NULL CHECK (constraint_value > 0),
	baseline_value DOUBLE PRECISION NOT NULL CHECK (baseline_value > 0),
	guide_value DOUBLE PRECISION NOT NULL CHECK (guide_value > 0),
	valid_from INTEGER NOT NULL,
	valid_to INTEGER NOT NULL DEFAULT 0,
	source_doc TEXT NOT NULL,
	issuer TEXT NOT NULL DEFAULT '',
	example INTEGER NOT NULL DEFAULT 0,
	note TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'withdrawn')),
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX energy_quota_standards_key ON energy_quota_standards (region_code, category, indicator);

-- Annual quotas: per unit (covering its subtree) and year, standard coal and water. method says how the row was
-- set: by its parent's decomposition (share of last year's use, floor area, headcount, manual) or directly (set).
CREATE TABLE energy_quotas (
	id {{ID}},
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	year INTEGER NOT NULL,
	total_kgce DOUBLE PRECISION NOT NULL CHECK (total_kgce >= 0),
	water_m3 DOUBLE PRECISION NOT NULL CHECK (water_m3 >= 0),
	method TEXT NOT NULL CHECK (method IN ('set', 'share', 'area', 'headcount', 'manual')),
	set_by_org_id BIGINT REFERENCES orgs (id),
	note TEXT NOT NULL DEFAULT '',
	updated_by TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	UNIQUE (org_id, year)
);

-- Run-rate warnings, recomputed by the periodic job: one row per unit with a quota and year. notified is the status
-- the unit's administrators were last told about (a notification goes out once per change).
CREATE TABLE energy_quota_warnings (
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	year INTEGER NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('normal', 'warning', 'over')),
	through_month INTEGER NOT NULL,
	ytd_kgce DOUBLE PRECISION NOT NULL,
	projected_kgce DOUBLE PRECISION NOT NULL,
	quota_kgce DOUBLE PRECISION NOT NULL,
	ytd_water DOUBLE PRECISION NOT NULL,
	projected_water DOUBLE PRECISION NOT NULL,
	quota_water DOUBLE PRECISION NOT NULL,
	ratio DOUBLE PRECISION NOT NULL,
	method TEXT NOT NULL,
	reasons TEXT NOT NULL DEFAULT '',
	notified TEXT NOT NULL DEFAULT 'normal',
	computed_at BIGINT NOT NULL,
	PRIMARY KEY (org_id, year)
);

-- Over-quota explanations (超定额说明, 条例第十七条): approved through the workflow kit (type energy.quota_explanation).
CREATE TABLE energy_quota_explanations (
	id {{ID}},
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	year INTEGER NOT NULL,
	reasons TEXT NOT NULL,
	text TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('submitted', 'approved', 'returned', 'withdrawn')),
	actual_kgce DOUBLE PRECISION NOT NULL,
	projected_kgce DOUBLE PRECISION NOT NULL,
	quota_kgce DOUBLE PRECISION NOT NULL,
	requester_id BIGINT NOT NULL,
	requester TEXT NOT NULL,
	submissions INTEGER NOT NULL DEFAULT 1,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	decided_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX energy_quota_explanations_org ON energy_quota_explanations (org_id, year);
