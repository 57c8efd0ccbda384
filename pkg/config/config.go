// Package config reads Parley's configuration from PARLEY_* environment
// variables. Every binary calls Load once at start-up; a bad value stops the
// process with an error that names the variable.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is the whole configuration. Each service reads the fields it needs.
type Config struct {
	// HTTPAddr is where the gateway listens (PARLEY_HTTP_ADDR, default ":8080").
	HTTPAddr string
	// PublicURL is the browser-facing base URL used in links and the widget
	// snippet (PARLEY_PUBLIC_URL, default http://localhost + the HTTP port).
	PublicURL string
	// DataDir holds SQLite files and the embedded NATS store (PARLEY_DATA_DIR, default "./data").
	DataDir string
	// DatabaseURL is "postgres://…" or "sqlite:<dir>" (PARLEY_DATABASE_URL).
	// Empty means SQLite files under DataDir, one per service.
	DatabaseURL string
	// DatabaseSchemaPrefix is prepended to each service's PostgreSQL schema
	// name (PARLEY_DATABASE_SCHEMA_PREFIX), so several installs can share a database.
	DatabaseSchemaPrefix string
	// NATSURL is the NATS server (PARLEY_NATS_URL). Empty in the all-in-one
	// process means "run an embedded server"; a lone service defaults to nats://127.0.0.1:4222.
	NATSURL string
	// NATSReplicas is how many copies a NATS cluster keeps of every JetStream
	// stream, KV bucket and object store Parley creates (PARLEY_NATS_REPLICAS,
	// default 1; 3 on a three-node cluster).
	NATSReplicas int
	// LogLevel is debug, info, warn or error (PARLEY_LOG_LEVEL, default info).
	LogLevel string
	// TrustedProxies are the CIDRs whose X-Forwarded-For the gateway believes
	// (PARLEY_TRUSTED_PROXIES, comma separated, default none).
	TrustedProxies []string
	// RequestTimeout bounds every NATS request (PARLEY_REQUEST_TIMEOUT, default 5s).
	RequestTimeout time.Duration
	// LoginMaxFailures is how many failed logins per email or IP are allowed in
	// LoginWindow before 429 (PARLEY_LOGIN_MAX_FAILURES, default 5; PARLEY_LOGIN_WINDOW, default 15m).
	LoginMaxFailures int
	LoginWindow      time.Duration
	// DebugAddr, when set, serves Go's profiler (/debug/pprof) there; bind it
	// to a private interface (PARLEY_DEBUG_ADDR, default off).
	DebugAddr string
	// MetricsToken, when set, turns on the gateway's /metrics (Prometheus
	// text format) for scrapers that send it as a bearer token
	// (PARLEY_METRICS_TOKEN, default off; at least 16 characters).
	MetricsToken string
	// Billing is Stripe and the plans (see billing.go); off without PARLEY_STRIPE_SECRET_KEY.
	Billing Billing
	// BotAllowPrivateNetworks lets bots call private, loopback and link-local
	// addresses and plain http:// (PARLEY_BOT_ALLOW_PRIVATE_NETWORKS, default
	// false): for self-hosting next to the shop's server, and for tests.
	BotAllowPrivateNetworks bool
	// Email is outbound SMTP and the reply listener (see email.go); off without PARLEY_SMTP_URL.
	Email Email
	// ImportMaxBytes bounds an uploaded export archive (POST /api/v1/imports)
	// that the gateway streams into the Object Store (PARLEY_IMPORT_MAX_BYTES,
	// bytes, default 512 MiB).
	ImportMaxBytes int64
	// DataTransferTimeout bounds one archive upload or download, which the
	// request timeout would cut short (PARLEY_DATA_TRANSFER_TIMEOUT, default 1h).
	DataTransferTimeout time.Duration
	// Limits bound what one anonymous visitor or client IP may do (see limits.go).
	Limits Limits
}

