package domain_test

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/services/conversation/internal/domain"
)

// FuzzFAQMatch: for any FAQ and question, Tokens never yields an empty
// token, and Match returns at most limit matches, each for a distinct entry
// of the FAQ, with a confidence in [0, 1], best first.
func FuzzFAQMatch(f *testing.F) {
	f.Add("How long does shipping take?", "delivery time", "Can I return an item?", "refund", "when will my order ship", uint8(4))
	f.Add("Où est ma commande ?", "", "Wie lange dauert der Versand?", "", "commande", uint8(1))
	f.Add("a", "the", "I", "", "a the I", uint8(0))
	f.Fuzz(func(t *testing.T, q0, alt0, q1, alt1, question string, lim uint8) {
		for _, s := range []string{q0, alt0, q1, alt1, question} {
			for _, tok := range domain.Tokens(s) {
				if tok == "" || strings.TrimSpace(tok) != tok {
					t.Fatalf("Tokens(%q) holds the token %q", s, tok)
				}
			}
		}
		entries := []contracts.FAQEntry{
			{ID: "e0", Question: q0, Alternatives: []string{alt0}, Answer: "a0"},
			{ID: "e1", Question: q1, Alternatives: []string{alt1}, Answer: "a1"},
			{ID: "e2", Question: question, Answer: "a2"}, // the question itself is a phrasing
		}
		limit := int(lim % 8)
		ms := domain.NewFAQIndex(entries).Match(question, limit)
		if len(ms) > limit {
			t.Fatalf("Match(%q, %d) gave %d matches", question, limit, len(ms))
		}
		seen := map[string]bool{}
		for i, m := range ms {
			if math.IsNaN(m.Score) || m.Score < 0 || m.Score > 1 {
				t.Fatalf("score %v outside [0,1]: %+v", m.Score, ms)
			}
			if i > 0 && ms[i-1].Score < m.Score {
				t.Fatalf("not sorted best first: %+v", ms)
			}
			if !strings.HasPrefix(m.EntryID, "e") || len(m.EntryID) != 2 || m.EntryID[1] < '0' || m.EntryID[1] > '2' || seen[m.EntryID] {
				t.Fatalf("match for an unknown or repeated entry: %+v", ms)
			}
			seen[m.EntryID] = true
		}
	})
}

// FuzzFillTemplate checks FillTemplate against an independent model: the
// template is scanned for {{ path }} placeholders (leftmost first, no
// rescanning of values), every literal part survives in order, and every
// placeholder becomes exactly the value at its path ("" when missing,
// numbers and booleans as written, objects as JSON). So no placeholder of a
// present key survives, and nothing appears that is not from the template
// or the data — values holding "{{...}}" are never expanded in turn.
func FuzzFillTemplate(f *testing.F) {
	f.Add("Order {{order.id}} is {{ order.status }}, {{name}}!", "Ana", "shipped")
	f.Add("{{{{name}}}}", "name", "x") // a value that spells a placeholder is not expanded
	f.Add("{{name}}{{order}}{{missing.x}}", "{{order.status}}", "}}")
	f.Add("{{ .name }} {{name.}} {{order.status.x}}", "", "")
	f.Fuzz(func(t *testing.T, tmpl, name, status string) {
		var data map[string]any
		raw, _ := json.Marshal(map[string]any{"name": name, "order": map[string]any{"id": "A-17", "status": status, "total": 12.5, "paid": true}})
		if err := json.Unmarshal(raw, &data); err != nil {
			t.Fatal(err)
		}
		got := domain.FillTemplate(tmpl, data)
		if want := modelFill(tmpl, data); got != want {
			t.Fatalf("FillTemplate(%q) = %q, want %q", tmpl, got, want)
		}
	})
}

func modelFill(tmpl string, data map[string]any) string {
	var b strings.Builder
	for i := 0; i < len(tmpl); {
		end, path, ok := placeholderAt(tmpl, i)
		if !ok {
			b.WriteByte(tmpl[i])
			i++
			continue
		}
		b.WriteString(valueAt(data, path))
		i = end
	}
	return b.String()
}

// placeholderAt matches `{{ \s* [A-Za-z0-9_.]+ \s* }}` at i.
func placeholderAt(s string, i int) (end int, path string, ok bool) {
	if !strings.HasPrefix(s[i:], "{{") {
		return 0, "", false
	}
	j := i + 2
	space := func() {
		for j < len(s) && strings.IndexByte(" \t\n\f\r", s[j]) >= 0 {
			j++
		}
	}
	space()
	k := j
	for j < len(s) && (s[j] == '_' || s[j] == '.' || s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z' || s[j] >= '0' && s[j] <= '9') {
		j++
	}
	if j == k {
		return 0, "", false
	}
	path = s[k:j]
	space()
	if !strings.HasPrefix(s[j:], "}}") {
		return 0, "", false
	}
	return j + 2, path, true
}

func valueAt(data map[string]any, path string) string {
	var v any = data
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = m[k]
	}
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case map[string]any:
		b, _ := json.Marshal(x)
		return string(b)
	}
	return fmt.Sprint(v)
}
