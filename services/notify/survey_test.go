package notify_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/db"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/pkg/natsx"
	"github.com/parley-chat/parley/pkg/testkit"
	"github.com/parley-chat/parley/services/notify/internal/surveytoken"
)

// surveyed plays the conversation and tenant services for survey emails:
// conversations, each with its visitor, that can be resolved and rated.
type surveyed struct {
	tenantID string
	mu       sync.Mutex
	convs    map[string]*contracts.VisitorConversation
	visitors map[string]contracts.Visitor // by conversation
	rates    []contracts.RateRequest
}

func newSurveyed(t *testing.T, r *rig) *surveyed {
	s := &surveyed{tenantID: ids.New(), convs: map[string]*contracts.VisitorConversation{}, visitors: map[string]contracts.Visitor{}}
	serve(t, r, contracts.ConversationListOwn, func(_ context.Context, q contracts.ConversationRequest) (contracts.VisitorConversations, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		var out contracts.VisitorConversations
		for id, c := range s.convs {
			if s.visitors[id].ID == q.Actor.ID && q.Actor.TenantID == s.tenantID && q.Actor.Type == contracts.AuthorVisitor {
				out.Conversations = append(out.Conversations, *c)
			}
		}
		return out, nil
	})
	serve(t, r, contracts.ConversationVisitorGet, func(_ context.Context, q contracts.VisitorRequest) (contracts.Visitor, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, v := range s.visitors {
			if v.ID == q.VisitorID {
				return v, nil
			}
		}
		return contracts.Visitor{}, apperr.NotFoundf("visitor not found")
	})
	// Rating as the conversation service does: once per resolution, by its visitor.
	serve(t, r, contracts.ConversationRate, func(_ context.Context, q contracts.RateRequest) (contracts.VisitorConversation, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.rates = append(s.rates, q)
		c := s.convs[q.ConversationID]
		if c == nil || s.visitors[q.ConversationID].ID != q.Actor.ID {
			return contracts.VisitorConversation{}, apperr.NotFoundf("conversation not found")
		}
		if c.Survey == nil || c.Survey.Resolution != q.Resolution {
			return contracts.VisitorConversation{}, apperr.New(apperr.Conflict, "this resolution is rated already")
		}
		c.Rating = &contracts.Rating{Score: q.Score, Scale: c.Survey.Scale, Comment: q.Comment, Resolution: q.Resolution, RatedAt: time.Now()}
		c.Survey = nil
		return *c, nil
	})
	serve(t, r, contracts.TenantGet, func(context.Context, contracts.PrincipalRequest) (contracts.TenantInfo, error) {
		return contracts.TenantInfo{ID: s.tenantID, Name: "Acme Shoes"}, nil
	})
	serve(t, r, contracts.TenantSettingsInternal, func(context.Context, contracts.TenantIDRequest) (contracts.Settings, error) {
		return contracts.Settings{Widget: contracts.WidgetSettings{Color: "#0f766e"}}, nil
	})
	serve(t, r, contracts.IdentityMemberList, func(context.Context, contracts.PrincipalRequest) (contracts.MemberList, error) {
		return contracts.MemberList{}, nil
	})
	return s
}

