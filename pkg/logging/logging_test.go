package logging_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/parley-chat/parley/pkg/logging"
)

func TestSecretsAreRedacted(t *testing.T) {
	var buf bytes.Buffer
	log := logging.New(&buf, "info", "identity")
	log.Info("login", "email", "a@b.c", "password", "hunter2hunter2", "refresh_token", "rt-secret", "Authorization", "Bearer x")
	line := buf.String()
	for _, secret := range []string{"hunter2hunter2", "rt-secret", "Bearer x"} {
		if strings.Contains(line, secret) {
			t.Fatalf("log line leaks %q: %s", secret, line)
		}
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(line), &m); err != nil {
		t.Fatalf("not JSON: %s", line)
	}
	if m["service"] != "identity" || m["email"] != "a@b.c" {
		t.Fatalf("fields = %v", m)
	}
}
