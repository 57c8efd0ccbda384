package domain_test

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/services/conversation/internal/domain"
)

func TestFileTokens(t *testing.T) {
	key, other := []byte("0123456789abcdef0123456789abcdef"), []byte("another key of the same length!!")
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	tok := domain.FileToken{TenantID: ids.New(), ConversationID: ids.New(), FileID: ids.New(), ExpiresAt: now.Add(domain.FileURLLifetime)}
	signed := tok.Sign(key)
	thumb := tok
	thumb.Variant = domain.VariantThumb
	body, sig, _ := strings.Cut(signed, ".")
	raw, _ := base64.RawURLEncoding.DecodeString(body)
	retarget := func(from, to string) string {
		return base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(raw), from, to, 1))) + "." + sig
	}
	for _, c := range []struct {
		name  string
		token string
		key   []byte
		at    time.Time
		want  apperr.Code
	}{
		{"valid", signed, key, now, ""},
		{"valid until the last second", signed, key, now.Add(domain.FileURLLifetime - time.Second), ""},
		{"expired", signed, key, now.Add(domain.FileURLLifetime), apperr.Gone},
		{"another key", signed, other, now, apperr.NotFound},
		{"other variant with this signature", retarget("||", "|thumb|"), key, now, apperr.NotFound},
		{"another file", retarget(tok.FileID, ids.New()), key, now, apperr.NotFound},
		{"another tenant", retarget(tok.TenantID, ids.New()), key, now, apperr.NotFound},
		{"no signature", body, key, now, apperr.NotFound},
		{"empty", "", key, now, apperr.NotFound},
		{"garbage", "!!!.???", key, now, apperr.NotFound},
		{"truncated signature", signed[:len(signed)-2], key, now, apperr.NotFound},
		{"thumbnail", thumb.Sign(key), key, now, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := domain.CheckFileToken(c.token, c.key, c.at)
			if apperr.CodeOf(err) != c.want {
				t.Fatalf("got %v, want %q", err, c.want)
			}
			if c.want == "" && (got.FileID != tok.FileID || got.TenantID != tok.TenantID || got.ConversationID != tok.ConversationID) {
				t.Fatalf("token says %+v", got)
			}
		})
	}
	// The expiry itself is signed: a token re-dated later fails.
	later := tok
	later.ExpiresAt = now.Add(time.Hour)
	lb, _, _ := strings.Cut(later.Sign(key), ".")
	if _, err := domain.CheckFileToken(lb+"."+sig, key, now); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("re-dated token: %v", err)
	}
	// Variants are signed apart.
	if thumb.Sign(key) == signed {
		t.Fatal("thumbnail token equals the file's")
	}
}

func TestMessageContent(t *testing.T) {
	id := ids.New()
	many := make([]string, 11)
	for i := range many {
		many[i] = ids.New()
	}
	for _, c := range []struct {
		name  string
		body  string
		files []string
		field string
	}{
		{"text", "hi", nil, ""},
		{"files only", "", []string{id}, ""},
		{"nothing", "", nil, "body"},
		{"blank with files", "  ", []string{id}, "body"},
		{"too many", "", many, "attachments"},
		{"repeated", "", []string{id, id}, "attachments"},
		{"not an id", "", []string{"../x"}, "attachments"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := domain.CheckMessageContent(c.body, c.files)
			if got := fieldOf(err); got != c.field {
				t.Fatalf("got %v, want field %q", err, c.field)
			}
		})
	}
}

func fieldOf(err error) string {
	if err == nil {
		return ""
	}
	return apperr.As(err).Field
}
