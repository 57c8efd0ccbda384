-- Where a tenant's conversations were started from, so that one client IP
-- cannot take more than its share of the monthly quota (app/quota.go). The
-- IP is kept only as a hash with the tenant id, and only for the current
-- quota period: older rows are deleted as new ones come.
CREATE TABLE conversation_starts (
	tenant_id  UUID NOT NULL,
	ip_hash    TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX conversation_starts_ip ON conversation_starts (tenant_id, ip_hash, created_at);
CREATE INDEX conversation_starts_created ON conversation_starts (tenant_id, created_at);
