package validate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
)

// Control reports whether s holds a control character other than a tab or
// a line break: NUL and the other C0 and C1 controls and DEL. PostgreSQL
// refuses NUL in text, so without this check the same input would be a
// 500 there and stored on SQLite.
func Control(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool {
		return unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r'
	}) >= 0
}

// FindControl walks a JSON document and returns the path of the first
// string (or object key) that Control refuses, such as "widget.color" or
// "faq.entries[2].answer"; ok is false when there is none or raw is not JSON.
func FindControl(raw []byte) (path string, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return "", false
	}
	return findControl(v, "")
}

func findControl(v any, path string) (string, bool) {
	switch v := v.(type) {
	case string:
		return path, Control(v)
	case []any:
		for i, e := range v {
			if p, ok := findControl(e, fmt.Sprintf("%s[%d]", path, i)); ok {
				return p, true
			}
		}
	case map[string]any:
		for k, e := range v {
			p := k
			if path != "" {
				p = path + "." + k
			}
			if Control(k) {
				return p, true
			}
			if p, ok := findControl(e, p); ok {
				return p, true
			}
		}
	}
	return "", false
}
