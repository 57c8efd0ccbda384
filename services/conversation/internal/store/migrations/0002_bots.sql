-- Hand-off: bot → queued → agent (→ bot). Conversations of tenants without a
-- bot are "agent" from the start (with the team). bot_state is the skill a
-- conversation is in the middle of (waiting for an order number, say).
ALTER TABLE conversations ADD COLUMN handoff TEXT NOT NULL DEFAULT 'agent';
ALTER TABLE conversations ADD COLUMN bot_state TEXT NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN bot_misses INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN queued_at TIMESTAMPTZ;
ALTER TABLE conversations ADD COLUMN handed_at TIMESTAMPTZ;
CREATE INDEX conversations_handoff ON conversations (tenant_id, handoff, queued_at);

CREATE TABLE bookings (
	id              UUID PRIMARY KEY,
	tenant_id       UUID NOT NULL,
	service_id      TEXT NOT NULL,
	service_name    TEXT NOT NULL,
	start_at        TIMESTAMPTZ NOT NULL,
	end_at          TIMESTAMPTZ NOT NULL,
	status          TEXT NOT NULL,
	visitor_id      UUID NOT NULL,
	name            TEXT NOT NULL,
	email           TEXT NOT NULL,
	conversation_id UUID NOT NULL,
	ics_token_hash  TEXT NOT NULL,
	created_at      TIMESTAMPTZ NOT NULL,
	canceled_at     TIMESTAMPTZ
);
CREATE INDEX bookings_time ON bookings (tenant_id, start_at);

-- One row per tenant, locked while a booking is checked and written, so two
-- visitors can never take the same slot (SQLite serialises writers anyway).
CREATE TABLE booking_locks (
	tenant_id UUID PRIMARY KEY
);
