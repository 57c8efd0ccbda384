-- Where a tenant's conversations were started from, so that one client IP
-- cannot take more than its share of the monthly quota (app/quota.go), and
-- a blocked visitor's networks can be blocked with them. The IP is kept
-- only as a hash with the tenant id, and for about a month: older rows are
-- deleted as new ones come, and a visitor's go with their erasure.
CREATE TABLE conversation_starts (
	tenant_id  UUID NOT NULL,
	visitor_id UUID NOT NULL,
	ip_hash    TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX conversation_starts_ip ON conversation_starts (tenant_id, ip_hash, created_at);
CREATE INDEX conversation_starts_created ON conversation_starts (tenant_id, created_at);
CREATE INDEX conversation_starts_visitor ON conversation_starts (tenant_id, visitor_id);

-- Visitors the team blocked: one row for the visitor (ip_hash '') and one
-- per network they started conversations from (blocks.go).
CREATE TABLE visitor_blocks (
	tenant_id  UUID NOT NULL,
	visitor_id UUID NOT NULL,
	ip_hash    TEXT NOT NULL,
	blocked_by TEXT NOT NULL,
	blocked_at TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (tenant_id, visitor_id, ip_hash)
);
CREATE INDEX visitor_blocks_ip ON visitor_blocks (tenant_id, ip_hash);
