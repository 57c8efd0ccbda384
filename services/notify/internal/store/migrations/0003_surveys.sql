-- The visitor of each conversation, so a resolution's survey email knows
-- whom to ask (activity events name the conversation only).
ALTER TABLE conversations ADD COLUMN visitor_id TEXT NOT NULL DEFAULT '';

-- Survey emails waiting for VisitorDelay: one per conversation (its latest
-- surveyed resolution), dropped when the visitor rates or it reopens.
CREATE TABLE survey_pending (
	tenant_id       UUID NOT NULL,
	conversation_id TEXT NOT NULL,
	resolution      INTEGER NOT NULL,
	due_at          TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (tenant_id, conversation_id)
);
CREATE INDEX survey_pending_due ON survey_pending (due_at);
