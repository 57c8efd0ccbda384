package conversation_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/pkg/testkit"
)

// messageEvents waits for n message.created events of the tenant and decodes them.
func messageEvents(t *testing.T, e *env, tenant string, n int) []contracts.MessageCreated {
	t.Helper()
	var out []contracts.MessageCreated
	testkit.Eventually(t, 10*time.Second, func() error {
		out = nil
		for _, env := range eventsOf(t, e, tenant, contracts.ConversationMessageCreated) {
			var ev contracts.MessageCreated
			if err := env.Decode(&ev); err != nil {
				t.Fatal(err)
			}
			out = append(out, ev)
		}
		if len(out) != n {
			return fmt.Errorf("%d message.created events, want %d", len(out), n)
		}
		return nil
	})
	return out
}

// A message's event is slim: the conversation's brief always, the whole
// conversation only when the message changed more than its own fields (the
// first message, an agent's reply claiming it, a visitor's message reopening
// it). Without a bot, no message is the bot's.
func TestMessageEventsCarryTheWholeConversationOnlyWhenMoreChanged(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		e := start(t, d)
		desk := newSurveyDesk(t, e, contracts.SurveySettings{}, contracts.BotConfig{})
		v := visitor(desk.tenant)
		conv := call(t, e, contracts.ConversationStart, contracts.StartRequest{Actor: v, Body: "hello", ClientMsgID: ids.New()}).Conversation.ID
		desk.say(t, v, conv, "are you there?")
		desk.say(t, desk.agent, conv, "yes, Grace here") // claims it
		desk.say(t, desk.agent, conv, "anything else?")
		desk.resolve(t, conv)
		desk.say(t, v, conv, "one more thing") // reopens it

		evs := messageEvents(t, e, desk.tenant, 5)
		whole := map[int64]bool{1: true, 3: true, 5: true}
		for _, ev := range evs {
			m, b := ev.Message, ev.Brief
			if (ev.Conversation != nil) != whole[m.Seq] {
				t.Errorf("message %d (%q) carries the whole conversation: %v", m.Seq, m.Body, ev.Conversation != nil)
			}
			if b.ID != conv || b.Visitor.ID != v.ID || b.LastSeq != m.Seq || b.Status != contracts.StatusOpen {
				t.Errorf("message %d: brief %+v", m.Seq, b)
			}
			if s := ev.Summary(); s.LastMessage == nil || s.LastMessage.Body != m.Body || s.ID != conv {
				t.Errorf("message %d: summary %+v", m.Seq, s)
			}
		}
		if got := evs[1].Brief; got.UnreadCount != 2 || got.AssigneeID != "" {
			t.Errorf("after the visitor's second message: %+v", got)
		}
		if got := evs[3].Brief; got.UnreadCount != 0 || got.AssigneeID != desk.agent.ID || got.AgentReadSeq != 4 {
			t.Errorf("after the agent's second reply: %+v", got)
		}
		if asked := eventsOf(t, e, desk.tenant, contracts.ConversationBotAsked); len(asked) != 0 {
			t.Errorf("%d bot.asked events without a bot", len(asked))
		}
	})
}

// The bot's consumer reads bot.asked, which only visitors' messages to a
// conversation it answers publish: never its own answers, nor an agent's.
func TestTheBotIsAskedOnlyByVisitorsMessages(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		e := start(t, d)
		desk := newSurveyDesk(t, e, contracts.SurveySettings{}, contracts.BotConfig{Enabled: true})
		v := visitor(desk.tenant)
		conv := call(t, e, contracts.ConversationStart, contracts.StartRequest{Actor: v, Body: "hello", ClientMsgID: ids.New()}).Conversation.ID
		// The bot answers the first message; then the visitor asks again.
		testkit.Eventually(t, 10*time.Second, func() error {
			if n := len(eventsOf(t, e, desk.tenant, contracts.ConversationMessageCreated)); n < 2 {
				return fmt.Errorf("%d messages: the bot has not answered", n)
			}
			return nil
		})
		desk.say(t, v, conv, "a second question")
		testkit.Eventually(t, 10*time.Second, func() error {
			if n := len(eventsOf(t, e, desk.tenant, contracts.ConversationMessageCreated)); n < 4 {
				return fmt.Errorf("%d messages: the bot has not answered again", n)
			}
			return nil
		})
		desk.say(t, desk.agent, conv, "Grace here, I'll take it") // takes over from the bot
		desk.say(t, v, conv, "thanks")                            // to an agent now: not the bot's
		var visitors int
		testkit.Eventually(t, 10*time.Second, func() error {
			visitors = 0
			for _, env := range eventsOf(t, e, desk.tenant, contracts.ConversationMessageCreated) {
				var ev contracts.MessageCreated
				_ = env.Decode(&ev)
				if ev.Message.Author.Type == contracts.AuthorVisitor {
					visitors++
				}
			}
			if visitors != 3 {
				return fmt.Errorf("%d visitor messages stored", visitors)
			}
			return nil
		})
		asked := eventsOf(t, e, desk.tenant, contracts.ConversationBotAsked)
		if len(asked) != 2 {
			t.Fatalf("%d bot.asked events, want 2 (the visitor's messages while the bot had the conversation)", len(asked))
		}
		for _, env := range asked {
			var a contracts.BotAsked
			if err := env.Decode(&a); err != nil || a.Message.Author.Type != contracts.AuthorVisitor || a.Message.ConversationID != conv {
				t.Errorf("bot.asked %+v, %v", a, err)
			}
		}
	})
}
