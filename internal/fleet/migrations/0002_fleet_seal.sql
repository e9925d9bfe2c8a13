-- 节假日封存 and the registration of a vehicle (fleet.go): holiday_seal marks a vehicle sealed over the statutory
-- holidays of the working calendar (dispatched then only for a request approved as an emergency); registered_org_id
-- and registered_name are the unit, or the enterprise or person, its registration (行驶证) names when that is not the
-- owning unit (the registered_elsewhere finding).
ALTER TABLE fleet_vehicles ADD COLUMN holiday_seal INTEGER NOT NULL DEFAULT 0 CHECK (holiday_seal IN (0, 1));
ALTER TABLE fleet_vehicles ADD COLUMN registered_org_id BIGINT REFERENCES orgs (id);
ALTER TABLE fleet_vehicles ADD COLUMN registered_name TEXT NOT NULL DEFAULT '';
ALTER TABLE fleet_trips ADD COLUMN emergency INTEGER NOT NULL DEFAULT 0 CHECK (emergency IN (0, 1));
ALTER TABLE fleet_trips ADD COLUMN emergency_reason TEXT NOT NULL DEFAULT '';
