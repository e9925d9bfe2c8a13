-- Designated suppliers, fuel cards, the hire pool (社会化保障) and consumption quantities (docs/domain/vehicles.md
-- §Designated suppliers, §Fuel cards, §Hire pool, §Consumption).

-- 定点保险 / 定点维修 / 定点加油（充电）: a supplier designated for a unit (and the units below it) and a kind of cost,
-- over a term. A cost naming a supplier not designated for its vehicle's unit and kind on its date is flagged.
CREATE TABLE fleet_suppliers (
	id {{ID}},
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	kind TEXT NOT NULL CHECK (kind IN ('insurance', 'maintenance', 'fuel')),
	name TEXT NOT NULL,
	contract_no TEXT NOT NULL DEFAULT '',
	valid_from TEXT NOT NULL DEFAULT '',
	valid_to TEXT NOT NULL DEFAULT '',
	address TEXT NOT NULL DEFAULT '',
	phone TEXT NOT NULL DEFAULT '',
	note TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX fleet_suppliers_name ON fleet_suppliers (org_id, kind, name);

-- Costs name their supplier (optional), the quantity bought (litres of fuel, kWh of charging; 0 when unknown) and,
-- for a fuel-card statement line, its transaction reference (one import of a line only).
ALTER TABLE fleet_costs ADD COLUMN supplier TEXT NOT NULL DEFAULT '';
ALTER TABLE fleet_costs ADD COLUMN quantity DOUBLE PRECISION NOT NULL DEFAULT 0 CHECK (quantity >= 0);
ALTER TABLE fleet_costs ADD COLUMN card_ref TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX fleet_costs_card_ref ON fleet_costs (vehicle_id, card_ref) WHERE card_ref <> '';

-- A vehicle's fuel (or charging) card.
ALTER TABLE fleet_vehicles ADD COLUMN fuel_card_no TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX fleet_vehicles_fuel_card ON fleet_vehicles (fuel_card_no) WHERE fuel_card_no <> '';

-- 社会化保障: contracts with car-hire companies (the second pool), their vehicles and drivers. Prices in fen per km,
-- per hour and per day (0 = not charged that way).
CREATE TABLE fleet_hire_contracts (
	id {{ID}},
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	company TEXT NOT NULL,
	contract_no TEXT NOT NULL,
	valid_from TEXT NOT NULL,
	valid_to TEXT NOT NULL,
	price_km_fen BIGINT NOT NULL DEFAULT 0 CHECK (price_km_fen >= 0),
	price_hour_fen BIGINT NOT NULL DEFAULT 0 CHECK (price_hour_fen >= 0),
	price_day_fen BIGINT NOT NULL DEFAULT 0 CHECK (price_day_fen >= 0),
	phone TEXT NOT NULL DEFAULT '',
	note TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	CHECK (valid_to >= valid_from)
);
CREATE UNIQUE INDEX fleet_hire_contracts_no ON fleet_hire_contracts (contract_no);
CREATE INDEX fleet_hire_contracts_org ON fleet_hire_contracts (org_id);

CREATE TABLE fleet_hire_vehicles (
	id {{ID}},
	contract_id BIGINT NOT NULL REFERENCES fleet_hire_contracts (id),
	plate TEXT NOT NULL,
	model TEXT NOT NULL DEFAULT '',
	fuel_type TEXT NOT NULL CHECK (fuel_type IN ('gasoline', 'diesel', 'electric', 'plug_in_hybrid', 'hybrid')),
	seats INTEGER NOT NULL CHECK (seats >= 1 AND seats <= 80),
	status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive')),
	dispatch_seq BIGINT NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX fleet_hire_vehicles_plate ON fleet_hire_vehicles (contract_id, plate);

CREATE TABLE fleet_hire_drivers (
	id {{ID}},
	contract_id BIGINT NOT NULL REFERENCES fleet_hire_contracts (id),
	name TEXT NOT NULL,
	phone TEXT NOT NULL DEFAULT '',
	license_class TEXT NOT NULL CHECK (license_class IN ('A1', 'A2', 'A3', 'B1', 'B2', 'C1', 'C2')),
	status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive')),
	dispatch_seq BIGINT NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL
);
CREATE INDEX fleet_hire_drivers_contract ON fleet_hire_drivers (contract_id);

-- A trip served by the hire pool names the hire vehicle and driver instead of an own vehicle and driver.
ALTER TABLE fleet_trips ADD COLUMN hire_vehicle_id BIGINT REFERENCES fleet_hire_vehicles (id);
ALTER TABLE fleet_trips ADD COLUMN hire_driver_id BIGINT REFERENCES fleet_hire_drivers (id);
CREATE INDEX fleet_trips_hire_vehicle ON fleet_trips (hire_vehicle_id, start_at);
CREATE INDEX fleet_trips_hire_driver ON fleet_trips (hire_driver_id, start_at);

-- The requester's rating of a completed trip (1–5, with a comment), once.
ALTER TABLE fleet_trips ADD COLUMN rating INTEGER NOT NULL DEFAULT 0 CHECK (rating >= 0 AND rating <= 5);
ALTER TABLE fleet_trips ADD COLUMN rating_comment TEXT NOT NULL DEFAULT '';
ALTER TABLE fleet_trips ADD COLUMN rated_at BIGINT NOT NULL DEFAULT 0;
