-- 后勤服务 (logistics services): repair work orders and meeting-room bookings. docs/api.md §Logistics services is the
-- contract; docs/domain/services.md the rules. Instants as Unix seconds; rooms are office-space rooms, read through an
-- interface (no foreign key across modules), with their label kept as it was when the record was made.

-- Repair work orders (报修): reported by an employee for a room of their unit, assigned by the service desk to a
-- person, started and resolved by the assignee, closed and rated (1–5) by the reporter. The due instants of the SLA
-- (response: work started; resolution: resolved) are computed at reporting from the category's working hours on
-- the official working calendar and kept, so a later change of the SLA does not move old deadlines.
CREATE TABLE services_work_orders (
	id {{ID}},
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	room_id BIGINT NOT NULL,
	room_label TEXT NOT NULL DEFAULT '',
	category TEXT NOT NULL CHECK (category IN ('water_electric', 'hvac', 'doors_windows', 'network', 'furniture', 'cleaning', 'other')),
	description TEXT NOT NULL,
	contact_phone TEXT NOT NULL DEFAULT '',
	reporter_id BIGINT NOT NULL REFERENCES people (id),
	reporter_user_id BIGINT NOT NULL DEFAULT 0,
	status TEXT NOT NULL CHECK (status IN ('submitted', 'assigned', 'in_progress', 'resolved', 'closed')),
	assignee_id BIGINT REFERENCES people (id),
	resolution TEXT NOT NULL DEFAULT '',
	rating INTEGER NOT NULL DEFAULT 0 CHECK (rating BETWEEN 0 AND 5),
	rating_comment TEXT NOT NULL DEFAULT '',
	response_due_at BIGINT NOT NULL,
	resolve_due_at BIGINT NOT NULL,
	assigned_at BIGINT NOT NULL DEFAULT 0,
	started_at BIGINT NOT NULL DEFAULT 0,
	resolved_at BIGINT NOT NULL DEFAULT 0,
	closed_at BIGINT NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX services_work_orders_org ON services_work_orders (org_id, status, created_at);
CREATE INDEX services_work_orders_reporter ON services_work_orders (reporter_id, created_at);
CREATE INDEX services_work_orders_assignee ON services_work_orders (assignee_id, status);

-- Meeting-room bookings. org_id is the room's unit (the grid of a unit's rooms is one index range). A booking holds
-- its room while confirmed or checked in; a confirmed booking without check-in is released after the grace
-- minutes of services.rules.
CREATE TABLE services_bookings (
	id {{ID}},
	room_id BIGINT NOT NULL,
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	room_label TEXT NOT NULL DEFAULT '',
	title TEXT NOT NULL,
	organizer_id BIGINT NOT NULL REFERENCES people (id),
	organizer_user_id BIGINT NOT NULL DEFAULT 0,
	attendees INTEGER NOT NULL CHECK (attendees >= 1),
	start_at BIGINT NOT NULL,
	end_at BIGINT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('confirmed', 'checked_in', 'cancelled', 'released')),
	checked_in_at BIGINT NOT NULL DEFAULT 0,
	cancel_reason TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	CHECK (end_at > start_at)
);
CREATE INDEX services_bookings_room ON services_bookings (room_id, start_at);
CREATE INDEX services_bookings_org ON services_bookings (org_id, start_at);
CREATE INDEX services_bookings_organizer ON services_bookings (organizer_id, start_at);

-- One row per booked room: a booking transaction first bumps the room's row (INSERT … ON CONFLICT DO UPDATE), which
-- locks it until the transaction ends (PostgreSQL; SQLite runs one write transaction at a time), and only then looks
-- for overlaps — so of many simultaneous requests for one slot exactly one wins.
CREATE TABLE services_room_locks (
	room_id BIGINT PRIMARY KEY,
	seq BIGINT NOT NULL
);
