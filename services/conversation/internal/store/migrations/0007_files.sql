-- Attachments. A file is uploaded first (conversation_id and message_id
-- NULL: unsent, swept after the upload TTL) and then sent with a message of
-- the uploader's. Its bytes live in the attachments bucket at
-- "<tenant>/<id>" (and "<tenant>/<id>.thumb" when has_thumb).
CREATE TABLE files (
	id              UUID PRIMARY KEY,
	tenant_id       UUID NOT NULL,
	conversation_id UUID,
	message_id      UUID,
	uploader_type   TEXT NOT NULL,
	uploader_id     TEXT NOT NULL,
	name            TEXT NOT NULL,
	content_type    TEXT NOT NULL,
	kind            TEXT NOT NULL,
	inline          BOOLEAN NOT NULL,
	size            BIGINT NOT NULL,
	width           INTEGER NOT NULL,
	height          INTEGER NOT NULL,
	has_thumb       BOOLEAN NOT NULL,
	thumb_type      TEXT NOT NULL,
	thumb_size      BIGINT NOT NULL,
	created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX files_message ON files (tenant_id, message_id);
CREATE INDEX files_conversation ON files (tenant_id, conversation_id);
CREATE INDEX files_uploader ON files (tenant_id, uploader_type, uploader_id, created_at);
CREATE INDEX files_created ON files (tenant_id, created_at, id);

-- The key that signs a tenant's file URLs (HMAC-SHA256), made on first use.
CREATE TABLE file_keys (
	tenant_id  UUID PRIMARY KEY,
	secret     TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL
);

-- An agent's photo (contracts.AvatarPath), from identity's member events.
ALTER TABLE agents ADD COLUMN avatar_url TEXT NOT NULL DEFAULT '';
