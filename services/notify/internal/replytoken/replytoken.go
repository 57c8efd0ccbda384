package replytoken

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
)

// SecretSize is the length of a key's secret in bytes.
const SecretSize = 32

const (
	idSize   = 16
	macSize  = 11
	bodySize = 1 + 3*idSize
	rawSize  = bodySize + macSize
)

// Length is the length of every token, in characters.
var Length = encoding.EncodedLen(rawSize)

var encoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// Errors of Verify. They say what is wrong with a token, never which byte.
var (
	ErrMalformed    = errors.New("replytoken: malformed token")
	ErrUnknownKey   = errors.New("replytoken: unknown key")
	ErrBadSignature = errors.New("replytoken: bad signature")
)

// Key is one signing key. ID is carried in each token so that Verify knows
// which secret to check it with.
type Key struct {
	ID     byte
	Secret []byte
}

// NewKey returns a key with the given id and a fresh random secret.
func NewKey(id byte) (Key, error) {
	if id == 0 {
		return Key{}, errors.New("replytoken: key id 0 is reserved")
	}
	secret := make([]byte, SecretSize)
	if _, err := rand.Read(secret); err != nil {
		return Key{}, err
	}
	return Key{ID: id, Secret: secret}, nil
}

// Claims are what a token binds: the reply goes to this conversation of
// this tenant, on behalf of this visitor. Each is a UUID string.
type Claims struct {
	TenantID       string
	ConversationID string
	VisitorID      string
}

// Sign returns the token for c under key. It fails only on a key that
// Verify could never accept or on an id that is not a UUID.
func Sign(key Key, c Claims) (string, error) {
	if key.ID == 0 || len(key.Secret) < SecretSize {
		return "", errors.New("replytoken: key needs a non-zero id and a 32-byte secret")
	}
	raw := make([]byte, 1, rawSize)
	raw[0] = key.ID
	for _, f := range []struct{ name, id string }{
		{"tenant", c.TenantID}, {"conversation", c.ConversationID}, {"visitor", c.VisitorID},
	} {
		u, err := uuid.Parse(f.id)
		if err != nil || len(f.id) != 36 {
			return "", fmt.Errorf("replytoken: %s id %q is not a UUID", f.name, f.id)
		}
		raw = append(raw, u[:]...)
	}
	raw = append(raw, mac(key.Secret, raw)...)
	return encoding.EncodeToString(raw), nil
}

// Verify checks token against keys (any order; the token names its key)
// and returns its claims. Upper-case letters are accepted as their
// lower-case selves.
func Verify(keys []Key, token string) (Claims, error) {
	if len(token) != Length {
		return Claims{}, ErrMalformed
	}
	raw, err := encoding.DecodeString(strings.ToLower(token))
	if err != nil || len(raw) != rawSize {
		return Claims{}, ErrMalformed
	}
	body, sum := raw[:bodySize], raw[bodySize:]
	var key *Key
	for i := range keys {
		if keys[i].ID == body[0] && body[0] != 0 {
			key = &keys[i]
			break
		}
	}
	if key == nil {
		return Claims{}, ErrUnknownKey
	}
	if !hmac.Equal(sum, mac(key.Secret, body)) {
		return Claims{}, ErrBadSignature
	}
	id := func(i int) string {
		return uuid.UUID(body[1+i*idSize : 1+(i+1)*idSize]).String()
	}
	return Claims{TenantID: id(0), ConversationID: id(1), VisitorID: id(2)}, nil
}

func mac(secret, body []byte) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write(body)
	return h.Sum(nil)[:macSize]
}

// LocalPrefix starts the local part of every reply address.
const LocalPrefix = "reply+"

// Address returns the reply address that carries token.
func Address(token, domain string) string {
	return LocalPrefix + token + "@" + domain
}

// TokenOf returns the token of a reply address at domain, unverified; ok is
// false for any other address. Case is ignored, as in the domain.
func TokenOf(address, domain string) (token string, ok bool) {
	at := strings.LastIndexByte(address, '@')
	if at < 0 || !strings.EqualFold(address[at+1:], domain) {
		return "", false
	}
	local := address[:at]
	if len(local) < len(LocalPrefix) || !strings.EqualFold(local[:len(LocalPrefix)], LocalPrefix) {
		return "", false
	}
	return local[len(LocalPrefix):], true
}
