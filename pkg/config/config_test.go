package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/pkg/config"
)

func env(m map[string]string) config.Getenv { return func(k string) string { return m[k] } }

func TestDefaults(t *testing.T) {
	c, err := config.Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != ":8080" || c.DataDir != "./data" || c.PublicURL != "http://localhost:8080" || c.RequestTimeout != 5*time.Second {
		t.Fatalf("defaults = %+v", c)
	}
	if c.NATSReplicas != 1 {
		t.Fatalf("NATS replicas = %d, want 1", c.NATSReplicas)
	}
	if c.ImportMaxBytes != 512<<20 || c.DataTransferTimeout != time.Hour {
		t.Fatalf("import limit %d, transfer timeout %s", c.ImportMaxBytes, c.DataTransferTimeout)
	}
	if got := c.ServiceDatabaseURL("identity"); got != "sqlite:data/identity.db" {
		t.Fatalf("sqlite url = %q", got)
	}
}

func TestPostgresURLIsSharedWithASchemaPerService(t *testing.T) {
	c, err := config.Load(env(map[string]string{
		"PARLEY_DATABASE_URL": "postgres://u@db/parley", "PARLEY_DATABASE_SCHEMA_PREFIX": "acme_",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.ServiceDatabaseURL("tenant") != "postgres://u@db/parley" || c.Schema("tenant") != "acme_tenant" {
		t.Fatalf("got %q / %q", c.ServiceDatabaseURL("tenant"), c.Schema("tenant"))
	}
}

func TestErrorsNameTheVariable(t *testing.T) {
	cases := map[string]string{
		"PARLEY_HTTP_ADDR":              "8080",
		"PARLEY_DATABASE_URL":           "mysql://x",
		"PARLEY_DATABASE_SCHEMA_PREFIX": "Bad-Prefix",
		"PARLEY_NATS_URL":               "::::",
		"PARLEY_LOG_LEVEL":              "loud",
		"PARLEY_NATS_REPLICAS":          "7",
		"PARLEY_TRUSTED_PROXIES":        "10.0.0.0/8,nonsense",
		"PARLEY_REQUEST_TIMEOUT":        "soon",
		"PARLEY_LOGIN_MAX_FAILURES":     "0",
		"PARLEY_PUBLIC_URL":             "ftp://x",
		"PARLEY_METRICS_TOKEN":          "short",
		"PARLEY_IMPORT_MAX_BYTES":       "1000",
		"PARLEY_DATA_TRANSFER_TIMEOUT":  "5s",
	}
	for name, value := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := config.Load(env(map[string]string{name: value}))
			if err == nil || !strings.Contains(err.Error(), name) {
				t.Fatalf("%s=%q: error %v does not name the variable", name, value, err)
			}
		})
	}
}

func TestBillingOffWithoutAKeyAndValidatedWithOne(t *testing.T) {
	c, err := config.Load(env(nil))
	if err != nil || c.Billing.Enabled() || len(c.Billing.Plans) != 3 || c.Billing.Plans[0].Seats != 2 || c.Billing.Plans[0].ConversationsPerMonth != 100 || c.Billing.Plans[1].Trial() != 14 {
		t.Fatalf("defaults: %+v %v", c.Billing, err)
	}
	_, err = config.Load(env(map[string]string{"PARLEY_STRIPE_SECRET_KEY": "sk_test_1"}))
	for _, name := range []string{"PARLEY_STRIPE_WEBHOOK_SECRET", "PARLEY_STRIPE_PRICE_STARTER", "PARLEY_STRIPE_PRICE_PRO"} {
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("a key without %s: %v", name, err)
		}
	}
	c, err = config.Load(env(map[string]string{"PARLEY_STRIPE_SECRET_KEY": "sk_test_1", "PARLEY_STRIPE_WEBHOOK_SECRET": "whsec_1",
		"PARLEY_STRIPE_PRICE_STARTER": "price_s", "PARLEY_STRIPE_PRICE_PRO": "price_p", "PARLEY_STRIPE_API_BASE": "http://127.0.0.1:12111"}))
	if err != nil || !c.Billing.Enabled() || c.Billing.Plans[2].StripePrice != "price_p" {
		t.Fatalf("configured: %+v %v", c.Billing, err)
	}
	for name, value := range map[string]string{"PARLEY_PLANS_FILE": "/nonexistent/plans.json", "PARLEY_STRIPE_API_BASE": "ftp://x", "PARLEY_BILLING_GRACE_PERIOD": "soon"} {
		if _, err := config.Load(env(map[string]string{name: value})); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=%q: %v", name, value, err)
		}
	}
}

func TestPlanFileLimitsAreReadAndValidated(t *testing.T) {
	c, err := config.Load(env(nil))
	if err != nil || c.Billing.MaxFileMB != 0 || c.Billing.Plans[0].MaxFileBytes() != 10<<20 || c.Billing.Plans[0].StorageBytes() != 1<<30 {
		t.Fatalf("defaults: %+v %v", c.Billing, err)
	}
	if c, err = config.Load(env(map[string]string{"PARLEY_MAX_FILE_MB": "100"})); err != nil || c.Billing.MaxFileMB != 100 {
		t.Fatalf("PARLEY_MAX_FILE_MB=100: %+v %v", c.Billing, err)
	}
	for _, v := range []string{"-1", "lots", "20000"} {
		if _, err := config.Load(env(map[string]string{"PARLEY_MAX_FILE_MB": v})); err == nil || !strings.Contains(err.Error(), "PARLEY_MAX_FILE_MB") {
			t.Errorf("PARLEY_MAX_FILE_MB=%s: %v", v, err)
		}
	}
	cases := []struct {
		name, plans, want string
	}{
		{"ok", `{"id":"free","name":"Free","max_file_mb":5,"storage_mb":100}`, ""},
		{"zero is the default and no limit", `{"id":"free","name":"Free"}`, ""},
		{"negative file size", `{"id":"free","name":"Free","max_file_mb":-1}`, "must not be negative"},
		{"negative storage", `{"id":"free","name":"Free","storage_mb":-5}`, "must not be negative"},
		{"file over the bound", `{"id":"free","name":"Free","max_file_mb":20000}`, "max_file_mb must be at most"},
		{"storage over the bound", `{"id":"free","name":"Free","storage_mb":2000000000}`, "storage_mb at most"},
		{"file larger than storage", `{"id":"free","name":"Free","max_file_mb":50,"storage_mb":10}`, "must not exceed storage_mb"},
		{"not a number", `{"id":"free","name":"Free","max_file_mb":"big"}`, "not a valid plans file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "plans.json")
			if err := os.WriteFile(file, []byte(`{"plans":[`+tc.plans+`]}`), 0o600); err != nil {
				t.Fatal(err)
			}
			c, err := config.Load(env(map[string]string{"PARLEY_PLANS_FILE": file}))
			switch {
			case tc.want == "" && err != nil:
				t.Fatal(err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "PARLEY_PLANS_FILE")):
				t.Fatalf("error %v, want %q naming PARLEY_PLANS_FILE", err, tc.want)
			case tc.name == "ok" && (c.Billing.Plans[0].MaxFileBytes() != 5<<20 || c.Billing.Plans[0].StorageBytes() != 100<<20):
				t.Fatalf("plan = %+v", c.Billing.Plans[0])
			}
		})
	}
}
