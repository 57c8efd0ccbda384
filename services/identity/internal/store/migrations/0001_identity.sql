CREATE TABLE users (
	id            UUID PRIMARY KEY,
	tenant_id     UUID NOT NULL,
	email         TEXT NOT NULL,
	name          TEXT NOT NULL,
	role          TEXT NOT NULL,
	password_hash TEXT NOT NULL,
	created_at    TIMESTAMPTZ NOT NULL,
	updated_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX users_tenant ON users (tenant_id, created_at);

-- Global: login knows only the email, and an email is unique across Parley.
CREATE TABLE user_emails (
	email     TEXT PRIMARY KEY,
	tenant_id UUID NOT NULL,
	user_id   UUID NOT NULL
);

-- A session is one refresh-token family: every rotation stays in it, and
-- revoking it ends every token it ever issued.
CREATE TABLE sessions (
	id         UUID PRIMARY KEY,
	tenant_id  UUID NOT NULL,
	user_id    UUID NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	revoked_at TIMESTAMPTZ,
	revoked_by TEXT
);
CREATE INDEX sessions_user ON sessions (tenant_id, user_id);

CREATE TABLE refresh_tokens (
	token_hash TEXT PRIMARY KEY,
	tenant_id  UUID NOT NULL,
	session_id UUID NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	expires_at TIMESTAMPTZ NOT NULL,
	used_at    TIMESTAMPTZ
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (tenant_id, session_id);

CREATE TABLE invites (
	id          UUID PRIMARY KEY,
	tenant_id   UUID NOT NULL,
	email       TEXT NOT NULL,
	role        TEXT NOT NULL,
	token_hash  TEXT NOT NULL UNIQUE,
	invited_by  UUID NOT NULL,
	created_at  TIMESTAMPTZ NOT NULL,
	expires_at  TIMESTAMPTZ NOT NULL,
	accepted_at TIMESTAMPTZ,
	revoked_at  TIMESTAMPTZ
);
CREATE INDEX invites_tenant ON invites (tenant_id, created_at);

-- Global: the keys that sign every tenant's tokens.
CREATE TABLE signing_keys (
	kid         TEXT PRIMARY KEY,
	private_key TEXT NOT NULL,
	created_at  TIMESTAMPTZ NOT NULL,
	retired_at  TIMESTAMPTZ
);

-- Global: failed logins per email and per client IP, for the brute-force limit.
CREATE TABLE login_failures (
	key          TEXT PRIMARY KEY,
	failures     INTEGER NOT NULL,
	window_start TIMESTAMPTZ NOT NULL
);
