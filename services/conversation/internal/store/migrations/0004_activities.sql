-- A conversation's lifecycle history (contracts.Activity): reaching the
-- team, resolutions, reopenings, ratings and the bot's misses. Written in the
-- same transaction as the change; the reports are rebuilt from it.
CREATE TABLE activities (
	id              UUID PRIMARY KEY,
	tenant_id       UUID NOT NULL,
	conversation_id UUID NOT NULL,
	kind            TEXT NOT NULL,
	at              TIMESTAMPTZ NOT NULL,
	payload         TEXT NOT NULL -- JSON of contracts.Activity
);
CREATE INDEX activities_conversation ON activities (tenant_id, conversation_id, at);
CREATE INDEX activities_created ON activities (tenant_id, at, id);

-- What a view needs without reading activities: how often it was resolved,
-- which resolution awaits its survey (0: none) on which scale, and the
-- latest rating (JSON, or '').
ALTER TABLE conversations ADD COLUMN resolutions INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN survey_resolution INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN survey_scale TEXT NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN rating TEXT NOT NULL DEFAULT '';
