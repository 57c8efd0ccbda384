package allinone_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-chat/parley/pkg/testkit"
)

var allowPrivate = map[string]string{"PARLEY_BOT_ALLOW_PRIVATE_NETWORKS": "true"}

// say has a visitor write in a conversation.
func (p *parley) say(t *testing.T, v visitor, conv, body string) {
	t.Helper()
	p.do("POST", "/api/v1/widget/conversations/"+conv+"/messages", v.Token, map[string]string{"body": body, "client_msg_id": msgID()}).must(t, 201)
}

func msgPath(conv string) string {
	return "/api/v1/widget/conversations/" + conv + "/messages?limit=500"
}

func TestFAQSkillAnswersOffersAndHandsOff(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		p := start(t, d, t.TempDir(), nil)
		owner := p.signup("FAQ Bikes")
		saved := p.do("PUT", "/api/v1/bot", owner.Access, botConfig("faq")).must(t, 200)
		if saved.str("faq.entries.0") != "" || len(saved.Body["faq"].(map[string]any)["entries"].([]any)) != 3 {
			t.Fatalf("saved: %s", saved.Raw)
		}
		try := p.do("POST", "/api/v1/bot/faq/try", owner.Access, map[string]string{"question": "when do you open?"}).must(t, 200)
		best := try.Body["matches"].([]any)[0].(map[string]any)
		if try.Body["answered"] != true || best["question"] != "What are your opening hours?" || best["score"].(float64) < 0.5 {
			t.Fatalf("try: %s", try.Raw)
		}

		v := p.newVisitor(p.widgetKey(owner))
		conv := p.startConversation(v, "When are you open?").str("conversation.id")
		msgs := p.waitMessages(t, v.Token, msgPath(conv), 2)
		answer := msgs[1]
		if answer["body"] != "We're open 9 to 5, Monday to Friday." || answer["author"].(map[string]any)["type"] != "bot" || answer["kind"] != "quick_replies" {
			t.Fatalf("answer: %v", answer)
		}
		if opts := options(answer); len(opts) != 2 || opts[0]["value"] != "resolve" || opts[1]["value"] != "handoff" {
			t.Fatalf("every answer offers to finish or a person: %v", opts)
		}
		// A near miss offers "Did you mean…" choices; clicking one answers it.
		p.say(t, v, conv, "return or shipping hours?")
		msgs = p.waitMessages(t, v.Token, msgPath(conv), 4)
		guess := options(msgs[3])
		if len(guess) < 2 || !strings.HasPrefix(guess[0]["value"].(string), "faq:") {
			t.Fatalf("near miss: %v", msgs[3])
		}
		var returns string
		for _, g := range guess {
			if strings.Contains(g["label"].(string), "return") {
				returns = g["value"].(string)
			}
		}
		p.say(t, v, conv, returns)
		msgs = p.waitMessages(t, v.Token, msgPath(conv), 6)
		if msgs[5]["body"] != "You can return anything within 30 days." {
			t.Fatalf("chosen answer: %v", msgs[5])
		}
		// Two answers in a row it cannot give: the bot queues the visitor for a person.
		p.say(t, v, conv, "purple elephants")
		p.waitMessages(t, v.Token, msgPath(conv), 8)
		p.say(t, v, conv, "dancing zebras")
		testkit.Eventually(t, 10*time.Second, func() error {
			r := p.do("GET", "/api/v1/widget/conversations", v.Token, nil)
			c := r.Body["conversations"].([]any)[0].(map[string]any)
			if c["handoff"] != "queued" || c["queue"] == nil {
				return fmt.Errorf("not queued: %v", c)
			}
			return nil
		})
		// Agents see the whole exchange, and can filter the queue.
		if r := p.do("GET", "/api/v1/conversations?handoff=queued", owner.Access, nil).must(t, 200); len(r.Body["conversations"].([]any)) != 1 {
			t.Fatalf("queued filter: %s", r.Raw)
		}
		if all := p.do("GET", "/api/v1/conversations/"+conv+"/messages", owner.Access, nil).must(t, 200); len(all.Body["messages"].([]any)) < 10 {
			t.Fatalf("agents see %d messages", len(all.Body["messages"].([]any)))
		}
	})
}

