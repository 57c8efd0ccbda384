package allinone_test

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/parley-chat/parley/pkg/testkit"
)

// cluster is Parley as separate processes: one of each service plus extra
// gateways, conversation and notify services, on PostgreSQL and a NATS
// server; env is added to every process's environment.
type cluster struct {
	gateways      []*parley
	conversations []*process
	procs         map[string]*process // the last one started of each name
	held          holdings            // its PostgreSQL schemas and NATS streams
	run           func(name string, extra ...string) *process
}

func startCluster(t *testing.T, gateways, conversations, notifies int, env ...string) *cluster {
	t.Helper()
	pg := testkit.PostgresOnly(t)
	bin := serviceBinaries(t)
	natsURL := testkit.NATSServer(t)
	env = append([]string{
		"PARLEY_DATABASE_URL=" + pg.URL, "PARLEY_DATABASE_SCHEMA_PREFIX=" + pg.Prefix, "PARLEY_NATS_URL=" + natsURL,
		"PARLEY_PUBLIC_URL=http://parley.test", "PARLEY_REQUEST_TIMEOUT=2s", "PARLEY_DATA_DIR=" + t.TempDir(), "PATH=" + os.Getenv("PATH"),
	}, env...)
	c := &cluster{procs: map[string]*process{}, held: holdings{pgPrefix: pg.Prefix, natsURL: natsURL}}
	run := func(name string, extra ...string) *process {
		cmd := exec.Command(filepath.Join(bin, name))
		cmd.Env = append(append([]string{}, env...), extra...)
		c.procs[name] = startProcess(t, name, cmd)
		return c.procs[name]
	}
	c.run = run
	run("identity")
	run("tenant")
	run("billing")
	for range notifies {
		run("notify")
	}
	for range conversations {
		c.conversations = append(c.conversations, run("conversation"))
	}
	for range gateways {
		port := testkit.FreePort(t)
		run("gateway", "PARLEY_HTTP_ADDR=127.0.0.1:"+strconv.Itoa(port))
		g := &parley{t: t, URL: "http://127.0.0.1:" + strconv.Itoa(port), http: newContractClient(t, 30*time.Second)}
		c.gateways = append(c.gateways, g)
	}
	for _, g := range c.gateways {
		testkit.Eventually(t, 30*time.Second, func() error {
			res, err := g.http.Get(g.URL + "/readyz")
			if err != nil {
				return err
			}
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				return fmt.Errorf("readyz %d", res.StatusCode)
			}
			return nil
		})
	}
	return c
}

// receivedOnce checks that a socket got message.created exactly once for
// each body, in the order given.
func receivedOnce(t *testing.T, s *socket, bodies []string) {
	t.Helper()
	s.expect(15*time.Second, messageWithBody(bodies[len(bodies)-1]))
	var got []string
	var lastSeq float64
	for _, f := range s.all() {
		if f["type"] != "message.created" {
			continue
		}
		got = append(got, f.str("message.body"))
		if seq := f.num("message.seq"); seq <= lastSeq {
			t.Fatalf("seq %v arrived after %v", seq, lastSeq)
		} else {
			lastSeq = seq
		}
	}
	counts := map[string]int{}
	for _, b := range got {
		counts[b]++
	}
	for _, b := range bodies {
		if counts[b] != 1 {
			t.Fatalf("%q delivered %d times", b, counts[b])
		}
	}
}

