-- A member's photo: the object name in the avatar bucket (a new id per
-- upload, so the URL it is served at never changes its bytes), or '' for none.
ALTER TABLE users ADD COLUMN avatar_id TEXT NOT NULL DEFAULT '';
