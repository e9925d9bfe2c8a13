-- Approval chains: per request type, for one unit (and, by inheritance, the units below it) or — with org_id NULL —
-- the default of the type. The most specific chain for the requester's unit wins.
CREATE TABLE wf_chains (
	id {{ID}},
	type_code TEXT NOT NULL,
	org_id BIGINT REFERENCES orgs (id),
	name TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX wf_chains_type_org ON wf_chains (type_code, org_id) WHERE org_id IS NOT NULL;
CREATE UNIQUE INDEX wf_chains_type_default ON wf_chains (type_code) WHERE org_id IS NULL;
CREATE INDEX wf_chains_org ON wf_chains (org_id);

-- The ordered steps of a chain. kind 'role': holders of role_code whose scope unit is the requester's unit moved up
-- `up` levels (0 = the unit itself), or any ancestor-or-self (-1), or the nearest ancestor-or-self that has one (-2).
-- kind 'users': the named users in wf_step_users. mode 'any': the first approval advances; 'all': every approver.
-- role_code is not a foreign key: deleting a role must stay the identity kit's business; a chain naming a role that
-- no longer exists fails on submit with a clear message.
CREATE TABLE wf_steps (
	id {{ID}},
	chain_id BIGINT NOT NULL REFERENCES wf_chains (id) ON DELETE CASCADE,
	step_no INTEGER NOT NULL CHECK (step_no >= 1),
	name TEXT NOT NULL,
	mode TEXT NOT NULL CHECK (mode IN ('any', 'all')),
	kind TEXT NOT NULL CHECK (kind IN ('role', 'users')),
	role_code TEXT,
	up INTEGER NOT NULL DEFAULT 0 CHECK (up >= -2),
	UNIQUE (chain_id, step_no),
	CHECK ((kind = 'role' AND role_code IS NOT NULL) OR (kind = 'users' AND role_code IS NULL))
);

CREATE TABLE wf_step_users (
	step_id BIGINT NOT NULL REFERENCES wf_steps (id) ON DELETE CASCADE,
	user_id BIGINT NOT NULL REFERENCES users (id),
	PRIMARY KEY (step_id, user_id)
);
CREATE INDEX wf_step_users_user ON wf_step_users (user_id);

-- One approval run for one business object. steps is a JSON snapshot of the chain's steps taken at submit, so
-- editing or deleting a chain never changes a run in flight. step_no is the current step while pending and the
-- step the run ended on afterwards. At most one pending run per object.
CREATE TABLE wf_instances (
	id {{ID}},
	type_code TEXT NOT NULL,
	object_id BIGINT NOT NULL,
	requester_id BIGINT NOT NULL REFERENCES users (id),
	org_id BIGINT NOT NULL REFERENCES orgs (id),
	chain_id BIGINT,
	chain_name TEXT NOT NULL,
	steps TEXT NOT NULL,
	step_count INTEGER NOT NULL CHECK (step_count >= 1),
	step_no INTEGER NOT NULL CHECK (step_no >= 1),
	title TEXT NOT NULL,
	summary TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'withdrawn')),
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	finished_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX wf_instances_object ON wf_instances (type_code, object_id);
CREATE UNIQUE INDEX wf_instances_open ON wf_instances (type_code, object_id) WHERE status = 'pending';
CREATE INDEX wf_instances_requester ON wf_instances (requester_id, id);
CREATE INDEX wf_instances_org ON wf_instances (org_id, id);

-- One approver's share of one step. Only the current step of a pending run has pending tasks: advancing, finishing
-- or withdrawing closes the others (skipped / cancelled), so "waiting for me" is an index lookup on (user_id, status).
CREATE TABLE wf_tasks (
	id {{ID}},
	instance_id BIGINT NOT NULL REFERENCES wf_instances (id),
	step_no INTEGER NOT NULL,
	user_id BIGINT NOT NULL REFERENCES users (id),
	status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'returned', 'skipped', 'cancelled')),
	decided_by BIGINT REFERENCES users (id),
	decided_at BIGINT NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL
);
CREATE INDEX wf_tasks_user ON wf_tasks (user_id, status, instance_id);
CREATE INDEX wf_tasks_instance ON wf_tasks (instance_id, step_no, status);
CREATE INDEX wf_tasks_decided ON wf_tasks (decided_by, instance_id);
CREATE UNIQUE INDEX wf_tasks_open ON wf_tasks (instance_id, step_no, user_id) WHERE status = 'pending';

-- The full history of a run (the timeline of its detail page). actor_id NULL is the system (advancing, finishing).
CREATE TABLE wf_events (
	id {{ID}},
	instance_id BIGINT NOT NULL REFERENCES wf_instances (id),
	at BIGINT NOT NULL,
	actor_id BIGINT REFERENCES users (id),
	actor TEXT NOT NULL,
	on_behalf TEXT NOT NULL DEFAULT '',
	action TEXT NOT NULL CHECK (action IN ('submit', 'approve', 'reject', 'return', 'comment', 'withdraw', 'advance', 'complete')),
	step_no INTEGER NOT NULL DEFAULT 0,
	step_name TEXT NOT NULL DEFAULT '',
	comment TEXT NOT NULL DEFAULT ''
);
CREATE INDEX wf_events_instance ON wf_events (instance_id, id);

-- A user hands their approvals to another user for a date range (business dates, inclusive).
CREATE TABLE wf_delegations (
	id {{ID}},
	from_user_id BIGINT NOT NULL REFERENCES users (id),
	to_user_id BIGINT NOT NULL REFERENCES users (id),
	start_date TEXT NOT NULL,
	end_date TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	CHECK (from_user_id <> to_user_id),
	CHECK (end_date >= start_date)
);
CREATE INDEX wf_delegations_to ON wf_delegations (to_user_id, status, start_date);
CREATE INDEX wf_delegations_from ON wf_delegations (from_user_id, status, start_date);