// orderServer is a tenant's order endpoint that checks Parley's signature.
type orderServer struct {
	*httptest.Server
	secret string
	calls  atomic.Int32
	badSig atomic.Int32
}

func newOrderServer(t *testing.T, secret string) *orderServer {
	o := &orderServer{secret: secret}
	mux := http.NewServeMux()
	mux.HandleFunc("/orders", func(w http.ResponseWriter, r *http.Request) {
		o.calls.Add(1)
		body, _ := io.ReadAll(r.Body)
		m := hmac.New(sha256.New, []byte(secret))
		m.Write([]byte(r.Header.Get("webhook-id") + "." + r.Header.Get("webhook-timestamp") + "."))
		m.Write(body)
		if r.Header.Get("webhook-signature") != "v1,"+base64.StdEncoding.EncodeToString(m.Sum(nil)) {
			o.badSig.Add(1)
			w.WriteHeader(401)
			return
		}
		var req struct {
			OrderNumber string `json:"order_number"`
		}
		_ = json.Unmarshal(body, &req)
		switch strings.TrimPrefix(req.OrderNumber, "#") {
		case "12345":
			w.Write([]byte(`{"status":"shipped","eta":"on Friday"}`))
		case "99999":
			time.Sleep(7 * time.Second) // slower than the bot waits
		default:
			w.WriteHeader(404)
		}
	})
	mux.HandleFunc("/elsewhere", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://example.invalid/orders", http.StatusTemporaryRedirect)
	})
	o.Server = httptest.NewServer(mux)
	t.Cleanup(o.Close)
	return o
}

func TestOrderStatusSkill(t *testing.T) {
	t.Parallel()
	p := start(t, testkit.SQLiteDB(t), t.TempDir(), allowPrivate)
	orders := newOrderServer(t, "order-signing-secret")
	owner := p.signup("Order Co")
	cfg := botConfig("order_status", "faq")
	cfg["order_status"].(map[string]any)["url"] = orders.URL + "/orders"
	p.do("PUT", "/api/v1/bot", owner.Access, cfg).problem(t, 400, "invalid", "order_status.secret")
	cfg["order_status"].(map[string]any)["secret"] = "order-signing-secret"
	if r := p.do("PUT", "/api/v1/bot", owner.Access, cfg).must(t, 200); r.str("order_status.secret") != "" || r.Body["order_status"].(map[string]any)["secret_set"] != true {
		t.Fatalf("the secret must never be read back: %s", r.Raw)
	}
	key := p.widgetKey(owner)

	// Asked with a number: looked up at once, the template filled in.
	v := p.newVisitor(key)
	conv := p.startConversation(v, "Where is my order #12345?").str("conversation.id")
	if got := p.waitMessages(t, v.Token, msgPath(conv), 2)[1]["body"]; got != "Order #12345 is shipped and should arrive on Friday." {
		t.Fatalf("order answer: %v", got)
	}
	// Asked without: the bot asks, validates, and looks up.
	v2 := p.newVisitor(key)
	conv2 := p.startConversation(v2, "where's my package?").str("conversation.id")
	if got := p.waitMessages(t, v2.Token, msgPath(conv2), 2)[1]["body"]; !strings.Contains(got.(string), "order number") {
		t.Fatalf("the bot should ask for the number: %v", got)
	}
	p.say(t, v2, conv2, "it's 42")
	if got := p.waitMessages(t, v2.Token, msgPath(conv2), 4)[3]["body"]; !strings.Contains(got.(string), "doesn't look like") {
		t.Fatalf("bad number: %v", got)
	}
	p.say(t, v2, conv2, "55555")
	if got := p.waitMessages(t, v2.Token, msgPath(conv2), 6)[5]["body"]; !strings.Contains(got.(string), "couldn't find an order 55555") {
		t.Fatalf("unknown order: %v", got)
	}
	// A slow server and a redirect to another host: a polite answer, a person offered.
	v3 := p.newVisitor(key)
	conv3 := p.startConversation(v3, "order 99999").str("conversation.id")
	slow := p.waitMessages(t, v3.Token, msgPath(conv3), 2)[1]
	if !strings.Contains(slow["body"].(string), "can't look up orders right now") || options(slow)[1]["value"] != "handoff" {
		t.Fatalf("slow server: %v", slow)
	}
	cfg["order_status"].(map[string]any)["url"] = orders.URL + "/elsewhere"
	cfg["order_status"].(map[string]any)["secret"] = ""
	p.do("PUT", "/api/v1/bot", owner.Access, cfg).must(t, 200) // the stored secret is kept
	v4 := p.newVisitor(key)
	testkit.Eventually(t, 15*time.Second, func() error {
		conv4 := p.startConversation(v4, "order #12345").str("conversation.id")
		got := p.waitMessages(t, v4.Token, msgPath(conv4), 2)[1]["body"].(string)
		if !strings.Contains(got, "can't look up orders") {
			return fmt.Errorf("redirect followed? %q", got)
		}
		return nil
	})
	if orders.badSig.Load() != 0 {
		t.Fatalf("%d calls had a bad signature", orders.badSig.Load())
	}
}

