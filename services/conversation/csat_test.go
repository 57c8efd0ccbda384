package conversation_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/pkg/testkit"
)

// surveyDesk is a tenant with an agent, for the survey tests.
type surveyDesk struct {
	e      *env
	tenant string
	agent  contracts.Actor
}

func newSurveyDesk(t *testing.T, e *env, survey contracts.SurveySettings, bot contracts.BotConfig) surveyDesk {
	e.mu.Lock()
	e.settings.Survey, e.bot = survey, bot
	e.mu.Unlock()
	tenant := ids.New()
	return surveyDesk{e: e, tenant: tenant,
		agent: contracts.Actor{TenantID: tenant, Type: contracts.AuthorAgent, ID: ids.New(), Role: contracts.RoleAgent, Name: "Grace"}}
}

func (s surveyDesk) say(t *testing.T, who contracts.Actor, conv, body string) {
	t.Helper()
	call(t, s.e, contracts.ConversationSend, contracts.SendRequest{Actor: who, ConversationID: conv, Body: body, ClientMsgID: ids.New()})
}

func (s surveyDesk) resolve(t *testing.T, conv string) contracts.Conversation {
	t.Helper()
	resolved := contracts.StatusResolved
	return call(t, s.e, contracts.ConversationUpdate, contracts.UpdateRequest{Actor: s.agent, ConversationID: conv, Status: &resolved})
}