// DefaultImportMaxBytes is PARLEY_IMPORT_MAX_BYTES when unset.
const DefaultImportMaxBytes = 512 << 20

// Getenv is the shape of os.Getenv; tests pass a map lookup instead.
type Getenv func(string) string

// Load reads and validates the configuration.
func Load(getenv Getenv) (Config, error) {
	r := reader{getenv: getenv}
	c := Config{
		HTTPAddr:                r.str("PARLEY_HTTP_ADDR", ":8080"),
		DataDir:                 r.str("PARLEY_DATA_DIR", "./data"),
		DatabaseURL:             r.str("PARLEY_DATABASE_URL", ""),
		DatabaseSchemaPrefix:    r.str("PARLEY_DATABASE_SCHEMA_PREFIX", ""),
		NATSURL:                 r.str("PARLEY_NATS_URL", ""),
		NATSReplicas:            r.integer("PARLEY_NATS_REPLICAS", 1),
		LogLevel:                strings.ToLower(r.str("PARLEY_LOG_LEVEL", "info")),
		TrustedProxies:          r.list("PARLEY_TRUSTED_PROXIES"),
		RequestTimeout:          r.duration("PARLEY_REQUEST_TIMEOUT", 5*time.Second),
		LoginMaxFailures:        r.integer("PARLEY_LOGIN_MAX_FAILURES", 5),
		LoginWindow:             r.duration("PARLEY_LOGIN_WINDOW", 15*time.Minute),
		DebugAddr:               r.str("PARLEY_DEBUG_ADDR", ""),
		MetricsToken:            r.str("PARLEY_METRICS_TOKEN", ""),
		BotAllowPrivateNetworks: r.boolean("PARLEY_BOT_ALLOW_PRIVATE_NETWORKS", false),
		ImportMaxBytes:          int64(r.integer("PARLEY_IMPORT_MAX_BYTES", DefaultImportMaxBytes)),
		DataTransferTimeout:     r.duration("PARLEY_DATA_TRANSFER_TIMEOUT", time.Hour),
	}
	c.PublicURL = strings.TrimRight(r.str("PARLEY_PUBLIC_URL", defaultPublicURL(c.HTTPAddr)), "/")
	c.validate(&r)
	c.Billing = loadBilling(&r)
	c.Email = loadEmail(&r, c.PublicURL)
	c.Limits = loadLimits(&r)
	return c, errors.Join(r.errs...)
}

func defaultPublicURL(addr string) string {
	_, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" {
		port = "8080"
	}
	return "http://localhost:" + port
}

