-- Global: every tenant with an account. accounts is tenant-scoped, and
-- billing must reach every tenant when the plans change.
CREATE TABLE billing_tenants (
	tenant_id UUID PRIMARY KEY
);
-- The owner migrating the schema reads all accounts only while row-level
-- security is not forced on it (the migration pass forces it again).
-- postgres-only
ALTER TABLE accounts NO FORCE ROW LEVEL SECURITY;
-- end
INSERT INTO billing_tenants (tenant_id) SELECT tenant_id FROM accounts;
-- postgres-only
ALTER TABLE accounts FORCE ROW LEVEL SECURITY;
-- end
