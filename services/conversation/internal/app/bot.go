package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/pkg/validate"
	"github.com/parley-chat/parley/services/conversation/internal/domain"
	"github.com/parley-chat/parley/services/conversation/internal/egress"
	"github.com/parley-chat/parley/services/conversation/internal/store"
)

// The bot answers visitors' messages in conversations in the "bot" state.
// It runs as a consumer of message.created events (so a crash between a
// visitor's message and the answer only delays the answer), decides outside
// any transaction — a skill may call the tenant's server for up to five
// seconds — and writes its answer in one transaction that records the event
// as handled, so a redelivery never answers twice.

// Quick-reply values the bot gives itself.
const (
	valueFAQ     = "faq:"     // faq:<entry id>
	valueService = "service:" // service:<id>
	valueSlot    = "slot:"    // slot:<service id>:<unix seconds>
)

// Questions the bot may be waiting for an answer to.
const (
	awaitOrderNumber   = "order_number"
	awaitBookingName   = "booking_name"
	awaitBookingEmail  = "booking_email"
	awaitFollowUpEmail = "follow_up_email"
)

// botState is what the bot is in the middle of, kept on the conversation.
type botState struct {
	Await   string `json:"await,omitempty"`
	Service string `json:"service,omitempty"`
	Slot    int64  `json:"slot,omitempty"`
	Name    string `json:"name,omitempty"`
	Tries   int    `json:"tries,omitempty"`
}

func encodeState(s botState) string {
	if s == (botState{}) {
		return ""
	}
	b, _ := json.Marshal(s)
	return string(b)
}

func decodeState(s string) botState {
	var st botState
	_ = json.Unmarshal([]byte(s), &st)
	return st
}

// reply is what the bot decided to do about one message.
type reply struct {
	drafts   []draft
	state    botState
	miss     bool // the bot had no answer
	handoff  bool // queue for a person
	resolve  bool // the visitor is done: resolve the conversation
	name     string
	email    string
	followUp bool  // label the conversation for follow-up
	book     *slot // a booking to make, checked under the calendar lock
}

type slot struct {
	service contracts.AppointmentService
	start   time.Time
	name    string
	email   string
}

// OnAsked is the bot's event handler: a visitor's message to a conversation
// the bot answers (bot.asked).
func (a *App) OnAsked(ctx context.Context, env contracts.Envelope) error {
	var e contracts.BotAsked
	if err := env.Decode(&e); err != nil || e.Message.Author.Type != contracts.AuthorVisitor {
		return apperr.New(apperr.Invalid, "bad bot.asked payload")
	}
	bot, err := a.bots.Get(ctx, env.TenantID)
	if err != nil || !bot.Enabled {
		return err
	}
	bot = a.withinPlan(ctx, env.TenantID, bot)
	settings, err := a.settings.Get(ctx, env.TenantID)
	if err != nil {
		return err
	}
	var c store.Conversation
	var v store.Visitor
	err = a.store.Tenant(ctx, env.TenantID, func(tx *store.Tx) (err error) {
		if c, err = tx.Conversation(e.Message.ConversationID); err != nil {
			return err
		}
		v, _, err = tx.Visitor(c.VisitorID)
		return err
	})
	if apperr.Is(err, apperr.NotFound) || err == nil && !botAnswers(c) {
		return nil
	}
	if err != nil {
		return err
	}
	if c.Handoff == contracts.HandoffQueued {
		// Waiting for a person: the bot only takes the email it asked for.
		email, ok := parseEmail(strings.TrimSpace(e.Message.Body))
		if !ok {
			return nil
		}
		return a.apply(ctx, env, bot, settings, e.Message, followUpAt(bot, email))
	}
	r, err := a.respond(ctx, bot, settings, c, v, e.Message)
	if err != nil {
		return err // retried: the tenant's own bot did not take the event
	}
	return a.apply(ctx, env, bot, settings, e.Message, r)
}

