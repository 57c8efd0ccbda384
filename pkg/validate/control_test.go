package validate_test

import (
	"encoding/json"
	"slices"
	"testing"
	"unicode/utf8"

	"github.com/parley-chat/parley/pkg/validate"
)

func TestControl(t *testing.T) {
	for s, want := range map[string]bool{
		"hello":                     false,
		"two\nlines\r\n\tand a tab": false,
		"nul\x00":                   true,
		"bell\a":                    true,
		"escape\x1b[31m":            true,
		"del\x7f":                   true,
		"c1\u0085":                  true,
		"émoji 🎉 and ñ":             false,
	} {
		if got := validate.Control(s); got != want {
			t.Errorf("Control(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestFindControlNamesTheField(t *testing.T) {
	for raw, want := range map[string]string{
		`{"body":"hi\u0000"}`:                                       "body",
		`{"widget":{"color":"#fff","locale":"en\u0000"}}`:           "widget.locale",
		`{"faq":{"entries":[{"answer":"ok"},{"answer":"\u0007"}]}}`: "faq.entries[1].answer",
		`{"tags":["a","b\u001b"]}`:                                  "tags[1]",
		`{"k\u0000":1}`:                                             "k\x00",
	} {
		if got, ok := validate.FindControl([]byte(raw)); !ok || got != want {
			t.Errorf("FindControl(%s) = %q, %v; want %q", raw, got, ok, want)
		}
	}
	for _, raw := range []string{`{"body":"line\nline\ttab"}`, `{"n":1,"b":true,"x":null}`, `not json`} {
		if p, ok := validate.FindControl([]byte(raw)); ok {
			t.Errorf("FindControl(%s) found %q", raw, p)
		}
	}
}

// FuzzFindControl: in any document, the control character of any string is
// found, at the path of that string, and nothing is found where there is none.
func FuzzFindControl(f *testing.F) {
	f.Add("body", "hi", "note")
	f.Add("body", "a\x00b", "x")
	f.Add("k\x1b", "v", "\u0085")
	f.Fuzz(func(t *testing.T, key, value, item string) {
		if !utf8.ValidString(key) || !utf8.ValidString(value) || !utf8.ValidString(item) {
			return // JSON would replace the invalid bytes
		}
		raw, _ := json.Marshal(map[string]any{"outer": map[string]any{key: value}, "list": []string{"ok", item}})
		p, ok := validate.FindControl(raw)
		var want []string
		if validate.Control(item) {
			want = append(want, "list[1]")
		}
		if validate.Control(key) || validate.Control(value) {
			want = append(want, "outer."+key)
		}
		if ok != (len(want) > 0) || ok && !slices.Contains(want, p) {
			t.Fatalf("FindControl(%s) = %q, %v; want one of %q", raw, p, ok, want)
		}
	})
}
