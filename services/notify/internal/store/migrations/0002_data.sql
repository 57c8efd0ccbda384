-- What an email was about, for exports and erasure: its subject, and the
-- visitor and conversation it went to (empty for members' email). Email
-- that notify queues for itself gets its row, status "queued", in the same
-- transaction as its email.queued event; the row becomes sent, suppressed
-- or rejected when the SMTP server has answered.
ALTER TABLE deliveries ADD COLUMN subject TEXT NOT NULL DEFAULT '';
ALTER TABLE deliveries ADD COLUMN visitor_id TEXT NOT NULL DEFAULT '';
ALTER TABLE deliveries ADD COLUMN conversation_id TEXT NOT NULL DEFAULT '';
ALTER TABLE deliveries ADD COLUMN sent_at TIMESTAMPTZ;
CREATE INDEX deliveries_time ON deliveries (tenant_id, created_at, id);
CREATE INDEX deliveries_visitor ON deliveries (tenant_id, visitor_id);
CREATE INDEX deliveries_conversation ON deliveries (tenant_id, conversation_id);

-- The visitor an unsubscribe link was made for, so an erasure finds it.
ALTER TABLE unsubscribe_tokens ADD COLUMN visitor_id TEXT NOT NULL DEFAULT '';
