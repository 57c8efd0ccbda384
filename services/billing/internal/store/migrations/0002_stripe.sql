-- What Stripe last told us of each tenant's subscription, and the version of
-- the entitlements last published.
ALTER TABLE accounts ADD COLUMN stripe_customer_id TEXT;
ALTER TABLE accounts ADD COLUMN subscription_id TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN subscription_item_id TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN subscription_status TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN subscribed_plan TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN quantity INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN trial_end TIMESTAMPTZ;
ALTER TABLE accounts ADD COLUMN period_start TIMESTAMPTZ;
ALTER TABLE accounts ADD COLUMN period_end TIMESTAMPTZ;
ALTER TABLE accounts ADD COLUMN cancel_at_period_end BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE accounts ADD COLUMN past_due_since TIMESTAMPTZ;
ALTER TABLE accounts ADD COLUMN trial_used BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE accounts ADD COLUMN state_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN published TEXT NOT NULL DEFAULT '';

-- Global: a webhook names a Stripe customer, not a tenant. Our own mapping
-- is the only way from one to the other.
CREATE TABLE stripe_customers (
	customer_id TEXT PRIMARY KEY,
	tenant_id   UUID NOT NULL UNIQUE,
	created_at  TIMESTAMPTZ NOT NULL
);

-- Global: each Stripe event id, written in the transaction that applies it,
-- so a redelivery (even a concurrent one) is applied once.
CREATE TABLE stripe_events (
	id          TEXT PRIMARY KEY,
	type        TEXT NOT NULL,
	tenant_id   UUID NOT NULL,
	created     BIGINT NOT NULL,
	outcome     TEXT NOT NULL,
	received_at TIMESTAMPTZ NOT NULL
);

-- Global: when a past-due tenant's grace period ends (found without knowing the tenant).
CREATE TABLE grace_deadlines (
	tenant_id UUID PRIMARY KEY,
	due_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX grace_deadlines_due ON grace_deadlines (due_at);

-- Every counted conversation: which, when, and why it counted.
CREATE TABLE usage_ledger (
	id              UUID PRIMARY KEY,
	tenant_id       UUID NOT NULL,
	conversation_id UUID NOT NULL,
	counted_at      TIMESTAMPTZ NOT NULL,
	reason          TEXT NOT NULL,
	event_id        TEXT NOT NULL,
	UNIQUE (tenant_id, conversation_id)
);
CREATE INDEX usage_ledger_time ON usage_ledger (tenant_id, counted_at, id);
