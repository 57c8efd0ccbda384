-- One row per tenant: the settings document (JSON) and the identity secret,
-- which never leaves this service except to identity, to verify user_hash.
CREATE TABLE tenant_settings (
	tenant_id       UUID PRIMARY KEY,
	settings        TEXT NOT NULL,
	identity_secret TEXT NOT NULL,
	updated_at      TIMESTAMPTZ NOT NULL
);

CREATE TABLE canned_responses (
	id         UUID PRIMARY KEY,
	tenant_id  UUID NOT NULL,
	shortcut   TEXT NOT NULL,
	body       TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL,
	UNIQUE (tenant_id, shortcut)
);
