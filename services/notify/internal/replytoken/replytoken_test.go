package replytoken_test

import (
	"encoding/base32"
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/parley-chat/parley/services/notify/internal/replytoken"
)

func newKey(t *testing.T, id byte) replytoken.Key {
	t.Helper()
	k, err := replytoken.NewKey(id)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func claims() replytoken.Claims {
	return replytoken.Claims{
		TenantID:       uuid.Must(uuid.NewV7()).String(),
		ConversationID: uuid.Must(uuid.NewV7()).String(),
		VisitorID:      uuid.Must(uuid.NewV7()).String(),
	}
}

func sign(t *testing.T, k replytoken.Key, c replytoken.Claims) string {
	t.Helper()
	tok, err := replytoken.Sign(k, c)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestRoundTripAndShape(t *testing.T) {
	k := newKey(t, 1)
	c := claims()
	tok := sign(t, k, c)
	if len(tok) != replytoken.Length || len(tok) != 96 {
		t.Fatalf("token length %d, want %d", len(tok), replytoken.Length)
	}
	if strings.Trim(tok, "abcdefghijklmnopqrstuvwxyz234567") != "" {
		t.Fatalf("token %q has characters outside lower-case base32", tok)
	}
	got, err := replytoken.Verify([]replytoken.Key{k}, tok)
	if err != nil || got != c {
		t.Fatalf("Verify = %+v, %v; want %+v", got, err, c)
	}
	// A mail system that upper-cases the local part changes nothing.
	if got, err := replytoken.Verify([]replytoken.Key{k}, strings.ToUpper(tok)); err != nil || got != c {
		t.Fatalf("upper-case Verify = %+v, %v", got, err)
	}
	if tok2 := sign(t, k, c); tok2 != tok {
		t.Fatalf("signing is not deterministic: %q vs %q", tok, tok2)
	}
}

func TestRotation(t *testing.T) {
	old, cur := newKey(t, 1), newKey(t, 2)
	c := claims()
	keys := []replytoken.Key{cur, old}
	for _, k := range []replytoken.Key{old, cur} {
		if got, err := replytoken.Verify(keys, sign(t, k, c)); err != nil || got != c {
			t.Fatalf("key %d: Verify = %+v, %v", k.ID, got, err)
		}
	}
	// Once the old key is dropped, its tokens are refused as unknown.
	if _, err := replytoken.Verify([]replytoken.Key{cur}, sign(t, old, c)); !errors.Is(err, replytoken.ErrUnknownKey) {
		t.Fatalf("dropped key: err = %v, want ErrUnknownKey", err)
	}
}

// swapID replaces the bytes of one id (0 tenant, 1 conversation, 2
// visitor) in a token with another's, as a forger who knows the layout would.
func swapID(t *testing.T, tok string, field int, id string) string {
	t.Helper()
	raw := decode(t, tok)
	u := uuid.MustParse(id)
	copy(raw[1+field*16:], u[:])
	return encode(raw)
}

func TestForgeries(t *testing.T) {
	k := newKey(t, 1)
	c := claims()
	tok := sign(t, k, c)
	other := claims()
	flipped := []byte(tok)
	flipped[40] = map[bool]byte{true: 'b', false: 'a'}[flipped[40] == 'a']
	withMAC := decode(t, tok)
	withMAC[len(withMAC)-1] ^= 1
	keyID := decode(t, tok)
	keyID[0] = 2
	zeroKey := decode(t, tok)
	zeroKey[0] = 0

	cases := []struct {
		name  string
		keys  []replytoken.Key
		token string
		want  error
	}{
		{"other tenant", []replytoken.Key{k}, swapID(t, tok, 0, other.TenantID), replytoken.ErrBadSignature},
		{"other conversation", []replytoken.Key{k}, swapID(t, tok, 1, other.ConversationID), replytoken.ErrBadSignature},
		{"other visitor", []replytoken.Key{k}, swapID(t, tok, 2, other.VisitorID), replytoken.ErrBadSignature},
		{"one character changed", []replytoken.Key{k}, string(flipped), replytoken.ErrBadSignature},
		{"one MAC bit flipped", []replytoken.Key{k}, encode(withMAC), replytoken.ErrBadSignature},
		{"same id, other secret", []replytoken.Key{newKey(t, 1)}, tok, replytoken.ErrBadSignature},
		{"key id rewritten to a known key", []replytoken.Key{k, newKey(t, 2)}, encode(keyID), replytoken.ErrBadSignature},
		{"unknown key id", []replytoken.Key{newKey(t, 7)}, tok, replytoken.ErrUnknownKey},
		{"key id 0", []replytoken.Key{{ID: 0, Secret: k.Secret}}, encode(zeroKey), replytoken.ErrUnknownKey},
		{"no keys", nil, tok, replytoken.ErrUnknownKey},
		{"truncated by one", []replytoken.Key{k}, tok[:len(tok)-1], replytoken.ErrMalformed},
		{"truncated to half", []replytoken.Key{k}, tok[:48], replytoken.ErrMalformed},
		{"one character added", []replytoken.Key{k}, tok + "a", replytoken.ErrMalformed},
		{"empty", []replytoken.Key{k}, "", replytoken.ErrMalformed},
		{"not base32", []replytoken.Key{k}, strings.Repeat("0189", 24), replytoken.ErrMalformed},
		{"padding", []replytoken.Key{k}, tok[:88] + "========", replytoken.ErrMalformed},
		{"non-ASCII", []replytoken.Key{k}, "é" + tok[2:], replytoken.ErrMalformed},
		{"garbage of the right length", []replytoken.Key{k}, strings.Repeat("a", 96), replytoken.ErrUnknownKey},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := replytoken.Verify(tc.keys, tc.token)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if got != (replytoken.Claims{}) {
				t.Fatalf("claims %+v returned with an error", got)
			}
		})
	}
}

