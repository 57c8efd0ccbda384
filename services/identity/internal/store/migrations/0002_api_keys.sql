-- Tenant API keys for the tenant's own bots and integrations; only hashes.
CREATE TABLE api_keys (
	id           UUID PRIMARY KEY,
	tenant_id    UUID NOT NULL,
	name         TEXT NOT NULL,
	key_hash     TEXT NOT NULL UNIQUE,
	prefix       TEXT NOT NULL,
	created_by   UUID NOT NULL,
	created_at   TIMESTAMPTZ NOT NULL,
	last_used_at TIMESTAMPTZ
);
CREATE INDEX api_keys_tenant ON api_keys (tenant_id, created_at);
