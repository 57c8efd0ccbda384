package domain_test

import (
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/services/notify/internal/domain"
)

func TestLocaleFallsBackToEnglish(t *testing.T) {
	for tag, want := range map[string]string{"fr-CA": "fr", "DE": "de", "es_MX": "es", "pt-BR": "en", "": "en"} {
		if got := domain.Locale(tag); got != want {
			t.Errorf("Locale(%q) = %q, want %q", tag, got, want)
		}
	}
}

// Every language has every string the English catalogue has.
func TestEveryLanguageIsComplete(t *testing.T) {
	for _, l := range domain.Locales[1:] {
		for _, key := range []string{"greeting", "invite_subject", "reset_subject", "change_subject", "reply_subject", "transcript_subject", "digest_subject", "unsubscribe", "survey_subject", "survey_question", "survey_1", "survey_up", "survey_note"} {
			if domain.T(l, key) == domain.T("en", key) {
				t.Errorf("%s: %s is not translated", l, key)
			}
		}
	}
}

func TestTheSameCauseGivesTheSameID(t *testing.T) {
	ev := contracts.InviteCreated{Email: "a@example.com", InviterName: "Olga", TenantName: "Acme", URL: "http://x/accept-invite?token=t", ExpiresAt: time.Now()}
	a, err := domain.Invite("t1", "ev1", ev, "")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := domain.Invite("t1", "ev1", ev, "")
	c, _ := domain.Invite("t1", "ev2", ev, "")
	if a.ID != b.ID || a.ID == c.ID {
		t.Fatalf("ids %s %s %s", a.ID, b.ID, c.ID)
	}
}

func TestAnUndeliverableEventIsPoison(t *testing.T) {
	_, err := domain.PasswordReset("t", "e", contracts.PasswordResetRequested{Email: "nobody", URL: "http://x"})
	if !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("err = %v, want invalid", err)
	}
}

// Names and bodies are escaped in the HTML part; a bad colour falls back.
func TestHTMLIsEscaped(t *testing.T) {
	c := domain.Conversation{
		TenantID: "t", ConversationID: "c", Brand: domain.Brand{Name: "<b>Shop</b>", Color: "red;background:url(x)"},
		Visitor: contracts.Visitor{Email: "v@example.com", Name: "<script>alert(1)</script>"},
		Messages: []contracts.Message{
			{Seq: 1, Author: contracts.Author{Type: contracts.AuthorVisitor}, Body: "hi"},
			{Seq: 2, Author: contracts.Author{Type: contracts.AuthorAgent, Name: "Ann"}, Body: "<img src=x onerror=alert(1)>\nline two"},
		},
		Link: "https://shop.example/#parley-conversation=c", Unsubscribe: "http://parley.test/api/v1/email/unsubscribe?token=x",
	}
	e, err := c.Reply(1)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"<script>", "<img", "<b>Shop", "url(x)"} {
		if strings.Contains(e.HTML, bad) {
			t.Errorf("HTML contains %q", bad)
		}
	}
	if !strings.Contains(e.HTML, domain.DefaultColor) || !strings.Contains(e.Text, "<img src=x onerror=alert(1)>") {
		t.Error("the colour fell back or the text part lost the body")
	}
}

// A transcript too long for one email keeps its latest messages and says so.
func TestALongTranscriptKeepsTheLatestMessages(t *testing.T) {
	body := strings.Repeat("x", 9000)
	c := domain.Conversation{TenantID: "t", ConversationID: "c", Brand: domain.Brand{Name: "Shop"}, Visitor: contracts.Visitor{Email: "v@example.com"}}
	for i := range 40 {
		c.Messages = append(c.Messages, contracts.Message{Seq: int64(i + 1), Author: contracts.Author{Type: contracts.AuthorVisitor}, Body: body})
	}
	c.Messages[39].Body = "the very last one"
	e, err := c.Transcript("en")
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Text) > 2*domain.TranscriptChars || !strings.Contains(e.Text, "the very last one") || !strings.Contains(e.Text, "Only its latest messages fit") {
		t.Fatalf("transcript of %d characters", len(e.Text))
	}
}
