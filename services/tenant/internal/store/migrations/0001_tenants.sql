-- The tenant registry. It has no tenant_id column and no row-level security:
-- a widget key must be resolved to its tenant before any tenant is known.
CREATE TABLE tenants (
	id         UUID PRIMARY KEY,
	name       TEXT NOT NULL,
	slug       TEXT NOT NULL UNIQUE,
	widget_key TEXT NOT NULL UNIQUE,
	status     TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX tenants_pending ON tenants (status, created_at);
