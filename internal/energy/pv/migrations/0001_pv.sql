-- Rooftop PV (屋顶光伏): systems on buildings with their generation and export meters, and the roof assessment of
-- buildings (PV-eligible or not, new building) behind the coverage ratio. Dates are 'YYYY-MM-DD'; instants Unix s.
CREATE TABLE energy_pv_systems (
	id {{ID}},
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	building_id BIGINT NOT NULL REFERENCES buildings (id),
	name TEXT NOT NULL,
	capacity_kwp DOUBLE PRECISION NOT NULL CHECK (capacity_kwp > 0),
	commissioned TEXT NOT NULL CHECK (length(commissioned) = 10),
	inverter TEXT NOT NULL DEFAULT '',
	roof_area_m2 DOUBLE PRECISION NOT NULL DEFAULT 0 CHECK (roof_area_m2 >= 0),
	grid_mode TEXT NOT NULL CHECK (grid_mode IN ('self_use', 'full_export')),
	gen_meter_id BIGINT REFERENCES energy_meters (id),
	export_meter_id BIGINT REFERENCES energy_meters (id),
	status TEXT NOT NULL CHECK (status IN ('planned', 'operating', 'stopped', 'retired')),
	note TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX energy_pv_systems_org ON energy_pv_systems (org_id);
CREATE INDEX energy_pv_systems_building ON energy_pv_systems (building_id);

CREATE TABLE energy_pv_eligibility (
	building_id BIGINT PRIMARY KEY REFERENCES buildings (id),
	eligible BOOLEAN NOT NULL,
	roof_area_m2 DOUBLE PRECISION NOT NULL DEFAULT 0 CHECK (roof_area_m2 >= 0),
	new_building BOOLEAN NOT NULL DEFAULT FALSE,
	reason TEXT NOT NULL DEFAULT '',
	updated_at BIGINT NOT NULL,
	updated_by TEXT NOT NULL DEFAULT ''
);
