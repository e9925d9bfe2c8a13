-- Sign-in failure counters kept in the database, so that several server processes on one database count together
-- (see throttle.go): 'u:<username>' counts an account name's failures from every source, 'p:<username>|<source>'
-- from one source, 's:<source>' a source's failures in the current minute. Rows exist for names that are no user
-- as well, so that a lock says nothing about whether an account exists. users.failed_logins and users.locked_until
-- are no longer used.
CREATE TABLE auth_throttle (
	key {{CTEXT}} PRIMARY KEY, -- binary collation: a name's keys are selected by prefix range
	failures INTEGER NOT NULL,
	first_at BIGINT NOT NULL,
	last_at BIGINT NOT NULL,
	locked_until BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX auth_throttle_last ON auth_throttle (last_at);

INSERT INTO auth_throttle (key, failures, first_at, last_at, locked_until)
	SELECT 'u:' || lower(username), failed_logins, updated_at, updated_at, locked_until FROM users
	WHERE failed_logins > 0 OR locked_until > 0;

-- TOTP: a pending secret until the user confirms it (beginning an enrolment never switches the active factor off),
-- and the last accepted 30-second step, so that a code is accepted once.
ALTER TABLE users ADD COLUMN totp_pending TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;

-- The hashes of a user's recent passwords (the current one included): a new password may not be one of them.
CREATE TABLE password_history (
	id {{ID}},
	user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	password_hash TEXT NOT NULL,
	created_at BIGINT NOT NULL
);
CREATE INDEX password_history_user ON password_history (user_id, id);

INSERT INTO password_history (user_id, password_hash, created_at) SELECT id, password_hash, password_changed_at FROM users;
