-- A row's claim: until then, the process that wrote it (publishing it from
-- memory) or a relay that took it over is publishing it; NULL or a past
-- time lets any relay take it.
ALTER TABLE outbox ADD COLUMN claimed_until TIMESTAMPTZ;
