package gateway_test

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
)

// The survey page shows the form on GET and records nothing; its POST
// rates; a bad score re-shows the form with the error (400); an unknown
// token is a 404 page.
func TestTheSurveyPageRatesOnlyWhenItsFormIsSent(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	var mu sync.Mutex
	var rated *contracts.Rating
	page := func() contracts.SurveyPage {
		mu.Lock()
		defer mu.Unlock()
		return contracts.SurveyPage{TenantName: "Acme <Shoes>", Color: "#fde047", Locale: "fr", Scale: contracts.ScaleFive, Rated: rated}
	}
	serve(h, contracts.NotifySurveyGet, func(r contracts.SurveyTokenRequest) (contracts.SurveyPage, error) {
		if r.Token != "good" {
			return contracts.SurveyPage{}, apperr.NotFoundf("this survey link is not valid or has expired")
		}
		return page(), nil
	})
	serve(h, contracts.NotifySurveyAnswer, func(r contracts.SurveyAnswerRequest) (contracts.SurveyPage, error) {
		if r.Score < 1 || r.Score > 5 {
			return contracts.SurveyPage{}, apperr.InvalidField("score", "score must be a whole number from 1 to 5")
		}
		mu.Lock()
		if rated == nil {
			rated = &contracts.Rating{Score: r.Score, Comment: r.Comment, Resolution: 1}
		}
		mu.Unlock()
		return page(), nil
	})

	get := h.do(http.MethodGet, "/survey/good?score=4", "", nil, "")
	body := string(get.body)
	expect(t, "GET", get, http.StatusOK)
	for _, want := range []string{
		`<html lang="fr">`, `Acme &lt;Shoes&gt;`, `Comment s&#39;est passée votre conversation ?`,
		`<input type="radio" name="score" value="4" checked required> 4 · Satisfait`,
		`<input type="radio" name="score" value="1" required> 1 · Très insatisfait`,
		`<label for="comment">`, `<textarea id="comment" name="comment"`, `<button type="submit">Envoyer</button>`,
		`<meta name="robots" content="noindex, nofollow">`, `color:#000000`, // dark text on the light yellow
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %s:\n%s", want, body)
		}
	}
	if strings.Contains(body, "<script") || strings.Contains(body, "action=") {
		t.Errorf("the page has a script or a fixed form address:\n%s", body)
	}
	csp := get.header.Get("Content-Security-Policy")
	if !strings.HasPrefix(csp, "default-src 'none'; style-src 'nonce-") || strings.Contains(csp, "unsafe") || !strings.Contains(csp, "form-action 'self'") {
		t.Errorf("CSP = %q", csp)
	}
	if get.header.Get("X-Robots-Tag") != "noindex, nofollow" || get.header.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("headers %v", get.header)
	}
	if got := h.log.names(); len(got) != 1 || got[0] != "notify.survey_get" {
		t.Fatalf("GET called %v, want only notify.survey_get", got)
	}

	post := func(form url.Values) response {
		return h.do(http.MethodPost, "/survey/good?score=4", "", strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
	}
	bad := post(url.Values{"score": {"nine"}, "comment": {"Merci <3"}})
	expect(t, "POST a bad score", bad, http.StatusBadRequest)
	for _, want := range []string{`id="score-error" role="alert">Choisissez une des réponses.`, `aria-invalid="true"`, `>Merci &lt;3</textarea>`} {
		if !strings.Contains(string(bad.body), want) {
			t.Errorf("the re-shown form lacks %s:\n%s", want, bad.body)
		}
	}
	if r := h.log.last("notify.survey_answer").(contracts.SurveyAnswerRequest); r.Score != 0 || r.Token != "good" {
		t.Errorf("asked notify %+v", r)
	}

	huge := post(url.Values{"score": {"5"}, "comment": {strings.Repeat("x", 40<<10)}})
	expect(t, "POST a huge comment", huge, http.StatusRequestEntityTooLarge)
	if !strings.Contains(string(huge.body), `id="comment-error" role="alert">Le commentaire est trop long`) {
		t.Errorf("the re-shown form lacks the comment's error:\n%s", huge.body)
	}

	ok := post(url.Values{"score": {"5"}, "comment": {"Rapide"}})
	expect(t, "POST", ok, http.StatusOK)
	if !strings.Contains(string(ok.body), `<p role="status">Merci ! Votre réponse est enregistrée.</p>`) || strings.Contains(string(ok.body), "<form") {
		t.Errorf("no thanks:\n%s", ok.body)
	}
	mu.Lock()
	got := *rated
	mu.Unlock()
	if got.Score != 5 || got.Comment != "Rapide" {
		t.Errorf("rated %+v", got)
	}
	// Opened again once answered: the thanks, no form.
	if again := h.do(http.MethodGet, "/survey/good", "", nil, ""); again.status != http.StatusOK || !strings.Contains(string(again.body), "Merci !") {
		t.Errorf("reopened after answering: %d\n%s", again.status, again.body)
	}

	gone := h.do(http.MethodGet, "/survey/forged", "", nil, "", "Accept-Language", "de-CH, en;q=0.5")
	expect(t, "GET an unknown token", gone, http.StatusNotFound)
	if !strings.Contains(string(gone.body), "Dieser Umfragelink ist ungültig") || strings.Contains(string(gone.body), "<form") {
		t.Errorf("not-found page:\n%s", gone.body)
	}
}
