-- 车辆定位 (vehicle telemetry, docs/api.md §Vehicle telemetry): the JT/T 808 terminals bound to vehicles, the
-- positions they report, the latest position of each vehicle, the trips and alarms derived from the positions, and
-- the queue of vehicle-days whose trips and alarms must be derived again. Vehicles are the fleet module's (read
-- through an interface); org_id is the vehicle's unit when the row was written, for scope in SQL. Instants are Unix
-- seconds; coordinates WGS-84 degrees.

-- A terminal bound to a vehicle: the phone it registered with, the auth code issued (0x8100), the home parking
-- spot's coordinates when known, and the UTC offset of its clock (the standard's GMT+8 by default).
CREATE TABLE telematics_terminals (
	vehicle_id BIGINT PRIMARY KEY,
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	phone TEXT NOT NULL,
	auth_code TEXT NOT NULL DEFAULT '',
	maker TEXT NOT NULL DEFAULT '',
	model TEXT NOT NULL DEFAULT '',
	terminal_code TEXT NOT NULL DEFAULT '',
	registered_at BIGINT NOT NULL DEFAULT 0,
	home_lat DOUBLE PRECISION,
	home_lon DOUBLE PRECISION,
	utc_offset_min INTEGER NOT NULL DEFAULT 480 CHECK (utc_offset_min BETWEEN -720 AND 840),
	updated_at BIGINT NOT NULL
);
CREATE INDEX telematics_terminals_phone ON telematics_terminals (phone);

-- Positions as reported, idempotent on (vehicle, device time): a report sent twice (a lost ack, a blind-area
-- back-fill) is stored once. No foreign key, for ingest speed: the gateway resolves the vehicle first.
CREATE TABLE telematics_positions (
	vehicle_id BIGINT NOT NULL,
	t BIGINT NOT NULL,
	lat DOUBLE PRECISION NOT NULL,
	lon DOUBLE PRECISION NOT NULL,
	speed_kmh DOUBLE PRECISION NOT NULL,
	direction INTEGER NOT NULL,
	altitude_m INTEGER NOT NULL,
	alarm_flags BIGINT NOT NULL,
	status_flags BIGINT NOT NULL,
	odometer_km DOUBLE PRECISION,
	received_at BIGINT NOT NULL,
	PRIMARY KEY (vehicle_id, t)
)
-- +sqlite
WITHOUT ROWID;
-- +postgres
;
-- +all

-- The newest position of each vehicle (the live view), kept by the writer.
CREATE TABLE telematics_latest (
	vehicle_id BIGINT PRIMARY KEY,
	org_id BIGINT NOT NULL,
	t BIGINT NOT NULL,
	lat DOUBLE PRECISION NOT NULL,
	lon DOUBLE PRECISION NOT NULL,
	speed_kmh DOUBLE PRECISION NOT NULL,
	direction INTEGER NOT NULL,
	alarm_flags BIGINT NOT NULL,
	status_flags BIGINT NOT NULL,
	received_at BIGINT NOT NULL
);
CREATE INDEX telematics_latest_org ON telematics_latest (org_id);

-- Vehicle-days (day = the Beijing date's midnight as Unix seconds) whose trips and alarms are to be derived again.
CREATE TABLE telematics_dirty (
	vehicle_id BIGINT NOT NULL,
	day_at BIGINT NOT NULL,
	PRIMARY KEY (vehicle_id, day_at)
);

-- Trips derived from the positions, per vehicle-day, linked to the dispatched trip request covering most of them.
CREATE TABLE telematics_trips (
	id {{ID}},
	vehicle_id BIGINT NOT NULL,
	org_id BIGINT NOT NULL,
	day_at BIGINT NOT NULL,
	start_at BIGINT NOT NULL,
	end_at BIGINT NOT NULL,
	distance_km DOUBLE PRECISION NOT NULL,
	max_speed_kmh DOUBLE PRECISION NOT NULL,
	trip_request_id BIGINT,
	points INTEGER NOT NULL,
	CHECK (end_at >= start_at)
);
CREATE UNIQUE INDEX telematics_trips_vehicle ON telematics_trips (vehicle_id, start_at);
CREATE INDEX telematics_trips_day ON telematics_trips (vehicle_id, day_at);

-- Alarms derived from the positions (the evidence of docs/domain/vehicles.md §Telematics alarms).
CREATE TABLE telematics_alarms (
	id {{ID}},
	vehicle_id BIGINT NOT NULL,
	org_id BIGINT NOT NULL,
	day_at BIGINT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('off_hours', 'no_order', 'left_parking', 'overspeed', 'device_alarm')),
	start_at BIGINT NOT NULL,
	end_at BIGINT NOT NULL,
	detail TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	CHECK (end_at >= start_at)
);
CREATE UNIQUE INDEX telematics_alarms_key ON telematics_alarms (vehicle_id, kind, start_at);
CREATE INDEX telematics_alarms_org ON telematics_alarms (org_id, start_at);
CREATE INDEX telematics_alarms_day ON telematics_alarms (vehicle_id, day_at);
