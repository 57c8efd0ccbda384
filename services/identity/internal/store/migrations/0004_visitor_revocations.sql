-- Visitors forgotten by Parley('reset'): their tokens issued up to revoked_at
-- are refused. A row lives until the last such token has expired.
CREATE TABLE visitor_revocations (
	tenant_id  UUID NOT NULL,
	visitor_id UUID NOT NULL,
	revoked_at TIMESTAMPTZ NOT NULL,
	expires_at TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (tenant_id, visitor_id)
);
CREATE INDEX visitor_revocations_expiry ON visitor_revocations (expires_at);
