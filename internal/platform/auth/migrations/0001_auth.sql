CREATE TABLE roles (
	code TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	builtin BOOLEAN NOT NULL DEFAULT FALSE,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);

CREATE TABLE role_permissions (
	role_code TEXT NOT NULL REFERENCES roles (code) ON DELETE CASCADE,
	permission TEXT NOT NULL,
	PRIMARY KEY (role_code, permission)
);

-- person_id and scope_org_id refer to the organisation spine (people, orgs); the spine checks them on write and
-- refuses to remove a unit or person a user is bound to.
CREATE TABLE users (
	id {{ID}},
	username TEXT NOT NULL UNIQUE,
	display_name TEXT NOT NULL,
	password_hash TEXT NOT NULL,
	person_id BIGINT,
	scope_org_id BIGINT,
	data_scope TEXT NOT NULL CHECK (data_scope IN ('all', 'subtree', 'unit', 'self')),
	status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
	failed_logins INTEGER NOT NULL DEFAULT 0,
	locked_until BIGINT NOT NULL DEFAULT 0,
	password_changed_at BIGINT NOT NULL,
	must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
	totp_secret TEXT NOT NULL DEFAULT '',
	totp_enabled BOOLEAN NOT NULL DEFAULT FALSE,
	last_login_at BIGINT NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX users_scope_org ON users (scope_org_id);
CREATE INDEX users_person ON users (person_id);

CREATE TABLE user_roles (
	user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	role_code TEXT NOT NULL REFERENCES roles (code),
	PRIMARY KEY (user_id, role_code)
);
CREATE INDEX user_roles_role ON user_roles (role_code);

CREATE TABLE sessions (
	id_hash TEXT PRIMARY KEY,
	user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	kind TEXT NOT NULL CHECK (kind IN ('web', 'api')),
	csrf TEXT NOT NULL,
	focus_org_id BIGINT,
	created_at BIGINT NOT NULL,
	last_seen_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	ip TEXT NOT NULL DEFAULT '',
	user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);