// botAnswers says whether the bot answers the conversation's visitor: while
// it has the conversation, and, once queued for a person, to take the email
// it asked for when nobody could answer soon.
func botAnswers(c store.Conversation) bool {
	return c.Handoff == contracts.HandoffBot ||
		c.Handoff == contracts.HandoffQueued && decodeState(c.BotState).Await == awaitFollowUpEmail
}

// followUpAt keeps the visitor's email and labels the conversation for
// follow-up: the team answers later, and notify emails the answer.
func followUpAt(bot Bot, email string) reply {
	return reply{email: email, followUp: true, drafts: []draft{botText(bot, "Thanks! We'll get back to you at "+email+".", false)}}
}

// respond decides the bot's answer. It does no writing.
func (a *App) respond(ctx context.Context, bot Bot, settings contracts.Settings, c store.Conversation, v store.Visitor, m contracts.Message) (reply, error) {
	body := strings.TrimSpace(m.Body)
	st := decodeState(c.BotState)
	if domain.AsksForHuman(body) {
		return reply{handoff: true}, nil
	}
	if domain.SaysDone(body) {
		return reply{resolve: true, drafts: []draft{botText(bot, "Glad I could help! Write again any time.", false)}}, nil
	}
	switch {
	case strings.HasPrefix(body, valueFAQ):
		if e, ok := bot.Index.Entry(strings.TrimPrefix(body, valueFAQ)); ok {
			return reply{drafts: []draft{botText(bot, e.Answer, true)}}, nil
		}
	case strings.HasPrefix(body, valueService):
		return a.offerSlots(ctx, bot, c, v, strings.TrimPrefix(body, valueService)), nil
	case strings.HasPrefix(body, valueSlot):
		return a.chooseSlot(bot, v, body), nil
	}
	if st.Await != "" {
		if r, ok := a.answerPending(ctx, bot, v, st, body); ok {
			return r, nil
		}
	}
	var nearMisses []contracts.FAQMatch
	for _, skill := range bot.Skills {
		switch skill {
		case contracts.SkillAfterHours:
			if avail := settings.BusinessHours.At(a.now()); !avail.Open {
				r := reply{followUp: v.Email != "", drafts: []draft{botText(bot, bot.AfterHours.Message+backAtSentence(avail, visitorClock(v, settings)), false)}}
				if v.Email == "" {
					r.drafts = append(r.drafts, botText(bot, "What's your email? We'll get back to you as soon as we're in.", false))
					r.state = botState{Await: awaitFollowUpEmail}
				}
				return r, nil
			}
		case contracts.SkillFAQ:
			matches := bot.Index.Match(body, 4)
			if len(matches) > 0 && matches[0].Score >= bot.FAQ.Threshold {
				e, _ := bot.Index.Entry(matches[0].EntryID)
				return reply{drafts: []draft{botText(bot, e.Answer, true)}}, nil
			}
			for _, mt := range matches {
				if mt.Score >= 0.2 && len(nearMisses) < 3 {
					nearMisses = append(nearMisses, mt)
				}
			}
		case contracts.SkillOrderStatus:
			if bot.OrderNumber != nil {
				if n, ok := domain.FindOrderNumber(bot.OrderNumber, body); ok {
					return a.lookUpOrder(ctx, bot, v.TenantID, n), nil
				}
			}
			if domain.MentionsOrder(body) {
				return reply{drafts: []draft{botText(bot, "Sure — what's your order number?", false)}, state: botState{Await: awaitOrderNumber}}, nil
			}
		case contracts.SkillAppointments:
			if domain.MentionsBooking(body) {
				if len(bot.Appointments.Services) == 1 {
					return a.offerSlots(ctx, bot, c, v, bot.Appointments.Services[0].ID), nil
				}
				var opts []contracts.QuickOption
				for _, s := range bot.Appointments.Services {
					opts = append(opts, contracts.QuickOption{Label: s.Name, Value: valueService + s.ID})
				}
				return reply{drafts: []draft{botQuick(bot, "What would you like to book?", opts)}}, nil
			}
		case contracts.SkillExternal:
			return reply{}, a.forward(ctx, bot, c, v, m)
		}
	}
	text := "Sorry, I don't have an answer to that yet."
	var opts []contracts.QuickOption
	if len(nearMisses) > 0 {
		text = "I'm not sure I understood. Did you mean one of these?"
		for _, mt := range nearMisses {
			opts = append(opts, contracts.QuickOption{Label: truncate(mt.Question, 40), Value: valueFAQ + mt.EntryID})
		}
	}
	return reply{miss: true, drafts: []draft{botQuick(bot, text, opts)}}, nil
}

