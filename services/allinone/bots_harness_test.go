package allinone_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/parley-chat/parley/pkg/testkit"
)

// botConfig is a bot configuration with every skill's defaults, for tests to adjust.
func botConfig(skills ...string) map[string]any {
	always := []map[string]string{{"open": "00:00", "close": "24:00"}}
	return map[string]any{
		"enabled": true, "name": "Robo", "skills": skills,
		"faq": map[string]any{"threshold": 0.5, "entries": []map[string]any{
			{"id": "", "question": "What are your opening hours?", "alternatives": []string{"When are you open?"}, "answer": "We're open 9 to 5, Monday to Friday."},
			{"id": "", "question": "How do I return an item?", "alternatives": []string{"Can I get a refund?"}, "answer": "You can return anything within 30 days."},
			{"id": "", "question": "Do you ship internationally?", "alternatives": []string{}, "answer": "Yes, to most of Europe."},
		}},
		"order_status": map[string]any{"url": "", "secret": "", "secret_set": false, "number_pattern": `^#?\d{5,8}$`,
			"reply_template": "Order {{number}} is {{status}} and should arrive {{eta}}."},
		"appointments": map[string]any{"timezone": "UTC", "buffer_minutes": 0, "horizon_days": 3,
			"weekly":   map[string]any{"mon": always, "tue": always, "wed": always, "thu": always, "fri": always, "sat": always, "sun": always},
			"services": []map[string]any{{"id": "", "name": "Bike fitting", "duration_minutes": 30}}},
		"after_hours": map[string]any{"message": "Thanks for writing! We're closed right now."},
		"external":    map[string]any{"url": "", "secret": "", "secret_set": false},
	}
}

// botMessages waits until the conversation has at least n messages and returns them.
func (p *parley) waitMessages(t *testing.T, token, path string, n int) []map[string]any {
	t.Helper()
	var msgs []map[string]any
	testkit.Eventually(t, 10*time.Second, func() error {
		r := p.do("GET", path, token, nil)
		msgs = nil
		for _, m := range r.Body["messages"].([]any) {
			msgs = append(msgs, m.(map[string]any))
		}
		if len(msgs) < n {
			return fmt.Errorf("%d messages, want %d", len(msgs), n)
		}
		return nil
	})
	return msgs
}

// options returns the quick-reply options of a message.
func options(m map[string]any) []map[string]any {
	var out []map[string]any
	p, _ := m["payload"].(map[string]any)
	opts, _ := p["options"].([]any)
	for _, o := range opts {
		out = append(out, o.(map[string]any))
	}
	return out
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
