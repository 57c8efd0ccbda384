package surveytoken

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/parley-chat/parley/pkg/contracts"
)

// Lifetime is how long a survey link can be answered.
const Lifetime = 30 * 24 * time.Hour

const (
	prefix   = "s1"
	purpose  = "parley survey link\x00"
	idSize   = 16
	macSize  = 16
	bodySize = 1 + 3*idSize + 4 + 8 + 1 + 2
	rawSize  = bodySize + macSize
)

// Length is the length of every token, in characters.
var Length = len(prefix) + base64.RawURLEncoding.EncodedLen(rawSize)

// ErrInvalid is every reason a token is refused: malformed, an unknown
// key, a bad signature or expired. It never says which.
var ErrInvalid = errors.New("surveytoken: invalid or expired token")

// Key is one signing key; ID is carried in each token.
type Key struct {
	ID     byte
	Secret []byte
}

// Claims are what a token binds.
type Claims struct {
	TenantID       string
	ConversationID string
	VisitorID      string
	Resolution     int
	Scale          string // contracts.ScaleFive or ScaleThumbs
	Locale         string // two letters, the email's language
	ExpiresAt      time.Time
}

var scales = []string{"", contracts.ScaleFive, contracts.ScaleThumbs}

// Sign returns the token for c under key.
func Sign(key Key, c Claims) (string, error) {
	if key.ID == 0 || len(key.Secret) < 32 {
		return "", errors.New("surveytoken: key needs a non-zero id and a 32-byte secret")
	}
	scale := indexOf(scales, c.Scale)
	if scale <= 0 || len(c.Locale) != 2 || c.Resolution <= 0 || c.Resolution > 1<<31-1 {
		return "", fmt.Errorf("surveytoken: bad claims %+v", c)
	}
	raw := make([]byte, 1, rawSize)
	raw[0] = key.ID
	for _, f := range []struct{ name, id string }{
		{"tenant", c.TenantID}, {"conversation", c.ConversationID}, {"visitor", c.VisitorID},
	} {
		u, err := uuid.Parse(f.id)
		if err != nil || len(f.id) != 36 {
			return "", fmt.Errorf("surveytoken: %s id %q is not a UUID", f.name, f.id)
		}
		raw = append(raw, u[:]...)
	}
	raw = binary.BigEndian.AppendUint32(raw, uint32(c.Resolution))
	raw = binary.BigEndian.AppendUint64(raw, uint64(c.ExpiresAt.Unix()))
	raw = append(raw, byte(scale))
	raw = append(raw, c.Locale...)
	raw = append(raw, mac(key.Secret, raw)...)
	return prefix + base64.RawURLEncoding.EncodeToString(raw), nil
}

// Verify checks token against keys at now and returns its claims.
func Verify(keys []Key, token string, now time.Time) (Claims, error) {
	if len(token) != Length || !strings.HasPrefix(token, prefix) {
		return Claims{}, ErrInvalid
	}
	raw, err := base64.RawURLEncoding.DecodeString(token[len(prefix):])
	if err != nil || len(raw) != rawSize {
		return Claims{}, ErrInvalid
	}
	body, sum := raw[:bodySize], raw[bodySize:]
	var key *Key
	for i := range keys {
		if keys[i].ID == body[0] && body[0] != 0 {
			key = &keys[i]
			break
		}
	}
	if key == nil || !hmac.Equal(sum, mac(key.Secret, body)) {
		return Claims{}, ErrInvalid
	}
	id := func(i int) string { return uuid.UUID(body[1+i*idSize : 1+(i+1)*idSize]).String() }
	rest := body[1+3*idSize:]
	c := Claims{
		TenantID: id(0), ConversationID: id(1), VisitorID: id(2),
		Resolution: int(binary.BigEndian.Uint32(rest[0:4])),
		ExpiresAt:  time.Unix(int64(binary.BigEndian.Uint64(rest[4:12])), 0).UTC(),
		Locale:     string(rest[13:15]),
	}
	if int(rest[12]) >= len(scales) || rest[12] == 0 || !now.Before(c.ExpiresAt) {
		return Claims{}, ErrInvalid
	}
	c.Scale = scales[rest[12]]
	return c, nil
}

func mac(secret, body []byte) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte(purpose))
	h.Write(body)
	return h.Sum(nil)[:macSize]
}

func indexOf(xs []string, x string) int {
	for i, s := range xs {
		if s == x && s != "" {
			return i
		}
	}
	return -1
}