// answerPending handles the answer to a question the bot asked.
func (a *App) answerPending(ctx context.Context, bot Bot, v store.Visitor, st botState, body string) (reply, bool) {
	switch st.Await {
	case awaitOrderNumber:
		if bot.OrderNumber != nil {
			if n, ok := domain.FindOrderNumber(bot.OrderNumber, body); ok {
				return a.lookUpOrder(ctx, bot, v.TenantID, n), true
			}
		}
		if st.Tries >= 1 {
			return reply{handoff: true}, true
		}
		return reply{state: botState{Await: awaitOrderNumber, Tries: st.Tries + 1},
			drafts: []draft{botText(bot, "That doesn't look like one of our order numbers. Could you check it and send it again?", true)}}, true
	case awaitBookingName:
		name := strings.TrimSpace(body)
		if name == "" || len([]rune(name)) > 100 {
			return reply{state: st, drafts: []draft{botText(bot, "What name should the booking be under?", false)}}, true
		}
		st.Name, st.Await = name, awaitBookingEmail
		if v.Email != "" {
			return a.confirmBooking(bot, st, name, v.Email), true
		}
		return reply{name: name, state: st, drafts: []draft{botText(bot, "Thanks, "+name+". What's your email, for the confirmation?", false)}}, true
	case awaitBookingEmail, awaitFollowUpEmail:
		email, ok := parseEmail(body)
		if !ok {
			return reply{state: st, drafts: []draft{botText(bot, "That doesn't look like an email address. Could you send it again?", false)}}, true
		}
		if st.Await == awaitFollowUpEmail {
			return followUpAt(bot, email), true
		}
		name := st.Name
		if name == "" {
			name = v.Name
		}
		r := a.confirmBooking(bot, st, name, email)
		r.email = email
		return r, true
	}
	return reply{}, false
}

func parseEmail(s string) (string, bool) {
	email, err := validate.Email("email", s)
	return email, err == nil
}

// lookUpOrder asks the tenant's server about an order and fills the reply
// template. Errors, timeouts and unknown orders get a polite answer and the
// offer of a person.
func (a *App) lookUpOrder(ctx context.Context, bot Bot, tenantID, number string) reply {
	body, _ := json.Marshal(map[string]string{"order_number": number})
	res, err := a.egress.Post(ctx, bot.OrderStatus.URL, ids.New(), bot.OrderStatus.Secret, body)
	switch {
	case err != nil:
		a.log.Warn("order status look-up", "tenant_id", tenantID, "err", err)
		return reply{drafts: []draft{botText(bot, "Sorry, I can't look up orders right now. A person can help you with that.", true)}}
	case res.Status == 404:
		return reply{drafts: []draft{botText(bot, "I couldn't find an order "+number+". Please check the number, or ask a person.", true)}}
	case res.Status < 200 || res.Status > 299:
		return reply{drafts: []draft{botText(bot, "Sorry, I can't look up orders right now. A person can help you with that.", true)}}
	}
	var data map[string]any
	if json.Unmarshal(res.Body, &data) != nil {
		return reply{drafts: []draft{botText(bot, "Sorry, I can't look up orders right now. A person can help you with that.", true)}}
	}
	if _, ok := data["number"]; !ok {
		data["number"] = number
	}
	return reply{drafts: []draft{botText(bot, domain.FillTemplate(bot.OrderStatus.ReplyTemplate, data), true)}}
}

