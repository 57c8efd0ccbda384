-- Agents as routing sees them: a local copy of identity's members (from its
-- member.changed events and presence), with round-robin state.
CREATE TABLE agents (
	tenant_id        UUID NOT NULL,
	id               UUID NOT NULL,
	name             TEXT NOT NULL,
	removed          BOOLEAN NOT NULL,
	online           BOOLEAN NOT NULL,
	last_assigned_at TIMESTAMPTZ,
	updated_at       TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (tenant_id, id)
);

-- One row per (agent, gateway) holding a socket: an agent is online while
-- any row is younger than its expiry (gateways heartbeat).
CREATE TABLE presence (
	tenant_id  UUID NOT NULL,
	agent_id   UUID NOT NULL,
	gateway_id TEXT NOT NULL,
	expires_at TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (tenant_id, agent_id, gateway_id)
);

CREATE TABLE visitors (
	tenant_id    UUID NOT NULL,
	id           UUID NOT NULL,
	name         TEXT NOT NULL,
	email        TEXT NOT NULL,
	external_id  TEXT NOT NULL,
	verified     BOOLEAN NOT NULL,
	attributes   TEXT NOT NULL,
	current_url  TEXT NOT NULL,
	user_agent   TEXT NOT NULL,
	locale       TEXT NOT NULL,
	timezone     TEXT NOT NULL,
	created_at   TIMESTAMPTZ NOT NULL,
	last_seen_at TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (tenant_id, id)
);

CREATE TABLE conversations (
	id                  UUID PRIMARY KEY,
	tenant_id           UUID NOT NULL,
	visitor_id          UUID NOT NULL,
	status              TEXT NOT NULL,
	assignee_id         UUID,
	priority            TEXT NOT NULL,
	labels              TEXT NOT NULL,
	snooze_until        TIMESTAMPTZ,
	last_seq            BIGINT NOT NULL,
	agent_read_seq      BIGINT NOT NULL,
	visitor_read_seq    BIGINT NOT NULL,
	unread_count        INTEGER NOT NULL,
	preview_seq         BIGINT NOT NULL,
	preview_body        TEXT NOT NULL,
	preview_author_type TEXT NOT NULL,
	preview_author_id   TEXT NOT NULL,
	preview_author_name TEXT NOT NULL,
	preview_at          TIMESTAMPTZ,
	created_at          TIMESTAMPTZ NOT NULL,
	updated_at          TIMESTAMPTZ NOT NULL,
	last_activity_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX conversations_activity ON conversations (tenant_id, last_activity_at, id);
CREATE INDEX conversations_visitor ON conversations (tenant_id, visitor_id, last_activity_at);
CREATE INDEX conversations_queue ON conversations (tenant_id, status, assignee_id, created_at);

CREATE TABLE messages (
	id              UUID PRIMARY KEY,
	tenant_id       UUID NOT NULL,
	conversation_id UUID NOT NULL,
	seq             BIGINT NOT NULL,
	author_type     TEXT NOT NULL,
	author_id       TEXT NOT NULL,
	author_name     TEXT NOT NULL,
	body            TEXT NOT NULL,
	kind            TEXT NOT NULL,
	payload         TEXT,
	private         BOOLEAN NOT NULL,
	client_msg_id   TEXT,
	created_at      TIMESTAMPTZ NOT NULL,
	UNIQUE (conversation_id, seq)
);
-- A sender's client_msg_id names one message (NULLs, for bots, never clash).
CREATE UNIQUE INDEX messages_client_msg_id ON messages (tenant_id, author_type, author_id, client_msg_id);
-- postgres-only
CREATE INDEX messages_search ON messages USING gin (to_tsvector('simple', body));
-- end

-- Global: work due at a time, found without knowing the tenant (row-level
-- security hides tenant rows from a cross-tenant scan). Holds no content.
CREATE TABLE timers (
	kind      TEXT NOT NULL,
	tenant_id UUID NOT NULL,
	ref_id    TEXT NOT NULL,
	due_at    TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (kind, tenant_id, ref_id)
);
CREATE INDEX timers_due ON timers (due_at);