// resolve makes a conversation of a new visitor and resolves it with a
// survey: notify learns the visitor from conversation.updated, then gets
// the resolved activity.
func (s *surveyed) resolve(t *testing.T, r *rig, sql *db.DB, email, locale, scale string) (convID string, v contracts.Visitor) {
	t.Helper()
	convID, v = ids.New(), contracts.Visitor{ID: ids.New(), Name: "Vera", Email: email, Locale: locale}
	s.mu.Lock()
	s.visitors[convID] = v
	s.convs[convID] = &contracts.VisitorConversation{ID: convID, Status: contracts.StatusResolved, Survey: &contracts.SurveyPrompt{Scale: scale, Resolution: 1}}
	s.mu.Unlock()
	r.publish(contracts.ConversationUpdatedEvent, s.tenantID, contracts.ConversationUpdated{Conversation: contracts.Conversation{
		ID: convID, Status: contracts.StatusResolved, Visitor: v, UpdatedAt: time.Now(),
	}})
	testkit.Eventually(t, 10*time.Second, func() error {
		var n int64
		err := sql.Tenant(context.Background(), s.tenantID, func(tx *gorm.DB) error {
			return tx.Table("conversations").Where("id = ? AND visitor_id = ?", convID, v.ID).Count(&n).Error
		})
		if err == nil && n == 0 {
			err = fmt.Errorf("notify does not know the conversation's visitor yet")
		}
		return err
	})
	r.publish(contracts.ConversationActivityEvent, s.tenantID, contracts.Activity{
		ID: ids.New(), ConversationID: convID, Kind: contracts.ActivityResolved, At: time.Now(), Resolution: 1, Surveyed: true,
		By: contracts.Author{Type: contracts.AuthorAgent, ID: ids.New()},
	})
	return convID, v
}

func (s *surveyed) rateCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.rates)
}

func (s *surveyed) rate(i int) contracts.RateRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rates[i]
}

func (s *surveyed) rating(convID string) contracts.Rating {
	s.mu.Lock()
	defer s.mu.Unlock()
	return *s.convs[convID].Rating
}

func (s *surveyed) activity(r *rig, convID, kind string, rating *contracts.Rating) {
	r.publish(contracts.ConversationActivityEvent, s.tenantID, contracts.Activity{
		ID: ids.New(), ConversationID: convID, Kind: kind, At: time.Now(), Resolution: 1, Rating: rating,
		By: contracts.Author{Type: contracts.AuthorVisitor},
	})
}

var surveyLink = regexp.MustCompile(`http://parley\.test/survey/([A-Za-z0-9_-]+)\?score=(\d)`)

// links are the survey links of an email's text: token and scores.
func links(t *testing.T, text string) (token string, scores []string) {
	t.Helper()
	for _, m := range surveyLink.FindAllStringSubmatch(text, -1) {
		if token != "" && m[1] != token {
			t.Fatalf("links carry two tokens")
		}
		token, scores = m[1], append(scores, m[2])
	}
	return token, scores
}

