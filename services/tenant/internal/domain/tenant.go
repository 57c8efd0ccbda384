// Package domain holds the tenant service's rules: names, slugs, widget keys
// and the tenant lifecycle (pending during sign-up, then active, and
// deleted — a tombstone — once the owner closes the workspace).
package domain

import (
	"crypto/rand"
	"encoding/hex"
	"strings"

	"github.com/parley-chat/parley/pkg/validate"
)

// Status is where a tenant is in its lifecycle.
type Status string

// Statuses. A pending tenant exists only while its sign-up runs; it is
// invisible to visitors and is abandoned if the sign-up never completes. A
// deleted tenant (the owner closed the workspace) is a tombstone: its row
// stays so the id is never reused, and it is NotFound everywhere.
const (
	Pending Status = "pending"
	Active  Status = "active"
	Deleted Status = "deleted"
)

// MaxNameLength bounds a business name.
const MaxNameLength = 100

// CleanName validates a business name.
func CleanName(field, s string) (string, error) { return validate.Text(field, s, MaxNameLength, false) }

// Slug derives a URL-safe handle from a name: lower-case ASCII letters and
// digits separated by single dashes, at most 40 characters.
func Slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		default:
			dash = true
		}
		if b.Len() >= 40 {
			break
		}
	}
	if b.Len() == 0 {
		return "team"
	}
	return strings.TrimRight(b.String()[:min(b.Len(), 40)], "-")
}

// SlugWithSuffix makes a taken slug unique.
func SlugWithSuffix(slug string) string { return slug + "-" + randomHex(3) }

// NewWidgetKey returns the public key that identifies a tenant's widget.
// It is not a secret (it is in every page's HTML) but it is unguessable, so
// tenants cannot be enumerated.
func NewWidgetKey() string { return "wk_" + randomHex(12) }

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
