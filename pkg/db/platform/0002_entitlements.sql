-- A local copy of each tenant's entitlements (billing owns them; see
-- pkg/entitlements). One row per tenant: the highest version seen wins.
CREATE TABLE entitlements (
	tenant_id  UUID PRIMARY KEY,
	version    BIGINT NOT NULL,
	body       TEXT NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
);
