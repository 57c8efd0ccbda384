package realtime

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/pkg/natsx"
	"github.com/parley-chat/parley/pkg/testkit"
)

// rig is a hub on a real NATS server, behind an HTTP server whose sockets
// belong to the agent (or visitor) named in the query string; events are
// stored in the CONVERSATION stream as the conversation service stores them.
type rig struct {
	t   *testing.T
	js  jetstream.JetStream
	hub *Hub
	url string
}

func newRig(t *testing.T) *rig {
	t.Helper()
	nc := testkit.Connect(t, testkit.NATS(t))
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := natsx.EnsureStream(ctx, js, contracts.ConversationStream); err != nil {
		t.Fatal(err)
	}
	ok := func(p contracts.Principal) (contracts.Principal, bool) { return p, true }
	hub := New(nc, js, ok, slog.New(slog.NewTextHandler(io.Discard, nil)))
	hub.feedGrace = 50 * time.Millisecond
	done := make(chan struct{})
	go func() { _ = hub.Run(ctx); close(done) }()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		typ := contracts.AuthorAgent
		if q.Get("visitor") != "" {
			typ = contracts.AuthorVisitor
		}
		hub.Serve(w, r, contracts.Actor{TenantID: q.Get("tenant"), Type: typ, ID: q.Get("agent"), Name: "Ada", Role: "agent"}, "session")
	}))
	t.Cleanup(func() { cancel(); <-done; srv.Close() })
	return &rig{t: t, js: js, hub: hub, url: strings.Replace(srv.URL, "http://", "ws://", 1)}
}

// publish stores a visitor's message seq of a conversation and returns its stream sequence.
func (r *rig) publish(tenant, conv string, seq int64) uint64 {
	r.t.Helper()
	msg := contracts.Message{ID: ids.New(), ConversationID: conv, Seq: seq, Body: fmt.Sprintf("%s #%d", conv, seq),
		Kind: "text", Author: contracts.Author{Type: contracts.AuthorVisitor, ID: "v-" + conv}, CreatedAt: time.Now()}
	c := contracts.Conversation{ID: conv, Status: "open", Handoff: "agent", Priority: "none", Labels: []string{},
		Visitor: contracts.Visitor{ID: "v-" + conv}, LastSeq: seq}
	env, err := contracts.NewEnvelope(contracts.ConversationMessageCreated, tenant, "conversation", "", contracts.MessageCreated{Message: msg, Brief: contracts.ConversationBrief{ID: conv, Status: c.Status, Handoff: c.Handoff, Visitor: contracts.VisitorBrief{ID: c.Visitor.ID}, LastSeq: seq}, Conversation: &c})
	if err != nil {
		r.t.Fatal(err)
	}
	ack, err := natsx.Publish(context.Background(), r.js, contracts.ConversationMessageCreated.Subject(tenant), env)
	if err != nil {
		r.t.Fatal(err)
	}
	return ack.Sequence
}

// client is a test socket that records every frame.
type client struct {
	t      *testing.T
	ws     *websocket.Conn
	mu     sync.Mutex
	frames []ServerFrame
}

func (r *rig) dial(query string) *client {
	r.t.Helper()
	ws, res, err := websocket.DefaultDialer.Dial(r.url+"/?"+query, nil)
	if err != nil {
		status := 0
		if res != nil {
			status = res.StatusCode
		}
		r.t.Fatalf("dial %s: %v (status %d)", query, err, status)
	}
	c := &client{t: r.t, ws: ws}
	go func() {
		for {
			_, data, err := ws.ReadMessage()
			if err != nil {
				return
			}
			var f ServerFrame
			if err := json.Unmarshal(data, &f); err != nil {
				r.t.Errorf("frame %s: %v", data, err)
				return
			}
			c.mu.Lock()
			c.frames = append(c.frames, f)
			c.mu.Unlock()
		}
	}()
	r.t.Cleanup(func() { _ = ws.Close() })
	c.wait(func(f []ServerFrame) bool { return len(f) > 0 })
	return c
}

