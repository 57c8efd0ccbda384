-- Exports read each table in a stable order, (created_at, id), a page at a
-- time; erasure and retention find bookings by conversation.
CREATE INDEX conversations_created ON conversations (tenant_id, created_at, id);
CREATE INDEX visitors_created ON visitors (tenant_id, created_at, id);
CREATE INDEX bookings_created ON bookings (tenant_id, created_at, id);
CREATE INDEX bookings_conversation ON bookings (tenant_id, conversation_id);
CREATE INDEX bookings_visitor ON bookings (tenant_id, visitor_id);

-- Global: background work that one replica does at a time (the retention
-- sweep). A replica holds a lease until expires_at and renews it while it
-- works; another takes it over once it has expired. Holds no content.
CREATE TABLE leases (
	name       TEXT PRIMARY KEY,
	holder     TEXT NOT NULL,
	expires_at TIMESTAMPTZ NOT NULL
);
