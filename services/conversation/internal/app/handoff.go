package app

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/services/conversation/internal/store"
)

// The hand-off state machine: a conversation with a bot starts in "bot";
// the visitor (asking for a person), the bot (stuck, or a skill deciding)
// or an agent moves it to "queued"; routing or an agent taking over moves it
// to "agent", with a system line saying who joined; an agent may hand it
// back to "bot". Conversations of tenants without a bot start in "agent".

// defaultWait is the expected wait per place in the queue when there is no
// history to average.
const defaultWait = time.Minute

// queuePlace is where a queued conversation stands, and how long it may wait.
func queuePlace(tx *store.Tx, c store.Conversation) (*contracts.QueuePlace, error) {
	if !c.Waiting() {
		return nil, nil
	}
	pos, err := tx.QueuePosition(c)
	if err != nil {
		return nil, err
	}
	avg, err := tx.AverageWait(20)
	if err != nil {
		return nil, err
	}
	if avg <= 0 {
		avg = defaultWait
	}
	return &contracts.QueuePlace{Position: pos, WaitSeconds: int((time.Duration(pos) * avg).Seconds())}, nil
}

// Handoff moves a conversation through the state machine on an agent's (or
// API key bot's) request: take over ("agent"), queue ("queued"), or hand
// back to the bot ("bot").
func (a *App) Handoff(ctx context.Context, r contracts.HandoffRequest) (contracts.Conversation, error) {
	var out contracts.Conversation
	if err := requireMember(r.Actor); err != nil {
		return out, err
	}
	if r.To != contracts.HandoffAgent && r.To != contracts.HandoffQueued && r.To != contracts.HandoffBot {
		return out, apperr.InvalidField("to", `to must be "agent", "queued" or "bot"`)
	}
	if r.To == contracts.HandoffAgent && r.Actor.Type != contracts.AuthorAgent {
		return out, apperr.New(apperr.Forbidden, "only a member of the team can take a conversation over")
	}
	settings, err := a.settings.Get(ctx, r.Actor.TenantID)
	if err != nil {
		return out, err
	}
	bot, err := a.bots.Get(ctx, r.Actor.TenantID)
	if err != nil {
		return out, err
	}
	if r.To == contracts.HandoffBot && !bot.Enabled {
		return out, apperr.New(apperr.Conflict, "the bot is off: turn it on in Bots before handing a conversation back to it")
	}
	err = a.store.Tenant(ctx, r.Actor.TenantID, func(tx *store.Tx) error {
		c, err := conversationFor(tx, r.Actor, r.ConversationID, true)
		if err != nil {
			return err
		}
		if c.Handoff == r.To {
			out, err = view(tx, c)
			return err
		}
		v, _, err := tx.Visitor(c.VisitorID)
		if err != nil {
			return err
		}
		now := a.now()
		var msgs []store.Message
		if c.Handoff == contracts.HandoffBot && r.To != contracts.HandoffBot {
			if err := reachedTeam(tx, &c, actorAuthor(r.Actor), now); err != nil {
				return err
			}
		}
		switch r.To {
		case contracts.HandoffAgent:
			var m store.Message
			m, err = a.join(tx, &c, v, r.Actor, now)
			msgs = append(msgs, m)
		case contracts.HandoffQueued:
			msgs, err = a.enqueue(tx, bot, &c, v, settings, now)
		case contracts.HandoffBot:
			c.Handoff, c.BotState, c.BotMisses = contracts.HandoffBot, "", 0
			c.SetAssignee("")
			c.UpdatedAt = now
			var m store.Message
			m, err = a.write(tx, &c, v, systemLine(fmt.Sprintf("%s handed the conversation back to the assistant.", r.Actor.Name)), now)
			msgs = append(msgs, m)
		}
		if err != nil {
			return err
		}
		if out, err = a.publish(tx, c, v, msgs...); err != nil {
			return err
		}
		if err := tx.Emit(contracts.ConversationUpdatedEvent, contracts.ConversationUpdated{Conversation: out}); err != nil {
			return err
		}
		assigned, err := a.fillQueue(tx, settings.AgentOpenLimit, now)
		if err != nil {
			return err
		}
		if len(assigned) == 0 { // fillQueue announces the line when it moved
			if err := a.announceQueue(tx); err != nil {
				return err
			}
		}
		if len(assigned) > 0 { // this conversation found an agent, or its place moved
			out, err = reload(tx, c.ID)
		}
		return err
	})
	return out, err
}

