-- The reports' read model (docs/reports.md): the facts of each conversation
-- with their clocks computed when they happened, kept by the conversation-
-- reports consumer and rebuilt from messages and activities on demand.
-- Queries read only these tables, by (tenant_id, time). Times are Unix
-- microseconds (BIGINT): a year of rows reads several times faster than as
-- timestamps, on both databases.
CREATE TABLE report_conversations (
	tenant_id               UUID NOT NULL,
	conversation_id         UUID NOT NULL,
	first_visitor_at        BIGINT,
	last_visitor_at         BIGINT,
	reached_team_at         BIGINT,
	started_with_bot        BOOLEAN NOT NULL,
	first_response_at       BIGINT,
	first_responder_id      TEXT NOT NULL,
	first_response          DOUBLE PRECISION,
	first_response_biz      DOUBLE PRECISION,
	resolutions             INTEGER NOT NULL,
	assignee_id             TEXT NOT NULL,
	labels                  TEXT NOT NULL, -- JSON array, as on the conversation
	PRIMARY KEY (tenant_id, conversation_id)
);
CREATE INDEX report_conversations_new ON report_conversations (tenant_id, first_visitor_at);
CREATE INDEX report_conversations_answered ON report_conversations (tenant_id, first_response_at);

CREATE TABLE report_resolutions (
	tenant_id       UUID NOT NULL,
	conversation_id UUID NOT NULL,
	resolution      INTEGER NOT NULL,
	resolved_at     BIGINT NOT NULL,
	agent_id        TEXT NOT NULL,
	surveyed        BOOLEAN NOT NULL,
	rated           BOOLEAN NOT NULL,
	seconds         DOUBLE PRECISION,
	biz_seconds     DOUBLE PRECISION,
	PRIMARY KEY (tenant_id, conversation_id, resolution)
);
CREATE INDEX report_resolutions_at ON report_resolutions (tenant_id, resolved_at);

CREATE TABLE report_ratings (
	tenant_id       UUID NOT NULL,
	conversation_id UUID NOT NULL,
	resolution      INTEGER NOT NULL,
	rated_at        BIGINT NOT NULL,
	score           INTEGER NOT NULL,
	scale           TEXT NOT NULL,
	comment         TEXT NOT NULL,
	agent_id        TEXT NOT NULL,
	PRIMARY KEY (tenant_id, conversation_id, resolution)
);
CREATE INDEX report_ratings_at ON report_ratings (tenant_id, rated_at);

CREATE TABLE report_misses (
	tenant_id       UUID NOT NULL,
	conversation_id UUID NOT NULL,
	seq             BIGINT NOT NULL,
	asked_at        BIGINT NOT NULL,
	question        TEXT NOT NULL,
	PRIMARY KEY (tenant_id, conversation_id, seq)
);
CREATE INDEX report_misses_at ON report_misses (tenant_id, asked_at);
