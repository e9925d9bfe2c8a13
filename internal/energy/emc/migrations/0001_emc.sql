-- Energy performance contracts (合同能源管理): the register, degree days per region and month for the baseline
-- models, the settlement payments recorded by managers. M&V results are computed on read, never stored.
CREATE TABLE energy_emc_contracts (
	id {{ID}},
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	name TEXT NOT NULL,
	esco_name TEXT NOT NULL,
	esco_credit_code TEXT NOT NULL,
	contract_type TEXT NOT NULL CHECK (contract_type IN ('shared_savings', 'guaranteed_savings', 'energy_outsourcing', 'finance_lease', 'hybrid')),
	sign_date TEXT NOT NULL,
	term_start TEXT NOT NULL,
	term_end TEXT NOT NULL,
	baseline_from TEXT NOT NULL,
	baseline_to TEXT NOT NULL,
	energy_types TEXT NOT NULL,
	building_ids TEXT NOT NULL DEFAULT '',
	investment_yuan DOUBLE PRECISION NOT NULL DEFAULT 0 CHECK (investment_yuan >= 0),
	guaranteed_kgce DOUBLE PRECISION NOT NULL DEFAULT 0 CHECK (guaranteed_kgce >= 0),
	prices TEXT NOT NULL DEFAULT '{}',
	shares TEXT NOT NULL DEFAULT '[]',
	status TEXT NOT NULL CHECK (status IN ('draft', 'active', 'completed', 'terminated')),
	note TEXT NOT NULL DEFAULT '',
	override_reason TEXT NOT NULL DEFAULT '',
	override_by TEXT NOT NULL DEFAULT '',
	override_at BIGINT NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX energy_emc_contracts_org ON energy_emc_contracts (org_id);

CREATE TABLE energy_emc_degree_days (
	region_code TEXT NOT NULL,
	period TEXT NOT NULL CHECK (length(period) = 7),
	hdd DOUBLE PRECISION NOT NULL CHECK (hdd >= 0),
	cdd DOUBLE PRECISION NOT NULL CHECK (cdd >= 0),
	source TEXT NOT NULL DEFAULT '',
	updated_at BIGINT NOT NULL,
	PRIMARY KEY (region_code, period)
);

-- Occupancy (e.g. 用能人数 or working days) per contract and month, when the contract's model uses it.
CREATE TABLE energy_emc_occupancy (
	contract_id BIGINT NOT NULL REFERENCES energy_emc_contracts (id) ON DELETE CASCADE,
	period TEXT NOT NULL CHECK (length(period) = 7),
	value DOUBLE PRECISION NOT NULL CHECK (value >= 0),
	PRIMARY KEY (contract_id, period)
);

CREATE TABLE energy_emc_payments (
	contract_id BIGINT NOT NULL REFERENCES energy_emc_contracts (id) ON DELETE CASCADE,
	period_no INTEGER NOT NULL,
	paid BOOLEAN NOT NULL,
	amount_yuan DOUBLE PRECISION NOT NULL DEFAULT 0,
	note TEXT NOT NULL DEFAULT '',
	recorded_at BIGINT NOT NULL,
	recorded_by TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (contract_id, period_no)
);
