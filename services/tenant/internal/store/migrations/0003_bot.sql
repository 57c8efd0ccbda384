-- A tenant's bot: one JSON document (skills, FAQ, order status, appointments,
-- after hours, external bot), secrets included; reads mask the secrets.
CREATE TABLE bot_config (
	tenant_id  UUID PRIMARY KEY,
	config     TEXT NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
);