// Without the operator's permission, the bot never calls private addresses.
// A webhook written as a private or loopback address is refused when saved
// (the egress guard, tested in its package, also refuses names that
// resolve to one when the call is made).
func TestOrderStatusRefusesPrivateAddresses(t *testing.T) {
	t.Parallel()
	p := start(t, testkit.SQLiteDB(t), t.TempDir(), nil)
	orders := newOrderServer(t, "s3cret")
	owner := p.signup("SSRF Shop")
	cfg := botConfig("order_status")
	cfg["order_status"].(map[string]any)["secret"] = "s3cret"
	port := orders.URL[strings.LastIndex(orders.URL, ":"):]
	for _, url := range []string{
		orders.URL + "/orders", // plain http
		"https://127.0.0.1" + port + "/orders",
		"https://[::ffff:127.0.0.1]" + port + "/orders",
		"https://[64:ff9b::a9fe:a9fe]/latest/meta-data", // the cloud metadata address through NAT64
		"https://localhost" + port + "/orders",
	} {
		cfg["order_status"].(map[string]any)["url"] = url
		p.do("PUT", "/api/v1/bot", owner.Access, cfg).problem(t, 400, "invalid", "order_status.url")
	}
	cfg["order_status"].(map[string]any)["url"] = "https://orders.example.com/orders"
	p.do("PUT", "/api/v1/bot", owner.Access, cfg).must(t, 200)
	if orders.calls.Load() != 0 {
		t.Fatalf("the bot called a loopback address %d times", orders.calls.Load())
	}
}

