package allinone_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/pkg/testkit"
)

var surveyLinkRE = regexp.MustCompile(`http://[^/\s]+(/survey/[A-Za-z0-9_-]+)\?score=(\d)`)

// A visitor who left an address and did not rate the resolution in the
// widget is asked by email; opening the link records nothing, the page's
// form rates it once, and the widget then shows the rating.
func TestAResolvedConversationIsRatedFromTheSurveyEmail(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		rig := startWithMail(t, d, nil)
		p, mp := rig.parley, rig.mail
		owner := p.signup("Boot Barn")
		key := p.widgetKey(owner)
		vera := p.visitorWithEmail(key, "vera.survey@example.com", "fr-FR")
		conv := p.startConversation(vera, "Mes bottes sont arrivées, merci").str("conversation.id")
		p.do("PATCH", "/api/v1/conversations/"+conv, owner.Access, map[string]string{"status": "resolved"}).must(t, 200)

		m := mp.WaitFor(t, "vera.survey@example.com", 1, 30*time.Second)[0]
		if m.Subject != "Votre avis ? Votre conversation avec Boot Barn" {
			t.Errorf("subject %q", m.Subject)
		}
		found := surveyLinkRE.FindAllStringSubmatch(m.Text, -1)
		if len(found) != 5 || found[3][2] != "4" {
			t.Fatalf("links %v in:\n%s", found, m.Text)
		}
		page := found[0][1]

		form := p.do("GET", page+"?score=4", "", nil).must(t, 200)
		if !strings.Contains(string(form.Raw), `value="4" checked`) {
			t.Errorf("the form does not preselect 4:\n%s", form.Raw)
		}
		if r := p.do("GET", "/api/v1/widget/conversations", vera.Token, nil).must(t, 200); strings.Contains(string(r.Raw), `"rating"`) {
			t.Fatalf("opening the link rated it: %s", r.Raw)
		}

		p.doWith("POST", page, "", url.Values{"score": {"0"}}.Encode(), "application/x-www-form-urlencoded").must(t, 400)
		done := p.doWith("POST", page, "", url.Values{"score": {"4"}, "comment": {"Très rapide"}}.Encode(), "application/x-www-form-urlencoded").must(t, 200)
		if !strings.Contains(string(done.Raw), "Merci ! Votre réponse est enregistrée.") {
			t.Errorf("no thanks:\n%s", done.Raw)
		}
		again := p.doWith("POST", page, "", url.Values{"score": {"1"}}.Encode(), "application/x-www-form-urlencoded").must(t, 200)
		if !strings.Contains(string(again.Raw), "Merci !") {
			t.Errorf("a second answer:\n%s", again.Raw)
		}
		r := p.do("GET", "/api/v1/widget/conversations", vera.Token, nil).must(t, 200)
		if !strings.Contains(string(r.Raw), `"score":4`) || !strings.Contains(string(r.Raw), "Très rapide") {
			t.Errorf("the widget's view: %s", r.Raw)
		}
		p.do("GET", "/survey/s1forged", "", nil).must(t, 404)
	})
}
