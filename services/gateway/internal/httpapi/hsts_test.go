package httpapi

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/parley-chat/parley/pkg/config"
)

// A Parley served over https says so to browsers on every response (HSTS);
// one on plain http must not, or a browser would refuse it afterwards.
func TestStrictTransportOnlyOverHTTPS(t *testing.T) {
	for url, want := range map[string]string{"https://chat.parley.example": "max-age=31536000", "http://localhost:8080": ""} {
		cfg, err := config.Load(func(k string) string {
			if k == "PARLEY_PUBLIC_URL" {
				return url
			}
			return ""
		})
		if err != nil {
			t.Fatal(err)
		}
		h, err := New(Deps{Config: cfg, Log: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{"/healthz", "/api/v1/nowhere", "/"} {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
			if got := rec.Header().Get("Strict-Transport-Security"); got != want {
				t.Errorf("%s %s: Strict-Transport-Security %q, want %q", url, path, got, want)
			}
		}
	}
}