// offerSlots proposes the next free slots of a service, in the visitor's timezone.
func (a *App) offerSlots(ctx context.Context, bot Bot, c store.Conversation, v store.Visitor, serviceID string) reply {
	svc, ok := findService(bot, serviceID)
	if !ok {
		return reply{miss: true, drafts: []draft{botText(bot, "Sorry, that can't be booked any more.", true)}}
	}
	now := a.now()
	var booked []domain.Interval
	err := a.store.Tenant(ctx, c.TenantID, func(tx *store.Tx) error {
		bs, err := tx.BookedBetween(now, now.AddDate(0, 0, bot.Appointments.HorizonDays+1))
		for _, b := range bs {
			booked = append(booked, domain.Interval{Start: b.StartAt, End: b.EndAt})
		}
		return err
	})
	if err != nil {
		return reply{drafts: []draft{botText(bot, "Sorry, I can't see the calendar right now. A person can help you book.", true)}}
	}
	slots := domain.FreeSlots(bot.Appointments, svc, booked, now, 5)
	if len(slots) == 0 {
		return reply{drafts: []draft{botText(bot, fmt.Sprintf("There are no free times for %s in the next %d days.", svc.Name, bot.Appointments.HorizonDays), true)}}
	}
	loc := visitorZone(bot, v)
	var opts []contracts.QuickOption
	for _, s := range slots {
		opts = append(opts, contracts.QuickOption{Label: s.In(loc).Format("Mon 2 Jan, 15:04"), Value: fmt.Sprintf("%s%s:%d", valueSlot, svc.ID, s.Unix())})
	}
	return reply{drafts: []draft{botQuick(bot, fmt.Sprintf("Here are the next free times for %s (%s time):", svc.Name, loc.String()), opts)}}
}

// chooseSlot takes "slot:<service>:<unix>" and asks for what the booking
// still needs (a name, an email) or books at once.
func (a *App) chooseSlot(bot Bot, v store.Visitor, value string) reply {
	parts := strings.Split(strings.TrimPrefix(value, valueSlot), ":")
	if len(parts) != 2 {
		return reply{miss: true, drafts: []draft{botText(bot, "Sorry, I didn't get which time you chose.", true)}}
	}
	svc, ok := findService(bot, parts[0])
	unix, err := strconv.ParseInt(parts[1], 10, 64)
	if !ok || err != nil || !domain.SlotValid(bot.Appointments, svc, time.Unix(unix, 0).UTC(), a.now()) {
		return reply{drafts: []draft{botText(bot, "Sorry, that time is no longer available. Ask me to book again for new times.", true)}}
	}
	st := botState{Service: svc.ID, Slot: unix}
	switch {
	case v.Name == "":
		st.Await = awaitBookingName
		return reply{state: st, drafts: []draft{botText(bot, "Great choice. What name should the booking be under?", false)}}
	case v.Email == "":
		st.Await, st.Name = awaitBookingEmail, v.Name
		return reply{state: st, drafts: []draft{botText(bot, "What's your email, for the confirmation?", false)}}
	}
	return a.confirmBooking(bot, st, v.Name, v.Email)
}

func (a *App) confirmBooking(bot Bot, st botState, name, email string) reply {
	svc, ok := findService(bot, st.Service)
	if !ok || st.Slot == 0 {
		return reply{drafts: []draft{botText(bot, "Sorry, I lost track of that booking. Ask me to book again.", true)}}
	}
	return reply{name: name, book: &slot{service: svc, start: time.Unix(st.Slot, 0).UTC(), name: name, email: email}}
}

