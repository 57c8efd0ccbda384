package domain

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// FindOrderNumber returns the first word of a message that matches the
// tenant's order-number pattern (the pattern applies to a single word).
func FindOrderNumber(pattern *regexp.Regexp, body string) (string, bool) {
	for _, w := range strings.FieldsFunc(body, func(r rune) bool { return r == ' ' || r == ',' || r == '?' || r == '!' || r == '\n' || r == ':' }) {
		w = strings.TrimRight(w, ".")
		if pattern.MatchString(w) {
			return w, true
		}
	}
	return "", false
}

var placeholder = regexp.MustCompile(`\{\{\s*([a-zA-Z0-9_.]+)\s*\}\}`)

// FillTemplate replaces {{field}} and {{a.b}} with values from a JSON object
// (numbers and booleans as written, missing fields as ""). The result is
// plain text: it is never rendered as HTML.
func FillTemplate(tmpl string, data map[string]any) string {
	return placeholder.ReplaceAllStringFunc(tmpl, func(m string) string {
		var v any = data
		for _, k := range strings.Split(placeholder.FindStringSubmatch(m)[1], ".") {
			obj, ok := v.(map[string]any)
			if !ok {
				return ""
			}
			v = obj[k]
		}
		switch x := v.(type) {
		case nil:
			return ""
		case string:
			return x
		case float64, bool, json.Number:
			return fmt.Sprint(x)
		}
		b, _ := json.Marshal(v)
		return string(b)
	})
}