// A visitor on gateway 1 and an agent on gateway 2, with two conversation
// services behind them, exchange messages both ways: each delivered once, in
// order. Then one conversation service is killed mid-stream; the client
// retries with the same client_msg_id and every message is stored once and
// delivered.
func TestScaleOutAcrossReplicas(t *testing.T) {
	t.Parallel()
	c := startCluster(t, 2, 2, 1)
	g1, g2 := c.gateways[0], c.gateways[1]
	owner := g1.signup("Scaled Inc")
	v := g1.newVisitor(g1.widgetKey(owner))
	visitorWS := g1.dial(t, v.Token, nil)
	agentWS := g2.dial(t, owner.Access, nil)

	conv := g1.startConversation(v, "hello from gateway 1").str("conversation.id")
	bodies := []string{"hello from gateway 1"}
	for i := range 10 {
		if i%2 == 0 {
			b := fmt.Sprint("agent says ", i)
			agentWS.send(map[string]any{"type": "message.send", "conversation_id": conv, "body": b, "client_msg_id": msgID()})
			visitorWS.expect(10*time.Second, messageWithBody(b))
			bodies = append(bodies, b)
		} else {
			b := fmt.Sprint("visitor says ", i)
			visitorWS.send(map[string]any{"type": "message.send", "conversation_id": conv, "body": b, "client_msg_id": msgID()})
			agentWS.expect(10*time.Second, messageWithBody(b))
			bodies = append(bodies, b)
		}
	}
	receivedOnce(t, agentWS, bodies)
	receivedOnce(t, visitorWS, bodies)

	// A stream of sends; halfway, one conversation service dies hard.
	const n = 60
	var stream []string
	for i := range n {
		if i == n/2 {
			c.conversations[0].kill()
		}
		body, id := fmt.Sprint("stream ", i), msgID()
		stream = append(stream, body)
		testkit.Eventually(t, 30*time.Second, func() error {
			r := g1.do("POST", "/api/v1/widget/conversations/"+conv+"/messages", v.Token, map[string]string{"body": body, "client_msg_id": id})
			if r.Status != 201 && r.Status != 200 {
				return fmt.Errorf("send %d: %d %s", i, r.Status, r.Raw)
			}
			return nil
		})
	}
	all := g2.do("GET", "/api/v1/conversations/"+conv+"/messages?limit=500", owner.Access, nil).must(t, 200)
	msgs := all.Body["messages"].([]any)
	if len(msgs) != len(bodies)+n {
		t.Fatalf("%d messages stored, want %d", len(msgs), len(bodies)+n)
	}
	for i, m := range msgs {
		if seq := m.(map[string]any)["seq"].(float64); seq != float64(i+1) {
			t.Fatalf("message %d has seq %v", i, seq)
		}
	}
	receivedOnce(t, agentWS, append(bodies, stream...))
}

// Two notify replicas share the event consumers and the sweep of unread
// answers: each invitation and each away visitor's answer is emailed once.
func TestTwoNotifyReplicasEmailEachOnce(t *testing.T) {
	t.Parallel()
	mp := testkit.StartMailpit(t)
	c := startCluster(t, 1, 1, 2, "PARLEY_SMTP_URL="+mp.SMTPURL(), "PARLEY_EMAIL_FROM=Parley <no-reply@parley.test>", "PARLEY_NOTIFY_VISITOR_DELAY=1s")
	p := c.gateways[0]
	owner := p.signup("Twin Mail")
	key := p.widgetKey(owner)
	var addrs []string
	for range 3 {
		addrs = append(addrs, p.invite(owner, "agent").Email)
	}
	for i := range 6 {
		addr := fmt.Sprintf("twin-%d-%s@example.com", i, msgID())
		conv := p.startConversation(p.visitorWithEmail(key, addr, "en"), "Is this in stock?").str("conversation.id")
		p.answer(owner, conv, "Yes, it is.")
		addrs = append(addrs, addr)
	}
	for _, a := range addrs {
		mp.WaitFor(t, a, 1, 60*time.Second)
	}
	// A last answer emailed after all of them: by then every sweep that could
	// have sent one twice has run.
	last := "twin-last@example.com"
	conv := p.startConversation(p.visitorWithEmail(key, last, "en"), "One more?").str("conversation.id")
	p.answer(owner, conv, "Sure.")
	mp.WaitFor(t, last, 1, 60*time.Second)
	for _, a := range addrs {
		if got, err := mp.To(a); err != nil || len(got) != 1 {
			t.Errorf("%s got %d emails (%v), want 1", a, len(got), err)
		}
	}
}