func findService(bot Bot, id string) (contracts.AppointmentService, bool) {
	for _, s := range bot.Appointments.Services {
		if s.ID == id {
			return s, true
		}
	}
	return contracts.AppointmentService{}, false
}

func visitorZone(bot Bot, v store.Visitor) *time.Location {
	for _, tz := range []string{v.Timezone, bot.Appointments.Timezone} {
		if loc, err := time.LoadLocation(tz); err == nil && tz != "" {
			return loc
		}
	}
	return time.UTC
}

// forward posts the visitor's message to the tenant's own bot, which answers
// through the REST API. An error makes the event come again later.
func (a *App) forward(ctx context.Context, bot Bot, c store.Conversation, v store.Visitor, m contracts.Message) error {
	body, _ := json.Marshal(map[string]any{
		"type": "message.created", "tenant_id": c.TenantID, "conversation_id": c.ID, "message": m,
		"visitor": map[string]any{"id": v.ID, "name": v.Name, "email": v.Email, "verified": v.Verified},
	})
	res, err := a.egress.Post(ctx, bot.External.URL, m.ID, bot.External.Secret, body) // m.ID: the same across retries
	if err == nil && (res.Status < 200 || res.Status > 299) {
		err = fmt.Errorf("the tenant's bot answered %d", res.Status)
	}
	if errors.Is(err, egress.ErrForbiddenAddress) {
		a.log.Warn("external bot address refused", "tenant_id", c.TenantID, "err", err)
		return nil // retrying cannot help
	}
	return err
}

// apply writes the bot's answer, once per event.
func (a *App) apply(ctx context.Context, env contracts.Envelope, bot Bot, settings contracts.Settings, m contracts.Message, r reply) error {
	return a.store.Tenant(ctx, env.TenantID, func(tx *store.Tx) error {
		first, err := tx.FirstDelivery("conversation-bot", env.ID)
		if err != nil || !first {
			return err
		}
		c, err := tx.LockConversation(m.ConversationID)
		if err != nil || !botAnswers(c) {
			return err // gone, or a person has it now
		}
		v, exists, err := tx.Visitor(c.VisitorID)
		if err != nil {
			return err
		}
		now := a.now()
		if r.name != "" && !v.Verified && v.Name == "" || r.email != "" && !v.Verified {
			if r.name != "" && v.Name == "" {
				v.Name = r.name
			}
			if r.email != "" {
				v.Email = r.email
			}
			if err := tx.SaveVisitor(&v, exists); err != nil {
				return err
			}
		}
		if r.book != nil {
			d, err := a.book(tx, bot, c, v, r.book, now)
			if err != nil {
				return err
			}
			r.drafts = append(r.drafts, d...)
		}
		if r.miss {
			c.BotMisses++
			if !botValue(m.Body) {
				if err := record(tx, &c, contracts.ActivityBotMissed, actorAuthor(bot.author()), now, func(a *contracts.Activity) {
					a.Seq, a.Question = m.Seq, m.Body
				}); err != nil {
					return err
				}
			}
		} else {
			c.BotMisses = 0
		}
		c.BotState = encodeState(r.state)
		if r.followUp {
			labelFollowUp(&c)
		}
		var msgs []store.Message
		for i, d := range r.drafts {
			d.clientMsgID = fmt.Sprintf("bot:%s:%d", env.ID, i)
			msg, err := a.write(tx, &c, v, d, now)
			if err != nil {
				return err
			}
			msgs = append(msgs, msg)
		}
		if r.resolve {
			from := c.SetStatus(contracts.StatusResolved, nil, surveyScale(settings.Survey))
			if err := statusChanged(tx, &c, from, actorAuthor(bot.author()), now); err != nil {
				return err
			}
		}
		queued := false
		if r.handoff || c.BotMisses >= 2 {
			more, q, err := a.handOver(tx, bot, &c, v, settings, now)
			if err != nil {
				return err
			}
			msgs, queued = append(msgs, more...), q
		}
		conv, err := a.publish(tx, c, v, msgs...)
		if err != nil || !queued && !r.resolve {
			return err
		}
		// Message frames reach visitors without the conversation; this one
		// tells the widget it is now waiting for a person, and where, or
		// that it is resolved (and asks how it went).
		if err := tx.Emit(contracts.ConversationUpdatedEvent, contracts.ConversationUpdated{Conversation: conv}); err != nil || r.resolve {
			return err
		}
		_, err = a.fillQueue(tx, settings.AgentOpenLimit, now)
		return err
	})
}