func TestAppointmentsSkill(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		p := start(t, d, t.TempDir(), nil)
		owner := p.signup("Fit Bikes")
		p.do("PUT", "/api/v1/bot", owner.Access, botConfig("appointments", "faq")).must(t, 200)
		key := p.widgetKey(owner)

		v := p.newVisitor(key)
		conv := p.startConversation(v, "Can I book an appointment?").str("conversation.id")
		slots := options(p.waitMessages(t, v.Token, msgPath(conv), 2)[1])
		if len(slots) < 3 || !strings.HasPrefix(slots[0]["value"].(string), "slot:") {
			t.Fatalf("slots: %v", slots)
		}
		p.say(t, v, conv, slots[0]["value"].(string))
		if got := p.waitMessages(t, v.Token, msgPath(conv), 4)[3]["body"].(string); !strings.Contains(got, "name") {
			t.Fatalf("the bot should ask a name: %q", got)
		}
		p.say(t, v, conv, "Vera Velo")
		p.waitMessages(t, v.Token, msgPath(conv), 6)
		p.say(t, v, conv, "not an email")
		p.waitMessages(t, v.Token, msgPath(conv), 8)
		p.say(t, v, conv, "vera@example.com")
		confirm := p.waitMessages(t, v.Token, msgPath(conv), 10)[9]
		if confirm["kind"] != "card" {
			t.Fatalf("confirmation: %v", confirm)
		}
		card := confirm["payload"].(map[string]any)
		link := card["buttons"].([]any)[0].(map[string]any)["url"].(string)
		ics, err := http.Get(strings.Replace(link, "http://parley.test", p.URL, 1))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(ics.Body)
		ics.Body.Close()
		if ics.StatusCode != 200 || ics.Header.Get("Content-Type") != "text/calendar; charset=utf-8" || !strings.Contains(string(body), "SUMMARY:Bike fitting") {
			t.Fatalf("ics %d %s", ics.StatusCode, body)
		}
		if bad, _ := http.Get(strings.Replace(link, "http://parley.test", p.URL, 1) + "x"); bad.StatusCode != 404 {
			t.Fatalf("a wrong link token: %d", bad.StatusCode)
		}
		// The team sees the booking, and cancels it; the visitor is told.
		list := p.do("GET", "/api/v1/bookings", owner.Access, nil).must(t, 200)
		bookings := list.Body["bookings"].([]any)
		if len(bookings) != 1 || bookings[0].(map[string]any)["email"] != "vera@example.com" || bookings[0].(map[string]any)["name"] != "Vera Velo" {
			t.Fatalf("bookings: %s", list.Raw)
		}
		id := bookings[0].(map[string]any)["id"].(string)
		p.do("POST", "/api/v1/bookings/"+id+"/cancel", owner.Access, nil).must(t, 200)
		p.do("POST", "/api/v1/bookings/"+id+"/cancel", owner.Access, nil).problem(t, 409, "conflict", "")
		if got := p.waitMessages(t, v.Token, msgPath(conv), 11)[10]["body"].(string); !strings.Contains(got, "was canceled") {
			t.Fatalf("cancel notice: %q", got)
		}
		other := p.signup("Other Bikes")
		p.do("POST", "/api/v1/bookings/"+id+"/cancel", other.Access, nil).problem(t, 404, "not_found", "")
	})
}

// Two visitors choosing the same slot at the same instant: one gets it.
func TestConcurrentBookingsNeverShareASlot(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		p := start(t, d, t.TempDir(), nil)
		owner := p.signup("Busy Calendar")
		p.do("PUT", "/api/v1/bot", owner.Access, botConfig("appointments")).must(t, 200)
		key := p.widgetKey(owner)
		const n = 6
		type booker struct {
			v    visitor
			conv string
		}
		var bookers []booker
		var slot string
		for i := range n {
			v := p.newVisitor(key)
			p.do("PATCH", "/api/v1/widget/visitor", v.Token, map[string]string{"name": fmt.Sprint("Visitor ", i), "email": fmt.Sprintf("v%d@example.com", i)}).must(t, 200)
			conv := p.startConversation(v, "I'd like to book an appointment").str("conversation.id")
			opts := options(p.waitMessages(t, v.Token, msgPath(conv), 2)[1])
			// The latest slot offered: the earliest may be too soon by the
			// time all six have asked (a slot boundary passing mid-test).
			if slot == "" {
				for _, o := range opts {
					if v := o["value"].(string); strings.HasPrefix(v, "slot:") {
						slot = v
					}
				}
			}
			bookers = append(bookers, booker{v, conv})
		}
		var wg sync.WaitGroup
		for _, b := range bookers {
			wg.Go(func() { p.say(t, b.v, b.conv, slot) })
		}
		wg.Wait()
		won := 0
		for _, b := range bookers {
			last := p.waitMessages(t, b.v.Token, msgPath(b.conv), 4)[3]
			switch {
			case last["kind"] == "card":
				won++
			case !strings.Contains(last["body"].(string), "just taken"):
				t.Fatalf("unexpected answer: %v", last)
			}
		}
		list := p.do("GET", "/api/v1/bookings", owner.Access, nil).must(t, 200)
		if won != 1 || len(list.Body["bookings"].([]any)) != 1 {
			t.Fatalf("%d confirmations and %d bookings for one slot", won, len(list.Body["bookings"].([]any)))
		}
	})
}

