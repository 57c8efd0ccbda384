-- The language of a member's emails (en, fr, de, es).
ALTER TABLE users ADD COLUMN locale TEXT NOT NULL DEFAULT 'en';

-- An invite's email names the workspace and the inviter as they were when it
-- was sent; the accept page shows the same.
ALTER TABLE invites ADD COLUMN tenant_name TEXT NOT NULL DEFAULT '';
ALTER TABLE invites ADD COLUMN inviter_name TEXT NOT NULL DEFAULT '';
ALTER TABLE invites ADD COLUMN locale TEXT NOT NULL DEFAULT 'en';

-- Single-use links sent by email: password resets and email changes. Only the
-- hash of the token is kept; a token is spent once used or replaced.
CREATE TABLE account_tokens (
	token_hash TEXT PRIMARY KEY,
	tenant_id  UUID NOT NULL,
	user_id    UUID NOT NULL,
	purpose    TEXT NOT NULL,
	new_email  TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMPTZ NOT NULL,
	expires_at TIMESTAMPTZ NOT NULL,
	used_at    TIMESTAMPTZ
);
CREATE INDEX account_tokens_user ON account_tokens (tenant_id, user_id, purpose);