func (c *Config) validate(r *reader) {
	if _, _, err := net.SplitHostPort(c.HTTPAddr); err != nil {
		r.fail("PARLEY_HTTP_ADDR", "must be host:port or :port, got %q", c.HTTPAddr)
	}
	if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		r.fail("PARLEY_PUBLIC_URL", "must be an http(s) URL, got %q", c.PublicURL)
	}
	if c.DataDir == "" {
		r.fail("PARLEY_DATA_DIR", "must not be empty")
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "sqlite:") &&
		!strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		r.fail("PARLEY_DATABASE_URL", "must start with sqlite: or postgres://")
	}
	if p := c.DatabaseSchemaPrefix; p != "" && strings.Trim(p, "abcdefghijklmnopqrstuvwxyz0123456789_") != "" {
		r.fail("PARLEY_DATABASE_SCHEMA_PREFIX", "may hold only a-z, 0-9 and _, got %q", p)
	}
	if c.NATSURL != "" {
		if u, err := url.Parse(strings.Split(c.NATSURL, ",")[0]); err != nil || u.Host == "" {
			r.fail("PARLEY_NATS_URL", "must be a nats:// URL, got %q", c.NATSURL)
		}
	}
	if c.NATSReplicas < 1 || c.NATSReplicas > 5 {
		r.fail("PARLEY_NATS_REPLICAS", "must be 1 to 5 (JetStream's limit), got %d", c.NATSReplicas)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		r.fail("PARLEY_LOG_LEVEL", "must be debug, info, warn or error, got %q", c.LogLevel)
	}
	for _, p := range c.TrustedProxies {
		if _, err := netip.ParsePrefix(p); err != nil {
			if _, err := netip.ParseAddr(p); err != nil {
				r.fail("PARLEY_TRUSTED_PROXIES", "%q is not an IP or CIDR", p)
			}
		}
	}
	if c.DebugAddr != "" {
		if _, _, err := net.SplitHostPort(c.DebugAddr); err != nil {
			r.fail("PARLEY_DEBUG_ADDR", "must be host:port, got %q", c.DebugAddr)
		}
	}
	if c.MetricsToken != "" && len(c.MetricsToken) < 16 {
		r.fail("PARLEY_METRICS_TOKEN", "must be at least 16 characters")
	}
	if c.RequestTimeout <= 0 {
		r.fail("PARLEY_REQUEST_TIMEOUT", "must be positive")
	}
	if c.LoginMaxFailures < 1 {
		r.fail("PARLEY_LOGIN_MAX_FAILURES", "must be at least 1")
	}
	if c.LoginWindow <= 0 {
		r.fail("PARLEY_LOGIN_WINDOW", "must be positive")
	}
	if c.ImportMaxBytes < 1<<20 {
		r.fail("PARLEY_IMPORT_MAX_BYTES", "must be at least 1048576 (1 MiB), got %d", c.ImportMaxBytes)
	}
	if c.DataTransferTimeout < time.Minute {
		r.fail("PARLEY_DATA_TRANSFER_TIMEOUT", "must be at least 1m, got %s", c.DataTransferTimeout)
	}
}

// SQLitePath is the file a service uses when the database is SQLite.
func (c Config) SQLitePath(service string) string {
	dir := c.DataDir
	if rest, ok := strings.CutPrefix(c.DatabaseURL, "sqlite:"); ok && rest != "" {
		dir = rest
	}
	return filepath.Join(dir, service+".db")
}

// ServiceDatabaseURL is the database URL one service opens: the PostgreSQL URL
// as configured, or "sqlite:<file>" for its own file.
func (c Config) ServiceDatabaseURL(service string) string {
	if strings.HasPrefix(c.DatabaseURL, "postgres") {
		return c.DatabaseURL
	}
	return "sqlite:" + c.SQLitePath(service)
}

// Schema is the PostgreSQL schema of a service.
func (c Config) Schema(service string) string { return c.DatabaseSchemaPrefix + service }

type reader struct {
	getenv Getenv
	errs   []error
}

func (r *reader) fail(name, format string, args ...any) {
	r.errs = append(r.errs, fmt.Errorf("%s: %s", name, fmt.Sprintf(format, args...)))
}

func (r *reader) str(name, def string) string {
	if v := strings.TrimSpace(r.getenv(name)); v != "" {
		return v
	}
	return def
}

func (r *reader) list(name string) []string {
	var out []string
	for _, p := range strings.Split(r.getenv(name), ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func (r *reader) duration(name string, def time.Duration) time.Duration {
	v := strings.TrimSpace(r.getenv(name))
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		r.fail(name, "must be a duration such as 30s or 5m, got %q", v)
		return def
	}
	return d
}

func (r *reader) integer(name string, def int) int {
	v := strings.TrimSpace(r.getenv(name))
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		r.fail(name, "must be a whole number, got %q", v)
		return def
	}
	return n
}

func (r *reader) boolean(name string, def bool) bool {
	v := strings.TrimSpace(strings.ToLower(r.getenv(name)))
	switch v {
	case "":
		return def
	case "1", "true", "yes", "on":
		return true
	case "0", "false", "no", "off":
		return false
	}
	r.fail(name, "must be true or false, got %q", v)
	return def
}
