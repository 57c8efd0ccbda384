-- Every email that left (or was refused for good), keyed by the email's
-- stable id: a second attempt at the same email finds it here and sends nothing.
CREATE TABLE deliveries (
	id         TEXT PRIMARY KEY,
	tenant_id  UUID NOT NULL,
	kind       TEXT NOT NULL,
	recipient  TEXT NOT NULL,
	message_id TEXT NOT NULL,
	status     TEXT NOT NULL, -- sent, suppressed or rejected
	detail     TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE preferences (
	tenant_id               UUID NOT NULL,
	user_id                 TEXT NOT NULL,
	email_new_conversations BOOLEAN NOT NULL,
	updated_at              TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (tenant_id, user_id)
);

-- Visitor addresses that unsubscribed from a tenant's conversation email.
CREATE TABLE suppressions (
	tenant_id  UUID NOT NULL,
	email      TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (tenant_id, email)
);

-- The List-Unsubscribe links, stored as hashes. Global: the link alone
-- says which tenant and address it is for.
CREATE TABLE unsubscribe_tokens (
	token_hash TEXT PRIMARY KEY,
	tenant_id  UUID NOT NULL,
	email      TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL
);

-- Members as identity's member.changed events describe them.
CREATE TABLE members (
	tenant_id UUID NOT NULL,
	user_id   TEXT NOT NULL,
	name      TEXT NOT NULL,
	email     TEXT NOT NULL,
	role      TEXT NOT NULL,
	locale    TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (tenant_id, user_id)
);

-- Whether an agent has a dashboard open, from conversation's presence events.
CREATE TABLE agent_presence (
	tenant_id  UUID NOT NULL,
	agent_id   TEXT NOT NULL,
	online     BOOLEAN NOT NULL,
	changed_at TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (tenant_id, agent_id)
);

-- Conversations as their events last described them: enough to tell
-- whether one still waits for an agent.
CREATE TABLE conversations (
	tenant_id    UUID NOT NULL,
	id           TEXT NOT NULL,
	status       TEXT NOT NULL,
	handoff      TEXT NOT NULL,
	assignee_id  TEXT NOT NULL,
	visitor_name TEXT NOT NULL,
	preview      TEXT NOT NULL,
	updated_at   TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (tenant_id, id)
);

-- Conversations an agent has not heard of yet, for their next digest.
CREATE TABLE agent_alerts (
	tenant_id       UUID NOT NULL,
	agent_id        TEXT NOT NULL,
	conversation_id TEXT NOT NULL,
	assigned        BOOLEAN NOT NULL,
	created_at      TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (tenant_id, agent_id, conversation_id)
);

CREATE TABLE digests (
	tenant_id    UUID NOT NULL,
	agent_id     TEXT NOT NULL,
	last_sent_at TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (tenant_id, agent_id)
);

-- Answers a visitor has not read yet: emailed at due_at unless read first.
CREATE TABLE visitor_pending (
	tenant_id       UUID NOT NULL,
	conversation_id TEXT NOT NULL,
	visitor_id      TEXT NOT NULL,
	seq             BIGINT NOT NULL,
	read_seq        BIGINT NOT NULL,
	due_at          TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (tenant_id, conversation_id)
);
CREATE INDEX visitor_pending_due ON visitor_pending (due_at);

-- Tenants whose whole member list was read from identity once; after that
-- member.changed events keep members current (the stream alone reaches back
-- only a week).
CREATE TABLE member_syncs (
	tenant_id UUID PRIMARY KEY,
	synced_at TIMESTAMPTZ NOT NULL
);

-- The keys that sign reply addresses (see replytoken). Every replica signs
-- with the newest and verifies with all; the first replica to start makes one.
CREATE TABLE reply_keys (
	id         INTEGER PRIMARY KEY,
	secret     BYTEA NOT NULL,
	created_at TIMESTAMPTZ NOT NULL
);
