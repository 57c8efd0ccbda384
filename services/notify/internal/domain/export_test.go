package domain_test

import (
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/services/notify/internal/domain"
)

// Every language has its own ready and failed texts, and the email links
// to the export page and says when the archive goes away.
func TestExportEmailInEveryLanguage(t *testing.T) {
	expires := time.Date(2026, 12, 9, 10, 0, 0, 0, time.UTC)
	ready := contracts.ExportCompleted{ExportID: "e1", RequestedBy: "m1", Status: contracts.JobDone, SizeBytes: 1536, ExpiresAt: &expires, Path: "/settings/data"}
	failed := contracts.ExportCompleted{ExportID: "e1", RequestedBy: "m1", Status: contracts.JobFailed, Path: "/settings/data"}
	subjects := map[string]bool{}
	for _, l := range domain.Locales {
		r, err := domain.Export("t1", "https://parley.test/", domain.Brand{Name: "Acme"}, "Olga@Example.com", "Olga", l, ready)
		if err != nil {
			t.Fatal(err)
		}
		f, err := domain.Export("t1", "https://parley.test/", domain.Brand{Name: "Acme"}, "olga@example.com", "Olga", l, failed)
		if err != nil {
			t.Fatal(err)
		}
		if r.To != "olga@example.com" || !strings.Contains(r.Text, "https://parley.test/settings/data") || !strings.Contains(r.Text, "2026-12-09") ||
			!strings.Contains(r.Text, "1 KB") || !strings.Contains(r.Subject, "Acme") {
			t.Errorf("%s ready: %s\n%s", l, r.Subject, r.Text)
		}
		if r.ID == f.ID || f.Kind != domain.KindExportFailed || strings.Contains(f.Text, "2026-12-09") {
			t.Errorf("%s failed: %+v", l, f)
		}
		subjects[r.Subject], subjects[f.Subject] = true, true
	}
	if len(subjects) != 2*len(domain.Locales) {
		t.Errorf("subjects repeat across languages: %v", subjects)
	}
	if _, err := domain.Export("t1", "", domain.Brand{}, "not an address", "", "en", ready); err == nil {
		t.Error("an email without an address")
	}
}