func TestAfterHoursSkill(t *testing.T) {
	t.Parallel()
	p := start(t, testkit.SQLiteDB(t), t.TempDir(), nil)
	owner := p.signup("Night Owl")
	p.do("PATCH", "/api/v1/settings", owner.Access, map[string]any{"business_hours": map[string]any{
		"enabled": true, "timezone": "UTC", "weekly": map[string]any{}, "holidays": []string{}}}).must(t, 200)
	p.do("PUT", "/api/v1/bot", owner.Access, botConfig("after_hours", "faq")).must(t, 200)
	v := p.newVisitor(p.widgetKey(owner))
	conv := p.startConversation(v, "Hello? My bike is broken").str("conversation.id")
	msgs := p.waitMessages(t, v.Token, msgPath(conv), 3)
	if !strings.Contains(msgs[1]["body"].(string), "We're closed right now") || !strings.Contains(msgs[2]["body"].(string), "email") {
		t.Fatalf("after hours: %v / %v", msgs[1]["body"], msgs[2]["body"])
	}
	p.say(t, v, conv, "night@example.com")
	p.waitMessages(t, v.Token, msgPath(conv), 5)
	c := p.do("GET", "/api/v1/conversations/"+conv, owner.Access, nil).must(t, 200)
	if c.str("visitor.email") != "night@example.com" || !strings.Contains(mustJSON(c.Body["labels"]), "follow-up") {
		t.Fatalf("follow-up: %s", c.Raw)
	}
}

// A queued conversation an admin resolves leaves the line: it shows no place
// any more, and the one behind it moves up, live.
func TestResolvingAQueuedConversationMovesTheLine(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		p := start(t, d, t.TempDir(), nil)
		owner := p.signup("Line Inc")
		p.do("PUT", "/api/v1/bot", owner.Access, botConfig("faq")).must(t, 200)
		key := p.widgetKey(owner)
		first, second := p.newVisitor(key), p.newVisitor(key)
		c1 := p.startConversation(first, "I want to talk to a human").str("conversation.id")
		testkit.Eventually(t, 10*time.Second, func() error {
			if h := p.do("GET", "/api/v1/conversations/"+c1, owner.Access, nil).str("handoff"); h != "queued" {
				return fmt.Errorf("first visitor %s", h)
			}
			return nil
		})
		p.startConversation(second, "agent please")
		secondWS := p.dial(t, second.Token, nil)
		place := func(v visitor) float64 {
			c := p.do("GET", "/api/v1/widget/conversations", v.Token, nil).Body["conversations"].([]any)[0].(map[string]any)
			q, _ := c["queue"].(map[string]any)
			if q == nil {
				return 0
			}
			return q["position"].(float64)
		}
		testkit.Eventually(t, 10*time.Second, func() error {
			if n := place(second); n != 2 {
				return fmt.Errorf("second visitor at %v", n)
			}
			return nil
		})
		p.do("PATCH", "/api/v1/conversations/"+c1, owner.Access, map[string]any{"status": "resolved"}).must(t, 200)
		secondWS.expect(10*time.Second, func(f frame) bool {
			return f["type"] == "conversation.updated" && f.num("conversation.queue.position") == 1
		})
		if n := place(first); n != 0 {
			t.Fatalf("a resolved conversation still shows place %v", n)
		}
		if n := place(second); n != 1 {
			t.Fatalf("second visitor at %v after the first left", n)
		}
	})
}

