-- Data ownership (issue 11): retention, exports, imports and the audit log.

-- Retention lives on the tenant row (the settings document carries it too)
-- so the retention policies can be listed across tenants.
ALTER TABLE tenants ADD COLUMN retention_days INTEGER NOT NULL DEFAULT 0;

-- Exports and imports are jobs that runners claim across tenants, and a
-- download token is redeemed before its tenant is known: these three tables
-- are global (no row-level security) and every query on them names the tenant.
CREATE TABLE exports (
	id           UUID PRIMARY KEY,
	tenant_id    UUID NOT NULL,
	status       TEXT NOT NULL,
	progress     DOUBLE PRECISION NOT NULL DEFAULT 0,
	size_bytes   BIGINT NOT NULL DEFAULT 0,
	counts       TEXT NOT NULL DEFAULT '{}',
	error        TEXT NOT NULL DEFAULT '',
	requested_by TEXT NOT NULL,
	lease_owner  TEXT NOT NULL DEFAULT '',
	lease_until  TIMESTAMPTZ,
	attempts     INTEGER NOT NULL DEFAULT 0,
	created_at   TIMESTAMPTZ NOT NULL,
	completed_at TIMESTAMPTZ,
	expires_at   TIMESTAMPTZ
);
CREATE INDEX exports_tenant ON exports (tenant_id, created_at);
CREATE INDEX exports_status ON exports (status, created_at);
-- At most one export queued or running per tenant.
CREATE UNIQUE INDEX exports_one_active ON exports (tenant_id) WHERE status IN ('queued', 'running');

-- Single-use download tokens: only their SHA-256 is stored.
CREATE TABLE export_tokens (
	token_hash TEXT PRIMARY KEY,
	tenant_id  UUID NOT NULL,
	export_id  UUID NOT NULL,
	minted_by  TEXT NOT NULL,
	minted_name TEXT NOT NULL, -- the member's display name, for the audit entry of the download
	expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX export_tokens_expiry ON export_tokens (expires_at);

CREATE TABLE imports (
	id           UUID PRIMARY KEY,
	tenant_id    UUID NOT NULL,
	status       TEXT NOT NULL,
	progress     DOUBLE PRECISION NOT NULL DEFAULT 0,
	size_bytes   BIGINT NOT NULL DEFAULT 0,
	object       TEXT NOT NULL,
	counts       TEXT NOT NULL DEFAULT '{}',
	error        TEXT NOT NULL DEFAULT '',
	requested_by TEXT NOT NULL,
	lease_owner  TEXT NOT NULL DEFAULT '',
	lease_until  TIMESTAMPTZ,
	attempts     INTEGER NOT NULL DEFAULT 0,
	created_at   TIMESTAMPTZ NOT NULL,
	completed_at TIMESTAMPTZ
);
CREATE INDEX imports_tenant ON imports (tenant_id, created_at);
CREATE INDEX imports_status ON imports (status, created_at);
CREATE UNIQUE INDEX imports_one_active ON imports (tenant_id) WHERE status IN ('queued', 'running');

-- The audit log: append-only; the id is the event's, so a redelivered event
-- is stored once. Ids are unique per tenant, as imports keep them: an
-- archive may be imported next to the workspace it came from.
CREATE TABLE audit_log (
	id          UUID NOT NULL,
	tenant_id   UUID NOT NULL,
	occurred_at TIMESTAMPTZ NOT NULL,
	service     TEXT NOT NULL,
	actor_type  TEXT NOT NULL,
	actor_id    TEXT NOT NULL DEFAULT '',
	actor_name  TEXT NOT NULL DEFAULT '',
	actor_ip    TEXT NOT NULL DEFAULT '',
	action      TEXT NOT NULL,
	target_type TEXT NOT NULL DEFAULT '',
	target_id   TEXT NOT NULL DEFAULT '',
	before_json TEXT NOT NULL DEFAULT '',
	after_json  TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (tenant_id, id)
);
CREATE INDEX audit_log_time ON audit_log (tenant_id, occurred_at DESC, id DESC);
CREATE INDEX audit_log_actor ON audit_log (tenant_id, actor_id, occurred_at DESC);

-- Canned responses keep their ids through an import too: unique per tenant.
CREATE TABLE canned_responses_v2 (
	id         UUID NOT NULL,
	tenant_id  UUID NOT NULL,
	shortcut   TEXT NOT NULL,
	body       TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (tenant_id, id),
	UNIQUE (tenant_id, shortcut)
);
INSERT INTO canned_responses_v2 (id, tenant_id, shortcut, body, created_at, updated_at)
	SELECT id, tenant_id, shortcut, body, created_at, updated_at FROM canned_responses;
DROP TABLE canned_responses;
ALTER TABLE canned_responses_v2 RENAME TO canned_responses;
