-- The transactional outbox: events written in the same transaction as the
-- change they describe, published to JetStream by the relay right after.
CREATE TABLE outbox (
	seq        BIGSERIAL PRIMARY KEY,
	id         UUID NOT NULL UNIQUE,
	tenant_id  UUID NOT NULL,
	subject    TEXT NOT NULL,
	envelope   TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL
);

-- Events a consumer has handled, so a redelivery has no second effect.
CREATE TABLE processed_events (
	consumer     TEXT NOT NULL,
	event_id     TEXT NOT NULL,
	processed_at TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (consumer, event_id)
);
