CREATE TABLE accounts (
	tenant_id  UUID PRIMARY KEY,
	plan       TEXT NOT NULL,
	status     TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
);