func TestAResolvedConversationIsSurveyedByEmailOnce(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		mp := testkit.StartMailpit(t)
		r, sql := startWith(t, d, mp, map[string]string{"PARLEY_NOTIFY_VISITOR_DELAY": "1s"})
		s := newSurveyed(t, r)
		tag := ids.New()[24:]

		convID, v := s.resolve(t, r, sql, "Vera-"+tag+"@Example.com", "en-GB", contracts.ScaleFive)
		m := mp.WaitFor(t, "vera-"+tag+"@example.com", 1, 20*time.Second)[0]
		if m.Subject != "How did we do? Your conversation with Acme Shoes" || m.From.Name != "Acme Shoes" {
			t.Errorf("subject %q from %+v", m.Subject, m.From)
		}
		header(t, m, "X-Parley-Kind", "survey")
		if u := m.Header.Get("List-Unsubscribe"); !strings.HasPrefix(u, "<http://parley.test/api/v1/email/unsubscribe?token=") {
			t.Errorf("List-Unsubscribe = %q", u)
		}
		token, scores := links(t, m.Text)
		if strings.Join(scores, ",") != "1,2,3,4,5" || !strings.Contains(m.Text, "How did we do?") {
			t.Fatalf("the text part's scale is %v:\n%s", scores, m.Text)
		}
		if h, _ := links(t, strings.ReplaceAll(m.HTML, "&amp;", "&")); h != token || !strings.Contains(m.HTML, "#0f766e") {
			t.Errorf("the HTML part lacks the links or the tenant's colour:\n%s", m.HTML)
		}

		// The link opens the survey, unanswered; it names nothing it should not.
		ctx := context.Background()
		page, err := natsx.Call(ctx, r.nc, contracts.NotifySurveyGet, contracts.SurveyTokenRequest{Token: token})
		want := contracts.SurveyPage{TenantName: "Acme Shoes", Color: "#0f766e", Locale: "en", Scale: contracts.ScaleFive}
		if err != nil || page != want {
			t.Fatalf("page = %+v, %v; want %+v", page, err, want)
		}
		if s.rateCount() != 0 {
			t.Fatal("opening the survey rated it")
		}

		_, err = natsx.Call(ctx, r.nc, contracts.NotifySurveyAnswer, contracts.SurveyAnswerRequest{Token: token, Score: 6})
		if apperr.CodeOf(err) != apperr.Invalid || !strings.Contains(err.Error(), "score") {
			t.Fatalf("score 6: %v, want invalid score", err)
		}
		page, err = natsx.Call(ctx, r.nc, contracts.NotifySurveyAnswer, contracts.SurveyAnswerRequest{Token: token, Score: 4, Comment: "  Quick and kind "})
		if err != nil || page.Rated == nil || page.Rated.Score != 4 || page.Rated.Comment != "Quick and kind" || page.TenantName != "Acme Shoes" {
			t.Fatalf("answer: %+v, %v", page, err)
		}
		if got := s.rate(0); got.Actor != (contracts.Actor{TenantID: s.tenantID, Type: contracts.AuthorVisitor, ID: v.ID}) || got.ConversationID != convID || got.Resolution != 1 {
			t.Fatalf("rated as %+v", got)
		}
		// Answering again shows the first answer; nothing is rated twice.
		page, err = natsx.Call(ctx, r.nc, contracts.NotifySurveyAnswer, contracts.SurveyAnswerRequest{Token: token, Score: 1})
		if err != nil || page.Rated == nil || page.Rated.Score != 4 {
			t.Fatalf("second answer: %+v, %v", page, err)
		}
		if got := s.rating(convID); got.Score != 4 {
			t.Fatalf("the rating became %d", got.Score)
		}

		// A tampered, an expired and a made-up token find nothing.
		var key surveytoken.Key
		if err := sql.Global(ctx, func(tx *gorm.DB) error {
			var row struct {
				ID     int
				Secret []byte
			}
			err := tx.Raw(`SELECT id, secret FROM reply_keys ORDER BY id DESC LIMIT 1`).Scan(&row).Error
			key = surveytoken.Key{ID: byte(row.ID), Secret: row.Secret}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		expired, err := surveytoken.Sign(key, surveytoken.Claims{
			TenantID: s.tenantID, ConversationID: convID, VisitorID: v.ID, Resolution: 1, Scale: contracts.ScaleFive, Locale: "en", ExpiresAt: time.Now().Add(-time.Second),
		})
		if err != nil {
			t.Fatal(err)
		}
		tampered := []byte(token)
		tampered[20] ^= 1
		for name, tok := range map[string]string{"tampered": string(tampered), "expired": expired, "made up": "s1" + ids.Secret(40)} {
			if _, err := natsx.Call(ctx, r.nc, contracts.NotifySurveyGet, contracts.SurveyTokenRequest{Token: tok}); apperr.CodeOf(err) != apperr.NotFound {
				t.Errorf("get with a %s token: %v, want not found", name, err)
			}
			if _, err := natsx.Call(ctx, r.nc, contracts.NotifySurveyAnswer, contracts.SurveyAnswerRequest{Token: tok, Score: 5}); apperr.CodeOf(err) != apperr.NotFound {
				t.Errorf("answer with a %s token: %v, want not found", name, err)
			}
		}
		if n := s.rateCount(); n != 2 {
			t.Fatalf("%d rate calls, want 2", n)
		}

		// The same resolution resolved again (a redelivered event) emails
		// nothing new: the next conversation's email proves the worker passed it.
		s.mu.Lock()
		s.convs[convID].Survey = &contracts.SurveyPrompt{Scale: contracts.ScaleFive, Resolution: 1}
		s.mu.Unlock()
		r.publish(contracts.ConversationActivityEvent, s.tenantID, contracts.Activity{
			ID: ids.New(), ConversationID: convID, Kind: contracts.ActivityResolved, At: time.Now(), Resolution: 1, Surveyed: true,
		})
		s.resolve(t, r, sql, "next-"+tag+"@example.com", "", contracts.ScaleFive)
		mp.WaitFor(t, "next-"+tag+"@example.com", 1, 20*time.Second)
		if got, _ := mp.To("vera-" + tag + "@example.com"); len(got) != 1 {
			t.Fatalf("%d survey emails for one resolution, want 1", len(got))
		}
	})
}