// activities are the conversation's stored activities, oldest first.
func activities(t *testing.T, e *env, tenant, conv string) []contracts.Activity {
	t.Helper()
	table := "activities"
	if e.d.Name == "postgres" {
		table = `"` + e.d.Schema("conversation") + `".activities`
	}
	var out []contracts.Activity
	for _, r := range query(t, e, fmt.Sprintf("SELECT payload FROM %s WHERE tenant_id = '%s' AND conversation_id = '%s' ORDER BY at, id", table, tenant, conv)) {
		var a contracts.Activity
		if err := json.Unmarshal([]byte(r["payload"]), &a); err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

func kinds(acts []contracts.Activity) []string {
	var out []string
	for _, a := range acts {
		out = append(out, a.Kind)
	}
	return out
}

func TestRatingsOnceAResolution(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		e := start(t, d)
		s := newSurveyDesk(t, e, contracts.SurveySettings{Enabled: true, Scale: contracts.ScaleFive}, contracts.BotConfig{})
		ada := visitor(s.tenant)
		conv := call(t, e, contracts.ConversationStart, contracts.StartRequest{Actor: ada, Body: "My parcel is damaged", ClientMsgID: ids.New()}).Conversation.ID
		s.say(t, s.agent, conv, "Sorry to hear that, a new one is on its way")
		c := s.resolve(t, conv)
		if c.Resolutions != 1 || c.Survey == nil || *c.Survey != (contracts.SurveyPrompt{Scale: contracts.ScaleFive, Resolution: 1}) || c.Rating != nil {
			t.Fatalf("resolved: resolutions %d survey %+v rating %+v", c.Resolutions, c.Survey, c.Rating)
		}
		rate := func(who contracts.Actor, resolution, score int, comment string) (contracts.VisitorConversation, error) {
			return try(e, contracts.ConversationRate, contracts.RateRequest{Actor: who, ConversationID: conv, Resolution: resolution, Score: score, Comment: comment})
		}
		_, err := rate(ada, 1, 0, "")
		wantCode(t, err, apperr.Invalid, "score")
		_, err = rate(ada, 1, 6, "")
		wantCode(t, err, apperr.Invalid, "score")
		_, err = rate(ada, 1, 4, "bad \x00 byte")
		wantCode(t, err, apperr.Invalid, "comment")
		_, err = rate(ada, 2, 4, "")
		wantCode(t, err, apperr.Conflict, "")
		_, err = rate(visitor(s.tenant), 1, 4, "")
		wantCode(t, err, apperr.NotFound, "conversation not found")
		other := ada
		other.TenantID = ids.New()
		_, err = rate(other, 1, 4, "")
		wantCode(t, err, apperr.NotFound, "conversation not found")
		_, err = rate(s.agent, 1, 4, "")
		wantCode(t, err, apperr.Forbidden, "")

		got, err := rate(ada, 1, 4, "  Quick and kind  ")
		if err != nil {
			t.Fatal(err)
		}
		want := contracts.Rating{Score: 4, Scale: contracts.ScaleFive, Comment: "Quick and kind", Resolution: 1, AgentID: s.agent.ID}
		if got.Survey != nil || got.Rating == nil || !sameRating(*got.Rating, want) {
			t.Fatalf("after rating: survey %+v rating %+v", got.Survey, got.Rating)
		}
		_, err = rate(ada, 1, 5, "")
		wantCode(t, err, apperr.Conflict, "")
		seen := call(t, e, contracts.ConversationGet, contracts.ConversationRequest{Actor: s.agent, ConversationID: conv})
		if seen.Rating == nil || !sameRating(*seen.Rating, want) || seen.Survey != nil {
			t.Fatalf("the agent sees rating %+v survey %+v", seen.Rating, seen.Survey)
		}
		page := call(t, e, contracts.ConversationList, contracts.ListRequest{Actor: s.agent})
		if len(page.Conversations) != 1 || page.Conversations[0].Rating == nil || page.Conversations[0].Rating.Score != 4 {
			t.Fatalf("the inbox list: %+v", page.Conversations)
		}

		// The visitor writes again: reopened, the survey gone; resolved again: a new one.
		s.say(t, ada, conv, "Actually, one more thing")
		reopened := call(t, e, contracts.ConversationGet, contracts.ConversationRequest{Actor: s.agent, ConversationID: conv})
		if reopened.Status != contracts.StatusOpen || reopened.Survey != nil || reopened.Rating == nil {
			t.Fatalf("reopened: %s survey %+v rating %+v", reopened.Status, reopened.Survey, reopened.Rating)
		}
		_, err = rate(ada, 1, 5, "")
		wantCode(t, err, apperr.Conflict, "")
		if c = s.resolve(t, conv); c.Resolutions != 2 || c.Survey == nil || c.Survey.Resolution != 2 {
			t.Fatalf("resolved again: %d %+v", c.Resolutions, c.Survey)
		}
		if got, err = rate(ada, 2, 5, ""); err != nil || got.Rating.Score != 5 || got.Rating.Resolution != 2 {
			t.Fatalf("second rating: %+v %v", got.Rating, err)
		}

		acts := activities(t, e, s.tenant, conv)
		if k := kinds(acts); !slices.Equal(k, []string{"reached_team", "resolved", "rated", "reopened", "resolved", "rated"}) {
			t.Fatalf("activities %v", k)
		}
		if r := acts[1]; r.Resolution != 1 || !r.Surveyed || r.By.ID != s.agent.ID || r.AssigneeID != s.agent.ID {
			t.Errorf("resolved activity %+v", r)
		}
		if r := acts[3]; r.By.Type != contracts.AuthorVisitor || r.By.ID != ada.ID {
			t.Errorf("reopened activity %+v", r)
		}
		// Each one is on the stream too, once.
		testkit.Eventually(t, 10*time.Second, func() error {
			if n := len(eventsOf(t, e, s.tenant, contracts.ConversationActivityEvent)); n != 6 {
				return fmt.Errorf("%d activity events", n)
			}
			return nil
		})
		mine := call(t, e, contracts.ConversationVisitorExport, contracts.VisitorDataRequest{Actor: ada, VisitorID: ada.ID})
		if len(mine.Conversations) != 1 || len(mine.Conversations[0].Ratings) != 2 || mine.Conversations[0].Ratings[0].Comment != "Quick and kind" {
			t.Fatalf("the visitor's export: %+v", mine.Conversations)
		}
	})
}

func sameRating(got, want contracts.Rating) bool {
	got.RatedAt = time.Time{}
	return got == want
}

func TestSurveyScalesAndSwitchingItOff(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		e := start(t, d)
		thumbs := newSurveyDesk(t, e, contracts.SurveySettings{Enabled: true, Scale: contracts.ScaleThumbs}, contracts.BotConfig{})
		ada := visitor(thumbs.tenant)
		conv := call(t, e, contracts.ConversationStart, contracts.StartRequest{Actor: ada, Body: "Hi", ClientMsgID: ids.New()}).Conversation.ID
		if c := thumbs.resolve(t, conv); c.Survey == nil || c.Survey.Scale != contracts.ScaleThumbs {
			t.Fatalf("thumbs survey %+v", c.Survey)
		}
		_, err := try(e, contracts.ConversationRate, contracts.RateRequest{Actor: ada, ConversationID: conv, Resolution: 1, Score: 3})
		wantCode(t, err, apperr.Invalid, "score")
		up := call(t, e, contracts.ConversationRate, contracts.RateRequest{Actor: ada, ConversationID: conv, Resolution: 1, Score: 5})
		if up.Rating == nil || up.Rating.Scale != contracts.ScaleThumbs || up.Rating.Score != 5 {
			t.Fatalf("thumbs up: %+v", up.Rating)
		}

		off := newSurveyDesk(t, e, contracts.SurveySettings{Enabled: false, Scale: contracts.ScaleFive}, contracts.BotConfig{})
		bob := visitor(off.tenant)
		conv = call(t, e, contracts.ConversationStart, contracts.StartRequest{Actor: bob, Body: "Hi", ClientMsgID: ids.New()}).Conversation.ID
		if c := off.resolve(t, conv); c.Survey != nil || c.Resolutions != 1 {
			t.Fatalf("survey off, yet %+v", c.Survey)
		}
		_, err = try(e, contracts.ConversationRate, contracts.RateRequest{Actor: bob, ConversationID: conv, Resolution: 1, Score: 5})
		wantCode(t, err, apperr.Conflict, "")
		if acts := activities(t, e, off.tenant, conv); len(acts) != 2 || acts[1].Surveyed {
			t.Fatalf("activities without a survey: %+v", acts)
		}
	})
}

