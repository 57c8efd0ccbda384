package httpapi

import (
	"bytes"
	"errors"
	"fmt"
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/validate"
)

// boundBodies holds a zero value of every type a handler passes to bind
// (grep 'bind(c, &'); a new body type belongs here too.
var boundBodies = []any{
	apiKeyBody{}, forgotBody{}, resetBody{}, emailChangeBody{}, emailConfirmBody{},
	notificationsBody{}, signupBody{}, loginBody{}, refreshBody{}, profileBody{},
	passwordBody{}, checkoutBody{}, contracts.BotConfig{}, faqTryBody{}, handoffBody{},
	agentMessageBody{}, conversationPatch{}, transcriptEmailBody{}, settingsBody{},
	cannedBody{}, inviteBody{}, acceptBody{}, memberBody{}, tenantBody{}, sessionBody{},
	startBody{}, visitorMessageBody{}, readBody{}, visitorBody{}, ratingBody{},
	deleteTenantBody{},
}

// FuzzBind feeds arbitrary bytes to bind for every body type. Properties:
// it never panics; a refusal is always an *apperr.Error with a 4xx status
// (bad input is never a 500); and a body it accepts holds no control
// character in any string, however deeply nested.
func FuzzBind(f *testing.F) {
	gin.SetMode(gin.TestMode)
	for _, s := range []string{
		`{"email":"a@example.com","password":"hunter22"}`,
		`{"body":"hi\u0000"}`,                       // NUL: once a 500 on PostgreSQL
		`{"name":"esc\u001b[31m"}`,                  // escape sequence in a name
		`{"widget":{"locale":"en\u0085"}}`,          // C1 control, nested
		`{"faq":{"entries":[{"answer":"\u0007"}]}}`, // in a list element
		`{"unknown":1}`,
		`{"email":1}`,
		`[1,2]`,
		`{} {}`,
		`{"name":"a"`,
		``,
		"{\"k\u0000\":1}",
		`{"rating":1e400}`,
		`{"email_new_conversations":null}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, zero := range boundBodies {
			dst := reflect.New(reflect.TypeOf(zero))
			c, _ := gin.CreateTestContext(httptest.NewRecorder())
			c.Request = httptest.NewRequest("POST", "/", bytes.NewReader(body))
			c.Request.Header.Set("Content-Type", "application/json; charset=utf-8")
			err := bind(c, dst.Interface())
			if err != nil {
				var ae *apperr.Error
				if !errors.As(err, &ae) {
					t.Fatalf("%T: bind(%q) = %v, not an *apperr.Error", zero, body, err)
				}
				if s := ae.Code.HTTPStatus(); s < 400 || s > 499 {
					t.Fatalf("%T: bind(%q) = %v with status %d, want 4xx", zero, body, err, s)
				}
				continue
			}
			if path, bad := controlIn(dst.Elem(), ""); bad {
				t.Fatalf("%T: bind(%q) accepted a control character at %s", zero, body, path)
			}
		}
	})
}

// controlIn walks a decoded value and reports the first string (or map key,
// or raw JSON) holding a control character.
func controlIn(v reflect.Value, path string) (string, bool) {
	switch v.Kind() {
	case reflect.String:
		return path, validate.Control(v.String())
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return controlIn(v.Elem(), path)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if p, bad := controlIn(v.Field(i), path+"."+v.Type().Field(i).Name); bad {
				return p, true
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 { // json.RawMessage and []byte
			if v.Kind() == reflect.Slice {
				if p, bad := validate.FindControl(v.Bytes()); bad {
					return path + "." + p, true
				}
			}
			return "", false
		}
		for i := range v.Len() {
			if p, bad := controlIn(v.Index(i), fmt.Sprintf("%s[%d]", path, i)); bad {
				return p, true
			}
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			if p, bad := controlIn(it.Key(), path+"{key}"); bad {
				return p, true
			}
			if p, bad := controlIn(it.Value(), fmt.Sprintf("%s[%v]", path, it.Key())); bad {
				return p, true
			}
		}
	}
	return "", false
}
