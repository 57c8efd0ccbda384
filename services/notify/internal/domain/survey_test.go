package domain_test

import (
	"strings"
	"testing"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/services/notify/internal/domain"
)

func TestAnAnswerMustBeOnTheScale(t *testing.T) {
	for _, c := range []struct {
		scale   string
		score   int
		comment string
		field   string
	}{
		{contracts.ScaleFive, 1, "", ""}, {contracts.ScaleFive, 5, strings.Repeat("é", contracts.MaxRatingComment), ""},
		{contracts.ScaleFive, 0, "", "score"}, {contracts.ScaleFive, 6, "", "score"},
		{contracts.ScaleThumbs, 5, "", ""}, {contracts.ScaleThumbs, 3, "", "score"},
		{contracts.ScaleFive, 3, strings.Repeat("a", contracts.MaxRatingComment+1), "comment"},
	} {
		err := domain.CheckAnswer(c.scale, c.score, c.comment)
		if got := apperr.As(err); (c.field == "" && err != nil) || (c.field != "" && (got == nil || got.Field != c.field)) {
			t.Errorf("%s %d (%d chars): %v, want field %q", c.scale, c.score, len([]rune(c.comment)), err, c.field)
		}
	}
}

func TestASurveyEmailLinksEachAnswerOnce(t *testing.T) {
	s := domain.Survey{
		TenantID: "t", ConversationID: "c", Resolution: 2, Brand: domain.Brand{Name: "Café <Olé>", Color: "#112233"},
		Visitor: contracts.Visitor{ID: "v", Email: "V@Example.com", Locale: "es"}, Scale: contracts.ScaleThumbs,
		Page: "https://chat.example/survey/s1tok", Unsubscribe: "https://chat.example/api/v1/email/unsubscribe?token=u",
	}
	e, err := s.Build()
	if err != nil {
		t.Fatal(err)
	}
	if e.To != "v@example.com" || e.Kind != domain.KindSurvey || e.Subject != "¿Qué tal lo hicimos? Tu conversación con Café <Olé>" {
		t.Errorf("email %+v", e)
	}
	for _, want := range []string{"👎 Mal: https://chat.example/survey/s1tok?score=1\n", "👍 Bien: https://chat.example/survey/s1tok?score=5\n"} {
		if !strings.Contains(e.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, e.Text)
		}
	}
	if !strings.Contains(e.HTML, `href="https://chat.example/survey/s1tok?score=5"`) || !strings.Contains(e.HTML, "Café &lt;Olé&gt;") || strings.Contains(e.HTML, "score=3") {
		t.Errorf("html:\n%s", e.HTML)
	}
	again, _ := s.Build()
	s.Resolution = 3
	next, _ := s.Build()
	if again.ID != e.ID || next.ID == e.ID {
		t.Error("a resolution's survey email must have one id, another resolution's another")
	}
}