func TestTheBotResolvesAndRecordsWhatItCouldNotAnswer(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		e := start(t, d)
		bot := contracts.BotConfig{Enabled: true, Name: "Robin", Skills: []string{contracts.SkillFAQ},
			FAQ: contracts.FAQConfig{Threshold: 0.5, Entries: []contracts.FAQEntry{{ID: ids.New(), Question: "How long does shipping take", Answer: "Two days."}}}}
		s := newSurveyDesk(t, e, contracts.SurveySettings{Enabled: true, Scale: contracts.ScaleFive}, bot)
		ada := visitor(s.tenant)
		conv := call(t, e, contracts.ConversationStart, contracts.StartRequest{Actor: ada, Body: "Do you sell gift cards?", ClientMsgID: ids.New()}).Conversation.ID
		waitMessages(t, e, ada, conv, 2)
		s.say(t, ada, conv, "how long does shipping take")
		msgs := waitMessages(t, e, ada, conv, 4)
		var answer contracts.QuickReplies
		if err := json.Unmarshal(msgs[3].Payload, &answer); err != nil || msgs[3].Body != "Two days." {
			t.Fatalf("the answer: %q %s", msgs[3].Body, msgs[3].Payload)
		}
		if len(answer.Options) != 2 || answer.Options[0].Value != "resolve" || answer.Options[1].Value != "handoff" {
			t.Fatalf("the answer offers %+v", answer.Options)
		}
		s.say(t, ada, conv, "resolve")
		testkit.Eventually(t, 10*time.Second, func() error {
			c := call(t, e, contracts.ConversationGet, contracts.ConversationRequest{Actor: s.agent, ConversationID: conv})
			if c.Status != contracts.StatusResolved || c.Survey == nil {
				return fmt.Errorf("status %s survey %+v", c.Status, c.Survey)
			}
			return nil
		})
		acts := activities(t, e, s.tenant, conv)
		if k := kinds(acts); !slices.Equal(k, []string{"bot_missed", "resolved"}) {
			t.Fatalf("activities %v", k)
		}
		if m := acts[0]; m.Question != "Do you sell gift cards?" || m.Seq != 1 || m.By.Type != contracts.AuthorBot {
			t.Errorf("bot_missed %+v", m)
		}
		if r := acts[1]; r.By.Type != contracts.AuthorBot || r.Resolution != 1 || !r.Surveyed {
			t.Errorf("resolved by the bot %+v", r)
		}

		// Asking for a person hands it to the team.
		bob := visitor(s.tenant)
		conv = call(t, e, contracts.ConversationStart, contracts.StartRequest{Actor: bob, Body: "I want to talk to a person", ClientMsgID: ids.New()}).Conversation.ID
		testkit.Eventually(t, 10*time.Second, func() error {
			if k := kinds(activities(t, e, s.tenant, conv)); !slices.Equal(k, []string{"reached_team"}) {
				return fmt.Errorf("activities %v", k)
			}
			return nil
		})
	})
}

// waitMessages polls until the conversation has n messages, and returns them.
func waitMessages(t *testing.T, e *env, who contracts.Actor, conv string, n int) []contracts.Message {
	t.Helper()
	var msgs []contracts.Message
	testkit.Eventually(t, 10*time.Second, func() error {
		msgs = call(t, e, contracts.ConversationMessages, contracts.MessagesRequest{Actor: who, ConversationID: conv}).Messages
		if len(msgs) != n {
			return fmt.Errorf("%d messages, want %d", len(msgs), n)
		}
		return nil
	})
	return msgs
}