// Rated in the widget, reopened, without an address or unsubscribed: no
// survey email. A last conversation's email (due after them all) shows
// the worker passed them.
func TestNoSurveyEmailWhenRatedReopenedAddresslessOrUnsubscribed(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		mp := testkit.StartMailpit(t)
		r, sql := startWith(t, d, mp, map[string]string{"PARLEY_NOTIFY_VISITOR_DELAY": "1s"})
		s := newSurveyed(t, r)
		tag := ids.New()[24:]

		rated, _ := s.resolve(t, r, sql, "rated-"+tag+"@example.com", "", contracts.ScaleFive)
		s.mu.Lock()
		s.convs[rated].Survey, s.convs[rated].Rating = nil, &contracts.Rating{Score: 5, Resolution: 1}
		s.mu.Unlock()
		s.activity(r, rated, contracts.ActivityRated, &contracts.Rating{Score: 5, Resolution: 1})

		reopened, _ := s.resolve(t, r, sql, "reopened-"+tag+"@example.com", "", contracts.ScaleFive)
		s.mu.Lock()
		s.convs[reopened].Survey, s.convs[reopened].Status = nil, contracts.StatusOpen
		s.mu.Unlock()
		s.activity(r, reopened, contracts.ActivityReopened, nil)

		s.resolve(t, r, sql, "", "", contracts.ScaleFive)

		if err := sql.Tenant(context.Background(), s.tenantID, func(tx *gorm.DB) error {
			return tx.Exec(`INSERT INTO suppressions (tenant_id, email, created_at) VALUES (?, ?, ?)`, s.tenantID, "gone-"+tag+"@example.com", time.Now()).Error
		}); err != nil {
			t.Fatal(err)
		}
		s.resolve(t, r, sql, "gone-"+tag+"@example.com", "", contracts.ScaleFive)

		// The control: thumbs, in French.
		s.resolve(t, r, sql, "last-"+tag+"@example.com", "fr-CA", contracts.ScaleThumbs)
		m := mp.WaitFor(t, "last-"+tag+"@example.com", 1, 20*time.Second)[0]
		if _, scores := links(t, m.Text); strings.Join(scores, ",") != "1,5" || m.Subject != "Votre avis ? Votre conversation avec Acme Shoes" {
			t.Errorf("thumbs in French: %q, scores %v", m.Subject, scores)
		}
		token, _ := links(t, m.Text)
		page, err := natsx.Call(context.Background(), r.nc, contracts.NotifySurveyGet, contracts.SurveyTokenRequest{Token: token})
		if err != nil || page.Locale != "fr" || page.Scale != contracts.ScaleThumbs {
			t.Errorf("page %+v, %v", page, err)
		}
		if _, err := natsx.Call(context.Background(), r.nc, contracts.NotifySurveyAnswer, contracts.SurveyAnswerRequest{Token: token, Score: 3}); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("3 on the thumbs scale: %v, want invalid", err)
		}
		all, err := mp.Messages()
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 1 {
			var to []string
			for _, m := range all {
				to = append(to, m.To[0].Address)
			}
			t.Fatalf("emails to %v, want only the last one", to)
		}
		if rows := testkit.RowsContaining(t, sql, s.tenantID, "gone-"+tag); len(rows) != 1 {
			t.Errorf("rows naming the unsubscribed address: %v (want only its suppression)", rows)
		}
	})
}
