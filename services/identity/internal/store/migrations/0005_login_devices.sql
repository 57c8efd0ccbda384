-- Devices that signed in before (OWASP "device cookies"): a login that
-- presents one gets its own failure allowance, so someone hammering an
-- email from elsewhere cannot lock its owner out. Only the token's SHA-256
-- is stored. Global: read before the tenant is known.
CREATE TABLE login_devices (
	token_hash TEXT PRIMARY KEY,
	email      TEXT NOT NULL,
	expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_devices_email ON login_devices (email);
