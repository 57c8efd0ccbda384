// Package logging builds Parley's JSON loggers (log/slog). Attributes whose key
// looks like a credential are replaced by "[redacted]" before they are written,
// so a token or password passed to a log call by mistake never reaches a log line.
package logging

import (
	"io"
	"log/slog"
	"strings"
)

// New returns a JSON logger at level ("debug", "info", "warn", "error") that
// tags every line with the service name (unless it is empty, as in the
// all-in-one process, which tags each service's lines itself).
func New(w io.Writer, level, service string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	log := slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l, ReplaceAttr: redact}))
	if service != "" {
		log = log.With("service", service)
	}
	return log
}

var secretWords = []string{"password", "token", "secret", "authorization", "cookie", "hash", "key"}

// redact hides values of attributes whose key names a secret.
func redact(_ []string, a slog.Attr) slog.Attr {
	k := strings.ToLower(a.Key)
	for _, w := range secretWords {
		if strings.Contains(k, w) {
			return slog.String(a.Key, "[redacted]")
		}
	}
	return a
}
