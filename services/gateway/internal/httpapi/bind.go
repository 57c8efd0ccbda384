package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/validate"
)

// MaxBodyBytes bounds every JSON request body.
const MaxBodyBytes = 1 << 20

// bind decodes the JSON body into dst: application/json only, at most
// MaxBodyBytes, a single object, no unknown fields.
func bind(c *gin.Context, dst any) error {
	mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || mt != "application/json" {
		return apperr.New(apperr.UnsupportedMedia, "the request body must be application/json")
	}
	raw, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, MaxBodyBytes))
	if err != nil {
		return decodeError(err)
	}
	if trimmed := bytes.TrimLeft(raw, " \t\r\n"); len(trimmed) > 0 && trimmed[0] != '{' {
		return apperr.New(apperr.Invalid, "the request body must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return apperr.New(apperr.Invalid, "the request body must hold a single JSON object")
	}
	if field, found := validate.FindControl(raw); found {
		return apperr.InvalidField(field, "%s must not contain control characters", field)
	}
	return nil
}

// plainText refuses control characters in the query, as bind does in
// bodies, so that every text field is treated the same on both
// databases (PostgreSQL refuses NUL; SQLite would store it).
func plainText(c *gin.Context) {
	for name, values := range c.Request.URL.Query() {
		for _, v := range values {
			if validate.Control(name) || validate.Control(v) {
				fail(c, apperr.InvalidField(name, "%s must not contain control characters", name))
				return
			}
		}
	}
	// Path parameters are ids, keys and tokens: none holds a control
	// character, so such a path names nothing.
	for _, p := range c.Params {
		if validate.Control(p.Value) {
			fail(c, apperr.NotFoundf("not found"))
			return
		}
	}
	c.Next()
}

func decodeError(err error) error {
	var (
		tooBig *http.MaxBytesError
		syntax *json.SyntaxError
		typ    *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &tooBig):
		return apperr.New(apperr.TooLarge, "the request body is larger than %d bytes", MaxBodyBytes)
	case errors.Is(err, io.EOF):
		return apperr.New(apperr.Invalid, "the request body is empty")
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.New(apperr.Invalid, "the request body is not valid JSON")
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return apperr.New(apperr.Invalid, "the request body must be a JSON object")
		}
		return apperr.InvalidField(field, "%s must be a %s", field, jsonType(typ.Type.Kind().String()))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return apperr.InvalidField(field, "unknown field %q", field)
	}
	return apperr.New(apperr.Invalid, "the request body could not be read")
}

func jsonType(kind string) string {
	switch kind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "slice", "array":
		return "list"
	case "map", "struct", "ptr":
		return "object"
	}
	return "number"
}