// wait polls until done holds for the frames so far, and returns them.
func (c *client) wait(done func([]ServerFrame) bool) []ServerFrame {
	c.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c.mu.Lock()
		got := append([]ServerFrame(nil), c.frames...)
		c.mu.Unlock()
		if done(got) {
			return got
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("timed out; %d frames: %+v", len(got), got)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func messages(frames []ServerFrame) []ServerFrame {
	var out []ServerFrame
	for _, f := range frames {
		if f.Type == FrameMessageCreated {
			out = append(out, f)
		}
	}
	return out
}

func hasType(typ string) func([]ServerFrame) bool {
	return func(fs []ServerFrame) bool {
		for _, f := range fs {
			if f.Type == typ {
				return true
			}
		}
		return false
	}
}

// A gateway holding sockets of tenant A follows A's events only: B's never
// reach it, and A's feed stops once A's last socket is gone.
func TestGatewayFollowsOnlyTheTenantsOfItsSockets(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	a, b := ids.New(), ids.New()
	sock := r.dial("tenant=" + a + "&agent=" + ids.New())
	if hello := sock.wait(hasType(FrameHello))[0]; hello.Type != FrameHello || hello.Role != "agent" {
		t.Fatalf("first frame %+v", hello)
	}
	for i := range 30 {
		r.publish(b, "b-conv", int64(i+1))
	}
	for i := range 3 {
		r.publish(a, "a-conv", int64(i+1))
	}
	got := messages(sock.wait(func(fs []ServerFrame) bool { return len(messages(fs)) == 3 }))
	for i, f := range got {
		if f.Message.ConversationID != "a-conv" || f.Message.Seq != int64(i+1) || f.Cursor == 0 {
			t.Fatalf("message %d: %+v", i, f)
		}
	}
	// B's events came first in the stream: a gateway that followed them
	// would have decoded them before A's.
	if n := r.hub.events.Load(); n != 3 {
		t.Fatalf("the hub decoded %d events, want A's 3", n)
	}
	if n := r.hub.Feeds(); n != 1 {
		t.Fatalf("%d feeds, want 1", n)
	}
	_ = sock.ws.Close()
	deadline := time.Now().Add(5 * time.Second)
	for r.hub.Feeds() != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the feed outlived the tenant's last socket")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// An agent away while 60 conversations got messages resumes with its
// cursor: one socket gets every missed message once, in order, then the
// live ones that came during the replay, with no gap and no duplicate.
func TestAgentResumesEveryMissedMessageInOneStep(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	a, b, agent := ids.New(), ids.New(), ids.New()
	first := r.dial("tenant=" + a + "&agent=" + agent)
	r.publish(a, "c-0", 1)
	cursor := messages(first.wait(func(fs []ServerFrame) bool { return len(messages(fs)) == 1 }))[0].Cursor
	_ = first.ws.Close()

	const convs, each = 60, 3
	want := map[string]int64{"c-0": 1}
	for s := int64(1); s <= each; s++ {
		for c := range convs {
			id := fmt.Sprintf("c-%d", c+1)
			r.publish(a, id, s)
			want[id] = s
			r.publish(b, id, s) // another tenant's, never to be replayed
		}
	}
	// Another socket of the tenant keeps the feed live meanwhile, as on a busy gateway.
	r.dial("tenant=" + a + "&agent=" + ids.New())
	second := r.dial(fmt.Sprintf("tenant=%s&agent=%s&cursor=%d", a, agent, cursor))
	// Messages stored while the replay runs arrive too, after it.
	for s := int64(2); s <= 6; s++ {
		r.publish(a, "c-0", s)
	}
	want["c-0"] = 6
	total := convs*each + 5
	frames := second.wait(func(fs []ServerFrame) bool { return len(messages(fs)) >= total && hasType(FrameResumed)(fs) })
	time.Sleep(50 * time.Millisecond) // a duplicate would come right behind
	frames = second.wait(func([]ServerFrame) bool { return true })

	last := map[string]int64{}
	var prev uint64
	resumedAt := -1
	for i, f := range frames {
		switch f.Type {
		case FrameResumed:
			resumedAt = i
		case FrameMessageCreated:
			id := f.Message.ConversationID
			if f.Message.Seq != last[id]+1 && !(id == "c-0" && last[id] == 0 && f.Message.Seq == 2) {
				t.Fatalf("conversation %s: seq %d after %d", id, f.Message.Seq, last[id])
			}
			last[id] = f.Message.Seq
			if !strings.HasPrefix(f.Message.Body, id) {
				t.Fatalf("a message of another tenant: %+v", f.Message)
			}
		}
		if f.Cursor != 0 && f.Type != FrameHello {
			if f.Cursor < prev {
				t.Fatalf("cursor %d after %d", f.Cursor, prev)
			}
			prev = f.Cursor
		}
	}
	if got := len(messages(frames)); got != total {
		t.Fatalf("%d messages, want %d exactly once", got, total)
	}
	for id, s := range want {
		if last[id] != s {
			t.Fatalf("conversation %s ends at seq %d, want %d", id, last[id], s)
		}
	}
	if n := len(messages(frames[:resumedAt])); n < convs*each {
		t.Fatalf("resumed after %d messages, want every missed one (%d) before it", n, convs*each)
	}
}

// A cursor the stream cannot resume from (ahead of it, or older than what
// it keeps) gets a resync frame, and the socket goes on live; a cursor that
// is not a number, or a visitor's, is refused before the upgrade.
func TestUnusableCursorsAskForAResync(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	a := ids.New()
	seq := r.publish(a, "c", 1)
	ahead := r.dial(fmt.Sprintf("tenant=%s&agent=%s&cursor=%d", a, ids.New(), seq+100))
	ahead.wait(hasType(FrameResync))

	st, err := r.js.Stream(context.Background(), contracts.ConversationStream.Name)
	if err != nil {
		t.Fatal(err)
	}
	r.publish(a, "c", 2)
	if err := st.Purge(context.Background()); err != nil {
		t.Fatal(err)
	}
	old := r.dial(fmt.Sprintf("tenant=%s&agent=%s&cursor=%d", a, ids.New(), seq))
	fs := old.wait(hasType(FrameResync))
	if f := fs[len(fs)-1]; !strings.Contains(f.Detail, "older than") {
		t.Fatalf("resync %+v", f)
	}
	r.publish(a, "c", 3)
	// Both go on live from their resync: the first got message 2 already.
	for c, n := range map[*client]int{ahead: 2, old: 1} {
		m := messages(c.wait(func(fs []ServerFrame) bool { return len(messages(fs)) == n }))
		if m[n-1].Message.Seq != 3 {
			t.Fatalf("after a resync: %+v", m)
		}
	}

	for query, want := range map[string]string{
		"tenant=" + a + "&agent=x&cursor=abc":         "cursor",
		"tenant=" + a + "&agent=x&cursor=-1":          "cursor",
		"tenant=" + a + "&agent=x&visitor=1&cursor=3": "cursor",
	} {
		_, res, err := websocket.DefaultDialer.Dial(r.url+"/?"+query, nil)
		if err == nil || res == nil || res.StatusCode != http.StatusBadRequest {
			t.Fatalf("%s: %v %v", query, err, res)
		}
		body, _ := io.ReadAll(res.Body)
		if !strings.Contains(string(body), `"field":"`+want+`"`) {
			t.Fatalf("%s: %s", query, body)
		}
	}
}
