-- One row per job: the lease that lets exactly one replica run a job at a time (taken with a guarded UPDATE, no
-- dialect-specific lock) and the schedule the replicas share. Lease and schedule are wall-clock milliseconds, so
-- sub-second intervals work and replicas agree on "due"; they are coordination state, not business instants.
CREATE TABLE job_leases (
	name TEXT PRIMARY KEY,
	holder TEXT NOT NULL DEFAULT '',
	lease_until_ms BIGINT NOT NULL DEFAULT 0,
	next_run_ms BIGINT NOT NULL DEFAULT 0
);

-- Every run of every job: the status page reads the latest, pruning keeps the last N per job.
CREATE TABLE job_runs (
	id {{ID}},
	job TEXT NOT NULL,
	trigger_kind TEXT NOT NULL CHECK (trigger_kind IN ('schedule', 'manual')),
	actor TEXT NOT NULL DEFAULT '',
	holder TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL CHECK (status IN ('running', 'ok', 'failed')),
	started_at BIGINT NOT NULL,
	finished_at BIGINT NOT NULL DEFAULT 0,
	duration_ms BIGINT NOT NULL DEFAULT 0,
	message TEXT NOT NULL DEFAULT ''
);
CREATE INDEX job_runs_job ON job_runs (job, id);
CREATE INDEX job_runs_started ON job_runs (started_at);