// book makes a booking under the tenant's calendar lock. A slot taken
// meanwhile (by another visitor, this very instant) gets an apology and new
// times instead.
func (a *App) book(tx *store.Tx, bot Bot, c store.Conversation, v store.Visitor, s *slot, now time.Time) ([]draft, error) {
	if err := tx.LockCalendar(); err != nil {
		return nil, err
	}
	end := s.start.Add(time.Duration(s.service.DurationMinutes) * time.Minute)
	buf := time.Duration(bot.Appointments.BufferMinutes) * time.Minute
	clash, err := tx.BookedBetween(s.start.Add(-buf), end.Add(buf))
	if err != nil {
		return nil, err
	}
	if len(clash) > 0 {
		return []draft{botText(bot, "Sorry, that time was just taken. Ask me to book again for the next free times.", true)}, nil
	}
	token := ids.Secret(24)
	b := store.Booking{ID: ids.New(), ServiceID: s.service.ID, ServiceName: s.service.Name, StartAt: s.start, EndAt: end,
		Status: store.BookingBooked, VisitorID: v.ID, Name: s.name, Email: s.email, ConversationID: c.ID,
		ICSTokenHash: ids.Hash(token), CreatedAt: now}
	if err := tx.CreateBooking(&b); err != nil {
		return nil, err
	}
	when := s.start.In(visitorZone(bot, v)).Format("Monday 2 January at 15:04 MST")
	link := a.publicURL + "/api/v1/bookings/" + b.ID + "/ics?token=" + c.TenantID + "." + token
	card, _ := json.Marshal(contracts.Card{Title: s.service.Name + " — " + when,
		Text:    "You're booked, " + s.name + ". We'll see you then.",
		Buttons: []contracts.CardButton{{Label: "Add to calendar", URL: link}}})
	return []draft{{actor: bot.author(), kind: contracts.KindCard, body: "You're booked: " + s.service.Name + " on " + when + ".", payload: card}}, nil
}

// botText is a bot message; offerHuman adds the "That's all, thanks" and
// "Talk to a person" buttons.
func botText(bot Bot, text string, offerHuman bool) draft {
	if !offerHuman {
		return draft{actor: bot.author(), kind: contracts.KindText, body: text}
	}
	return botQuick(bot, text, []contracts.QuickOption{{Label: "That's all, thanks", Value: domain.ResolveValue}})
}

// botValue says whether a visitor's message is one of the bot's own
// quick-reply values rather than words of their own.
func botValue(body string) bool {
	for _, p := range []string{valueFAQ, valueService, valueSlot} {
		if strings.HasPrefix(body, p) {
			return true
		}
	}
	return false
}

// botQuick is a bot message with quick replies, always ending with "Talk to a person".
func botQuick(bot Bot, text string, opts []contracts.QuickOption) draft {
	opts = append(opts, contracts.QuickOption{Label: "Talk to a person", Value: domain.HandoffValue})
	payload, _ := json.Marshal(contracts.QuickReplies{Text: text, Options: opts})
	return draft{actor: bot.author(), kind: contracts.KindQuickReplies, body: text, payload: payload}
}

func backAtSentence(avail contracts.Availability, loc *time.Location) string {
	if s := backAt(avail, loc); s != "" {
		return " We're back " + strings.TrimPrefix(s, " — we're back ") + "."
	}
	return ""
}