// The hand-off state machine, with live queue positions.
func TestHandoffQueueAndTakeOver(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		p := start(t, d, t.TempDir(), nil)
		owner := p.signup("Handoff Inc")
		agent := p.invite(owner, "agent")
		p.do("PUT", "/api/v1/bot", owner.Access, botConfig("faq")).must(t, 200)
		p.do("PATCH", "/api/v1/settings", owner.Access, map[string]any{"agent_open_limit": 1}).must(t, 200)
		key := p.widgetKey(owner)

		first, second := p.newVisitor(key), p.newVisitor(key)
		c1 := p.startConversation(first, "I want to talk to a human").str("conversation.id")
		testkit.Eventually(t, 10*time.Second, func() error {
			if h := p.do("GET", "/api/v1/conversations/"+c1, owner.Access, nil).str("handoff"); h != "queued" {
				return fmt.Errorf("first visitor %s", h)
			}
			return nil
		})
		c2 := p.startConversation(second, "agent please").str("conversation.id")
		secondWS := p.dial(t, second.Token, nil)
		var place map[string]any
		testkit.Eventually(t, 10*time.Second, func() error {
			r := p.do("GET", "/api/v1/widget/conversations", second.Token, nil)
			c := r.Body["conversations"].([]any)[0].(map[string]any)
			q, _ := c["queue"].(map[string]any)
			if c["handoff"] != "queued" || q == nil || q["position"] != float64(2) {
				return fmt.Errorf("second visitor: %v", c)
			}
			place = q
			return nil
		})
		if place["wait_seconds"].(float64) <= 0 {
			t.Fatalf("expected wait: %v", place)
		}
		// The agent comes online: the first in line is theirs, with a system line.
		p.dial(t, agent.Access, nil)
		p.waitAssignee(t, owner.Access, c1, agent.UserID)
		joined := p.waitMessages(t, first.Token, msgPath(c1), 1)
		if last := joined[len(joined)-1]; last["author"].(map[string]any)["type"] != "system" || !strings.Contains(last["body"].(string), "joined the conversation") {
			t.Fatalf("system line: %v", last)
		}
		// The second visitor's place moves up live.
		secondWS.expect(10*time.Second, func(f frame) bool {
			return f["type"] == "conversation.updated" && f.num("conversation.queue.position") == 1
		})
		// The owner takes the second over explicitly, then hands it back to the bot.
		r := p.do("POST", "/api/v1/conversations/"+c2+"/handoff", owner.Access, map[string]string{"to": "agent"}).must(t, 200)
		if r.str("handoff") != "agent" || r.str("assignee_id") != owner.UserID {
			t.Fatalf("take over: %s", r.Raw)
		}
		secondWS.expect(10*time.Second, func(f frame) bool {
			return f["type"] == "message.created" && strings.Contains(f.str("message.body"), "joined the conversation")
		})
		back := p.do("POST", "/api/v1/conversations/"+c2+"/handoff", owner.Access, map[string]string{"to": "bot"}).must(t, 200)
		if back.str("handoff") != "bot" || back.str("assignee_id") != "" {
			t.Fatalf("hand back: %s", back.Raw)
		}
		p.say(t, second, c2, "when are you open?")
		msgs := p.waitMessages(t, second.Token, msgPath(c2), 1)
		testkit.Eventually(t, 10*time.Second, func() error {
			msgs = p.waitMessages(t, second.Token, msgPath(c2), len(msgs))
			if last := msgs[len(msgs)-1]; last["author"].(map[string]any)["type"] != "bot" {
				return fmt.Errorf("the bot has not answered after being handed back: %v", last)
			}
			return nil
		})
		p.do("POST", "/api/v1/conversations/"+c2+"/handoff", owner.Access, map[string]string{"to": "nowhere"}).problem(t, 400, "invalid", "to")
		// An agent's reply to a bot conversation is a take-over too.
		p.say(t, second, c2, "purple elephants")
		p.do("POST", "/api/v1/conversations/"+c2+"/messages", agent.Access, map[string]string{"body": "I'm here", "client_msg_id": msgID()}).must(t, 201)
		if c := p.do("GET", "/api/v1/conversations/"+c2, owner.Access, nil).must(t, 200); c.str("handoff") != "agent" || c.str("assignee_id") != agent.UserID {
			t.Fatalf("reply take-over: %s", c.Raw)
		}
		// With the bot off, nothing can be handed back to it.
		off := botConfig("faq")
		off["enabled"] = false
		p.do("PUT", "/api/v1/bot", owner.Access, off).must(t, 200)
		testkit.Eventually(t, 10*time.Second, func() error {
			if r := p.do("POST", "/api/v1/conversations/"+c2+"/handoff", owner.Access, map[string]string{"to": "bot"}); r.Status != 409 {
				return fmt.Errorf("hand-back to a disabled bot: %d %s", r.Status, r.Raw)
			}
			return nil
		})
		p.do("POST", "/api/v1/conversations/"+c2+"/handoff", owner.Access, map[string]string{"to": "bot"}).problem(t, 409, "conflict", "")
	})
}
