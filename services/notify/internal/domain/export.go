package domain

import (
	"fmt"
	"strings"

	"github.com/parley-chat/parley/pkg/contracts"
)

// Export tells the member who asked for an export that it is ready (with a
// link to the page that downloads it, and when it expires) or that it
// failed. Its id is the export's and the outcome's, so a redelivered event
// sends it once.
func Export(tenantID, publicURL string, b Brand, to, name, locale string, ev contracts.ExportCompleted) (Email, error) {
	if err := checkAddress("email", to); err != nil {
		return Email{}, err
	}
	l := Locale(locale)
	kind, texts := KindExportReady, "export"
	if ev.Status != contracts.JobDone {
		kind, texts = KindExportFailed, "exportfail"
	}
	if b.Name == "" {
		b = parley
	}
	e := Email{
		ID: EmailID(kind, tenantID, ev.ExportID, ev.Status), Kind: kind, TenantID: tenantID,
		To: NormalizeEmail(to), ToName: name, Subject: fmt.Sprintf(T(l, texts+"_subject"), b.Name),
	}
	c := Content{
		Locale: l, Brand: b.Name, Color: b.Color, Greeting: greeting(l, name),
		Button: &Link{Label: T(l, texts+"_button"), URL: strings.TrimRight(publicURL, "/") + ev.Path},
	}
	if kind == KindExportReady {
		c.Paragraphs = []string{fmt.Sprintf(T(l, "export_body"), b.Name, size(ev.SizeBytes))}
		if ev.ExpiresAt != nil {
			c.Notes = []string{fmt.Sprintf(T(l, "export_expires"), when(*ev.ExpiresAt))}
		}
	} else {
		c.Paragraphs = []string{fmt.Sprintf(T(l, "exportfail_body"), b.Name)}
	}
	return build(e, c)
}

// size writes a byte count for people.
func size(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}
