-- What a contract's occupancy series measures (e.g. 用能人数 in 人, or occupancy rate in %): one row per contract that
-- has occupancy values. The values stay in energy_emc_occupancy.
CREATE TABLE energy_emc_occupancy_meta (
	contract_id BIGINT PRIMARY KEY REFERENCES energy_emc_contracts (id) ON DELETE CASCADE,
	label TEXT NOT NULL,
	unit TEXT NOT NULL DEFAULT '',
	updated_at BIGINT NOT NULL
);
