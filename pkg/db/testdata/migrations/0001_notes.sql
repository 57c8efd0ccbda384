CREATE TABLE notes (
	id         UUID PRIMARY KEY,
	tenant_id  UUID NOT NULL,
	body       TEXT NOT NULL,
	meta       JSONB,
	created_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE note_lookup (
	slug      TEXT PRIMARY KEY,
	tenant_id UUID NOT NULL
);
-- postgres-only
CREATE INDEX notes_body ON notes USING gin (to_tsvector('simple', body));
-- end
-- sqlite-only
CREATE INDEX notes_body ON notes (body);
-- end
