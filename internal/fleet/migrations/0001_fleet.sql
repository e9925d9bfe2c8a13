-- 公务用车 (official vehicles): the vehicle ledger, drivers, quotas (编制), trip requests and their dispatch, and the
-- costs of each vehicle (单车核算). docs/api.md §Official vehicles is the contract; docs/domain/vehicles.md the rules.

-- The ledger: a vehicle is registered to the unit that owns it. dispatch_seq is bumped by every dispatch of the
-- vehicle: the UPDATE locks the row (PostgreSQL) for the rest of the dispatching transaction, so two dispatches of
-- one vehicle never check for overlaps at the same time (SQLite serialises every write transaction anyway).
CREATE TABLE fleet_vehicles (
	id {{ID}},
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	plate TEXT NOT NULL,
	category TEXT NOT NULL CHECK (category IN ('confidential', 'emergency', 'law_enforcement', 'special', 'other')),
	fuel_type TEXT NOT NULL CHECK (fuel_type IN ('gasoline', 'diesel', 'electric', 'plug_in_hybrid', 'hybrid')),
	body_type TEXT NOT NULL CHECK (body_type IN ('sedan', 'suv', 'mpv', 'bus', 'other')),
	displacement_l DOUBLE PRECISION NOT NULL DEFAULT 0 CHECK (displacement_l >= 0),
	price_fen BIGINT NOT NULL DEFAULT 0 CHECK (price_fen >= 0),
	brand TEXT NOT NULL DEFAULT '',
	model TEXT NOT NULL DEFAULT '',
	vin TEXT NOT NULL DEFAULT '',
	domestic INTEGER NOT NULL DEFAULT 1 CHECK (domestic IN (0, 1)),
	seats INTEGER NOT NULL DEFAULT 5 CHECK (seats >= 1 AND seats <= 80),
	purchase_date TEXT NOT NULL DEFAULT '',
	odometer_km DOUBLE PRECISION NOT NULL DEFAULT 0 CHECK (odometer_km >= 0),
	status TEXT NOT NULL DEFAULT 'in_use' CHECK (status IN ('in_use', 'sealed', 'disposed')),
	fixed_leader INTEGER NOT NULL DEFAULT 0 CHECK (fixed_leader IN (0, 1)),
	mark_color TEXT NOT NULL DEFAULT '' CHECK (mark_color IN ('', 'red', 'yellow', 'blue', 'green')),
	mark_code TEXT NOT NULL DEFAULT '',
	supervision_phone TEXT NOT NULL DEFAULT '',
	parking_spot TEXT NOT NULL DEFAULT '',
	parking_radius_m INTEGER NOT NULL DEFAULT 50 CHECK (parking_radius_m >= 0),
	terminal_phone TEXT NOT NULL DEFAULT '',
	insurance_due TEXT NOT NULL DEFAULT '',
	inspection_due TEXT NOT NULL DEFAULT '',
	maintenance_due TEXT NOT NULL DEFAULT '',
	note TEXT NOT NULL DEFAULT '',
	dispatch_seq BIGINT NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX fleet_vehicles_plate ON fleet_vehicles (plate);
CREATE INDEX fleet_vehicles_org ON fleet_vehicles (org_id, status);

-- Drivers: a person of a unit with a licence. dispatch_seq plays the same role as the vehicle's.
CREATE TABLE fleet_drivers (
	id {{ID}},
	person_id BIGINT NOT NULL REFERENCES people (id),
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	license_class TEXT NOT NULL CHECK (license_class IN ('A1', 'A2', 'A3', 'B1', 'B2', 'C1', 'C2')),
	license_expiry TEXT NOT NULL DEFAULT '',
	phone TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive')),
	dispatch_seq BIGINT NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX fleet_drivers_person ON fleet_drivers (person_id);
CREATE INDEX fleet_drivers_org ON fleet_drivers (org_id);

-- 编制: the number of vehicles a unit may hold per category.
CREATE TABLE fleet_quotas (
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	category TEXT NOT NULL CHECK (category IN ('confidential', 'emergency', 'law_enforcement', 'special', 'other')),
	quota INTEGER NOT NULL CHECK (quota >= 0),
	updated_at BIGINT NOT NULL,
	PRIMARY KEY (org_id, category)
);

-- Trip requests (用车申请) and, once dispatched, the trip: submitted → approved → dispatched → in_progress →
-- completed; rejected; cancelled. Instants are Unix seconds.
CREATE TABLE fleet_trips (
	id {{ID}},
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	requester_id BIGINT NOT NULL REFERENCES people (id),
	requester_user_id BIGINT NOT NULL DEFAULT 0,
	purpose TEXT NOT NULL,
	passengers INTEGER NOT NULL CHECK (passengers >= 1),
	origin TEXT NOT NULL,
	destination TEXT NOT NULL,
	start_at BIGINT NOT NULL,
	end_at BIGINT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('submitted', 'approved', 'dispatched', 'in_progress', 'completed', 'rejected', 'cancelled')),
	vehicle_id BIGINT REFERENCES fleet_vehicles (id),
	driver_id BIGINT REFERENCES fleet_drivers (id),
	odometer_start_km DOUBLE PRECISION NOT NULL DEFAULT 0,
	odometer_end_km DOUBLE PRECISION NOT NULL DEFAULT 0,
	distance_km DOUBLE PRECISION NOT NULL DEFAULT 0,
	toll_fen BIGINT NOT NULL DEFAULT 0,
	parking_fen BIGINT NOT NULL DEFAULT 0,
	fuel_fen BIGINT NOT NULL DEFAULT 0,
	decision_note TEXT NOT NULL DEFAULT '',
	cancel_reason TEXT NOT NULL DEFAULT '',
	dispatched_at BIGINT NOT NULL DEFAULT 0,
	started_at BIGINT NOT NULL DEFAULT 0,
	completed_at BIGINT NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	CHECK (end_at > start_at)
);
CREATE INDEX fleet_trips_org ON fleet_trips (org_id, status);
CREATE INDEX fleet_trips_requester ON fleet_trips (requester_id);
CREATE INDEX fleet_trips_vehicle ON fleet_trips (vehicle_id, start_at);
CREATE INDEX fleet_trips_driver ON fleet_trips (driver_id, start_at);

-- Costs of a vehicle (单车核算). Those a completed trip reported (tolls, parking, fuel) carry its trip_id.
CREATE TABLE fleet_costs (
	id {{ID}},
	vehicle_id BIGINT NOT NULL REFERENCES fleet_vehicles (id),
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	kind TEXT NOT NULL CHECK (kind IN ('fuel', 'charging', 'maintenance', 'insurance', 'toll', 'parking', 'other')),
	amount_fen BIGINT NOT NULL CHECK (amount_fen > 0),
	cost_date TEXT NOT NULL,
	odometer_km DOUBLE PRECISION NOT NULL DEFAULT 0,
	note TEXT NOT NULL DEFAULT '',
	trip_id BIGINT REFERENCES fleet_trips (id),
	created_at BIGINT NOT NULL
);
CREATE INDEX fleet_costs_vehicle ON fleet_costs (vehicle_id, cost_date);
CREATE INDEX fleet_costs_org ON fleet_costs (org_id, cost_date);

-- Reminders already sent (insurance, annual inspection, maintenance), one per vehicle, kind and due date.
CREATE TABLE fleet_reminders (
	vehicle_id BIGINT NOT NULL REFERENCES fleet_vehicles (id),
	kind TEXT NOT NULL CHECK (kind IN ('insurance', 'inspection', 'maintenance')),
	due_on TEXT NOT NULL,
	sent_at BIGINT NOT NULL,
	PRIMARY KEY (vehicle_id, kind, due_on)
);