// join gives the conversation to an agent: assigned, with the team, and a
// system line that says who joined. It writes the line; the caller publishes it.
func (a *App) join(tx *store.Tx, c *store.Conversation, v store.Visitor, agent contracts.Actor, now time.Time) (store.Message, error) {
	name := agent.Name
	if name == "" {
		name = "An agent"
	}
	c.HandToAgent(agent.ID, now)
	a.names.remember(c.TenantID, agent.ID, agent.Name)
	return a.write(tx, c, v, systemLine(name+" joined the conversation."), now)
}

// enqueue puts a conversation in the queue for a person. When nobody can
// answer soon — no agent online, or outside business hours — the bot says
// so and asks for an email to follow up.
func (a *App) enqueue(tx *store.Tx, bot Bot, c *store.Conversation, v store.Visitor, settings contracts.Settings, now time.Time) ([]store.Message, error) {
	c.HandToQueue(now)
	online, err := tx.OnlineAgents()
	if err != nil {
		return nil, err
	}
	avail := settings.BusinessHours.At(now)
	if avail.Open && len(online) > 0 {
		c.BotState = ""
		m, err := a.write(tx, c, v, botText(bot, "I'm connecting you with a person. You'll see your place in the queue here.", false), now)
		return []store.Message{m}, err
	}
	text := "Our team is away right now" + backAt(avail, visitorClock(v, settings)) + "."
	if avail.Open {
		text = "Nobody from our team is online right now."
	}
	if v.Email == "" {
		text += " Leave your email and we'll get back to you."
		c.BotState = encodeState(botState{Await: awaitFollowUpEmail})
	}
	m, err := a.write(tx, c, v, botText(bot, text, false), now)
	return []store.Message{m}, err
}

// handOver is the visitor's (or the stuck bot's) request for a person. After
// business hours nobody answers soon, so the conversation stays with the bot,
// which says so once and asks for an email to follow up on — queueing it would
// promise a place in line and a wait that nobody keeps. It reports whether
// the conversation was queued.
func (a *App) handOver(tx *store.Tx, bot Bot, c *store.Conversation, v store.Visitor, settings contracts.Settings, now time.Time) ([]store.Message, bool, error) {
	if err := reachedTeam(tx, c, actorAuthor(bot.author()), now); err != nil {
		return nil, false, err
	}
	avail := settings.BusinessHours.At(now)
	if avail.Open {
		msgs, err := a.enqueue(tx, bot, c, v, settings, now)
		return msgs, true, err
	}
	c.BotMisses, c.BotState, c.UpdatedAt = 0, "", now
	text := "Our team is away right now" + backAt(avail, visitorClock(v, settings)) + "."
	if v.Email == "" {
		text += " Leave your email and we'll get back to you."
		c.BotState = encodeState(botState{Await: awaitFollowUpEmail})
	} else {
		text += " We'll get back to you at " + v.Email + "."
		labelFollowUp(c)
	}
	m, err := a.write(tx, c, v, botText(bot, text, false), now)
	return []store.Message{m}, false, err
}

// followUpLabel marks conversations the team owes an answer by email; the
// inbox filters on it.
const followUpLabel = "follow-up"

func labelFollowUp(c *store.Conversation) {
	if labels := c.LabelList(); !slices.Contains(labels, followUpLabel) {
		c.SetLabels(append(labels, followUpLabel))
	}
}

// backAt says when the team is back, on the visitor's clock, or nothing
// when it does not know.
func backAt(avail contracts.Availability, loc *time.Location) string {
	if avail.Open || avail.NextOpenAt == nil {
		return ""
	}
	return " — we're back " + avail.NextOpenAt.In(loc).Format("Mon 2 Jan at 15:04 MST")
}

// visitorClock is the visitor's time zone when the widget told it, else the
// business's own.
func visitorClock(v store.Visitor, settings contracts.Settings) *time.Location {
	for _, tz := range []string{v.Timezone, settings.BusinessHours.Timezone} {
		if loc, err := time.LoadLocation(tz); err == nil && tz != "" && tz != "Local" {
			return loc
		}
	}
	return time.UTC
}

// announceQueue tells every queued conversation of the tenant its new place.
func (a *App) announceQueue(tx *store.Tx) error {
	queued, err := tx.QueuedList(50)
	if err != nil {
		return err
	}
	for _, c := range queued {
		conv, err := view(tx, c)
		if err != nil {
			return err
		}
		if err := tx.Emit(contracts.ConversationUpdatedEvent, contracts.ConversationUpdated{Conversation: conv}); err != nil {
			return err
		}
	}
	return nil
}

// systemLine is a line from Parley itself (who joined, who handed back).
func systemLine(text string) draft {
	return draft{actor: contracts.Actor{Type: contracts.AuthorSystem}, kind: contracts.KindEvent, body: text}
}