func TestSignRefusesBadInput(t *testing.T) {
	k := newKey(t, 1)
	bad := claims()
	bad.ConversationID = "42"
	if _, err := replytoken.Sign(k, bad); err == nil || !strings.Contains(err.Error(), "conversation") {
		t.Fatalf("err = %v, want one naming the conversation id", err)
	}
	if _, err := replytoken.Sign(replytoken.Key{ID: 1, Secret: []byte("short")}, claims()); err == nil {
		t.Fatal("a short secret was accepted")
	}
	if _, err := replytoken.NewKey(0); err == nil {
		t.Fatal("key id 0 was accepted")
	}
	a, b := newKey(t, 1), newKey(t, 1)
	if string(a.Secret) == string(b.Secret) || len(a.Secret) != replytoken.SecretSize {
		t.Fatal("NewKey does not make fresh 32-byte secrets")
	}
}

func TestAddress(t *testing.T) {
	tok := sign(t, newKey(t, 1), claims())
	addr := replytoken.Address(tok, "in.parley.test")
	if addr != "reply+"+tok+"@in.parley.test" {
		t.Fatalf("Address = %q", addr)
	}
	for _, tc := range []struct {
		addr, token string
		ok          bool
	}{
		{addr, tok, true},
		{strings.ToUpper(addr), strings.ToUpper(tok), true},
		{"reply+" + tok + "@other.test", "", false},
		{"support@in.parley.test", "", false},
		{"rep@in.parley.test", "", false},
		{"noreply+" + tok + "@in.parley.test", "", false},
		{"reply+" + tok, "", false},
	} {
		got, ok := replytoken.TokenOf(tc.addr, "in.parley.test")
		if got != tc.token || ok != tc.ok {
			t.Errorf("TokenOf(%q) = %q, %v; want %q, %v", tc.addr, got, ok, tc.token, tc.ok)
		}
	}
}

var enc = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

func decode(t *testing.T, tok string) []byte {
	t.Helper()
	raw, err := enc.DecodeString(tok)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func encode(raw []byte) string { return enc.EncodeToString(raw) }
