package surveytoken_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/services/notify/internal/surveytoken"
)

var key = surveytoken.Key{ID: 3, Secret: bytes.Repeat([]byte{7}, 32)}

func claims() surveytoken.Claims {
	return surveytoken.Claims{
		TenantID: ids.New(), ConversationID: ids.New(), VisitorID: ids.New(), Resolution: 2,
		Scale: contracts.ScaleThumbs, Locale: "fr", ExpiresAt: time.Now().Add(surveytoken.Lifetime).Truncate(time.Second).UTC(),
	}
}

func TestATokenCarriesItsClaims(t *testing.T) {
	c := claims()
	tok, err := surveytoken.Sign(key, c)
	if err != nil {
		t.Fatal(err)
	}
	if len(tok) != surveytoken.Length {
		t.Fatalf("length %d, want %d", len(tok), surveytoken.Length)
	}
	got, err := surveytoken.Verify([]surveytoken.Key{{ID: 1, Secret: bytes.Repeat([]byte{1}, 32)}, key}, tok, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if got != c {
		t.Fatalf("claims %+v, want %+v", got, c)
	}
}

func TestATamperedExpiredOrForeignTokenIsRefused(t *testing.T) {
	c := claims()
	tok, err := surveytoken.Sign(key, c)
	if err != nil {
		t.Fatal(err)
	}
	flip := []byte(tok)
	flip[40] ^= 1
	other := surveytoken.Key{ID: 3, Secret: bytes.Repeat([]byte{8}, 32)}
	for name, check := range map[string]func() error{
		"one character changed": func() error {
			_, err := surveytoken.Verify([]surveytoken.Key{key}, string(flip), time.Now())
			return err
		},
		"cut short": func() error {
			_, err := surveytoken.Verify([]surveytoken.Key{key}, tok[:len(tok)-1], time.Now())
			return err
		},
		"another secret": func() error { _, err := surveytoken.Verify([]surveytoken.Key{other}, tok, time.Now()); return err },
		"expired": func() error {
			_, err := surveytoken.Verify([]surveytoken.Key{key}, tok, c.ExpiresAt)
			return err
		},
	} {
		if err := check(); err != surveytoken.ErrInvalid {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
}

func TestSignRefusesClaimsItCannotCarry(t *testing.T) {
	for name, mod := range map[string]func(*surveytoken.Claims){
		"no scale":      func(c *surveytoken.Claims) { c.Scale = "" },
		"long locale":   func(c *surveytoken.Claims) { c.Locale = "fra" },
		"no resolution": func(c *surveytoken.Claims) { c.Resolution = 0 },
		"not a UUID":    func(c *surveytoken.Claims) { c.VisitorID = "v1" },
	} {
		c := claims()
		mod(&c)
		if _, err := surveytoken.Sign(key, c); err == nil {
			t.Errorf("%s: signed", name)
		}
	}
}
