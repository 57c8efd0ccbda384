// Command parley-bench measures Parley from the outside, the way users load
// it, against the ceilings of its own parts measured in the same run (the
// machine is shared, so only ratios within one run compare). Phases, each
// selectable with -only:
//
//   - ceilings: message rows inserted by SQLite (Parley's driver and
//     pragmas) and PostgreSQL, one per transaction and in batches of 100,
//     and events published to JetStream, sync and async (ceilings.go).
//   - standalone: bin/parley (one process, SQLite, embedded NATS) with a
//     fresh data directory; V visitors, each with a conversation, send to
//     one agent's socket over their socket and over the widget's HTTP
//     route, closed loop and at fixed offered rates (half the sustained
//     rate by default). Reports messages/s persisted and delivered, server
//     CPU per message (/proc), send → agent socket p50/p99/p99.9, the
//     stored → agent part and the gateway's own histogram (messages.go).
//   - distributed: the same against the service binaries of `make build`
//     on PostgreSQL, with one and with two conversation replicas
//     (distributed.go).
//   - bot and sockets: the FAQ bot's answers per second, and the server's
//     resident memory per idle visitor socket (on the standalone server).
//   - export: seeds a new workspace with C conversations of M messages
//     each through the widget's REST API, then times its export (POST
//     /exports → done → download) and the import of that archive into a
//     new workspace of a second bin/parley, sampling each server's
//     resident memory (export.go).
//   - uploads: a 10 MB document and a 4000×3000 PNG, each uploaded N
//     times through the widget's route, in MB/s against the raw Object
//     Store put rate of the same bytes, with the server's peak RSS
//     (uploads.go).
//   - report: seeds a workspace with a year of history (100,000
//     conversations, their messages, activities and read-model rows)
//     straight into SQLite and times the report over 30 and 365 days
//     (report.go).
//
// Results go to stdout as Markdown tables.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
)

// phases are what -only may name; "messages" is the first three.
var phases = []string{"ceilings", "standalone", "distributed", "bot", "sockets", "export", "uploads", "report"}

func main() {
	bin := flag.String("bin", "bin/parley", "the all-in-one binary to start")
	servicesDir := flag.String("services", "", "directory of the service binaries of `make build` for the distributed phases (default: that of -bin)")
	pgURL := flag.String("postgres", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable", "PostgreSQL for the distributed phases and its ceiling (skipped when unreachable)")
	visitors := flag.Int("visitors", 200, "visitors (conversations and sockets) sending at once")
	duration := flag.Duration("duration", 10*time.Second, "length of each closed-loop phase (and of the bot phase)")
	latDuration := flag.Duration("latency-duration", 6*time.Second, "length of each fixed-rate phase")
	ceilingDuration := flag.Duration("ceiling-duration", 3*time.Second, "length of each ceiling measurement")
	rates := flag.String("rates", "half,1000", `offered messages/s of the fixed-rate phases, comma separated ("half": half of the sustained rate of the same deployment and path)`)
	sockets := flag.Int("sockets", 20000, "idle visitor sockets in the memory phase (0 skips it)")
	botVisitors := flag.Int("bot-visitors", 50, "visitors asking the FAQ bot at once in the bot phase (0 skips it)")
	exportConvs := flag.Int("export-conversations", 1000, "conversations of the workspace exported in the export phase (0 skips it)")
	exportMsgs := flag.Int("export-messages", 100, "messages in each of those conversations")
	reportConvs := flag.Int("report-conversations", 100_000, "conversations of the workspace of the report phase (0 skips it)")
	reportMsgs := flag.Int("report-messages", 1, "messages in each of those conversations (the report reads only the read model)")
	uploads := flag.Int("uploads", 20, "uploads of each file in the uploads phase (0 skips it)")
	only := flag.String("only", "", "run only these phases, comma separated: "+strings.Join(phases, ", ")+`, or "messages" (ceilings, standalone, distributed)`)
	flag.Parse()
	run := map[string]bool{}
	for _, p := range strings.Split(strings.ReplaceAll(*only, "messages", "ceilings,standalone,distributed"), ",") {
		if p = strings.TrimSpace(p); p != "" && !slices.Contains(phases, p) {
			fatal(fmt.Errorf("-only: unknown phase %q (want %s or messages)", p, strings.Join(phases, ", ")))
		}
		run[p] = true
	}
	if *only == "" {
		for _, p := range phases {
			run[p] = true
		}
	}
	run["bot"] = run["bot"] && *botVisitors > 0
	run["sockets"] = run["sockets"] && *sockets > 0
	run["export"] = run["export"] && *exportConvs > 0
	run["uploads"] = run["uploads"] && *uploads > 0
	run["report"] = run["report"] && *reportConvs > 0
	if *servicesDir == "" {
		*servicesDir = filepath.Dir(*bin)
	}
	pg := (run["ceilings"] || run["distributed"]) && postgresReachable(*pgURL)
	if !pg && (run["ceilings"] || run["distributed"]) {
		fmt.Fprintf(os.Stderr, "parley-bench: PostgreSQL is unreachable at %s: no distributed phases, no PostgreSQL ceiling\n", *pgURL)
	}
	m := &messageRun{visitors: *visitors, duration: *duration, latDuration: *latDuration, rates: *rates, loadBefore: loadAverage()}

	if run["ceilings"] {
		fmt.Fprintln(os.Stderr, "parley-bench: measuring the ceilings")
		var err error
		if err = sqliteCeiling(&m.ceil, *ceilingDuration); err != nil {
			fatal(err)
		}
		if pg {
			if m.ceil.pgSingle, m.ceil.pgBatch, err = postgresCeiling(*pgURL, *ceilingDuration); err != nil {
				fatal(err)
			}
		}
		if m.ceil.jsSync, m.ceil.jsAsync, err = jetstreamCeiling(*ceilingDuration); err != nil {
			fatal(err)
		}
	}
	var rows []string // the "what | result" rows of the other phases
	if run["standalone"] || run["bot"] || run["sockets"] {
		// Client and server each hold one descriptor per socket, under the
		// same limit: keep some for everything else.
		if limit := raiseFileLimit(); run["sockets"] && *sockets > limit-2000 {
			fmt.Fprintf(os.Stderr, "parley-bench: the open-file limit is %d; measuring %d sockets instead of %d\n", limit, limit-2000, *sockets)
			*sockets = max(limit-2000, 0)
		}
		srv, err := startServer(*bin, "PARLEY_METRICS_TOKEN="+metricsToken)
		if err != nil {
			fatal(err)
		}
		running = srv
		b := &bench{url: srv.url}
		if err := b.setup(*visitors); err != nil {
			fatal(err)
		}
		if run["standalone"] {
			m.measure("standalone (`bin/parley`, SQLite)", false, b, []int{srv.pid})
		}
		if run["bot"] {
			perSec, answered, total, err := b.botLoad(*botVisitors, *duration)
			if err != nil {
				fatal(err)
			}
			rows = append(rows, fmt.Sprintf("| FAQ bot, %d visitors asking at once (closed loop) | **%.0f answers/s**; %.0f%% of %d questions answered without a person |",
				*botVisitors, perSec, 100*float64(answered)/float64(max(total, 1)), total))
		}
		if run["sockets"] {
			perConn, held, err := b.idleSockets(srv.pid, *sockets)
			if err != nil {
				fatal(err)
			}
			rows = append(rows, fmt.Sprintf("| idle visitor sockets held | %d, **%.1f KB** of server RSS each |", held, perConn/1024))
		}
		srv.stop()
		running = nil
	}
	if run["distributed"] && pg {
		for _, replicas := range []int{1, 2} {
			fmt.Fprintf(os.Stderr, "parley-bench: distributed, %d conversation replica(s)\n", replicas)
			c, err := startCluster(*servicesDir, *pgURL, replicas)
			if err != nil {
				fatal(err)
			}
			running = c
			b := &bench{url: c.url}
			if err := b.setup(*visitors); err != nil {
				fatal(err)
			}
			m.measure(fmt.Sprintf("distributed (PostgreSQL, %d conversation replica%s)", replicas, map[bool]string{true: "s"}[replicas > 1]), true, b, c.pids())
			c.stop()
			running = nil
		}
	}
	if run["ceilings"] || run["standalone"] || run["distributed"] {
		m.loadAfter = loadAverage()
		m.print()
	}
	if run["bot"] || run["sockets"] || run["export"] || run["uploads"] || run["report"] {
		fmt.Printf("| what | result |\n| --- | --- |\n")
		for _, r := range rows {
			fmt.Println(r)
		}
	}
	if run["export"] {
		exportRows(*bin, *exportConvs, *exportMsgs)
	}
	if run["uploads"] {
		uploadRows(*bin, *uploads)
	}
	if run["report"] {
		reportRows(*bin, *reportConvs, *reportMsgs)
	}
}

// exportRows runs the export phase on a server of its own and prints its rows.
func exportRows(bin string, convs, perConv int) {
	srv, err := startServer(bin)
	if err != nil {
		fatal(err)
	}
	running = srv
	defer func() { srv.stop(); running = nil }()
	b := &bench{url: srv.url}
	r, err := b.exportImport(bin, srv.pid, convs, perConv)
	if err != nil {
		fatal(err)
	}
	fmt.Printf("| seeding the export's workspace: %d conversations × %d messages through the widget's REST API | %s (%.0f msg/s) |\n",
		convs, perConv, r.seed.Round(time.Second), float64(r.messages)/r.seed.Seconds())
	fmt.Printf("| export of %d messages: POST /exports → done · download (%.1f MB zip) | **%s** · %s |\n",
		r.messages, float64(r.size)/1e6, r.export.Round(10*time.Millisecond), r.download.Round(10*time.Millisecond))
	fmt.Printf("| … server RSS while it runs: baseline → peak | %s → **%s** |\n", mb(r.exportMem.base), mb(r.exportMem.peak))
	fmt.Printf("| import of that archive into a new workspace of another Parley: POST /imports → done | **%s** (%d messages) |\n",
		r.imp.Round(10*time.Millisecond), r.imported)
	fmt.Printf("| … that server's RSS while it runs: baseline → peak | %s → **%s** |\n", mb(r.importMem.base), mb(r.importMem.peak))
}

// reportRows runs the report phase and prints its rows.
func reportRows(bin string, convs, perConv int) {
	r, err := reportPhase(bin, convs, perConv)
	if err != nil {
		fatal(err)
	}
	fmt.Printf("| seeding the report's workspace: %d conversations, %d messages, their activities and read-model rows (straight into SQLite) | %s |\n",
		r.conversations, r.messages, r.seed.Round(time.Second))
	for _, days := range []int{30, 365} {
		p50, worst := p50max(r.timings[days])
		fmt.Printf("| report over %d days, %s, 5 runs | p50 **%s**, max %s |\n", days, r.via, p50.Round(time.Millisecond), worst.Round(time.Millisecond))
	}
}

// running is the server under test, stopped on a fatal error too (os.Exit
// runs no deferred call, and a server left behind holds the output open).
var running interface{ stop() }

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "parley-bench:", err)
	if running != nil {
		running.stop()
	}
	os.Exit(1)
}

// raiseFileLimit lifts the open-file limit (inherited by the server it
// starts) as far as allowed and returns it.
func raiseFileLimit() int {
	var r syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r) != nil {
		return 1024
	}
	want := syscall.Rlimit{Cur: 1 << 20, Max: 1 << 20}
	if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want) == nil {
		return int(want.Cur)
	}
	r.Cur = r.Max
	_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &r)
	_ = syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r)
	return int(r.Cur)
}

type server struct {
	url  string
	pid  int
	cmd  *exec.Cmd
	data string
}

// unlimited turns off the limits of anonymous visitors: the bench's few
// visitors, all on loopback, send far more than any person would, to
// measure throughput rather than the limits.
var unlimited = []string{"PARLEY_VISITOR_STARTS_PER_HOUR=0", "PARLEY_IP_STARTS_PER_HOUR=0", "PARLEY_VISITOR_MESSAGES_PER_MINUTE=0",
	"PARLEY_IP_MESSAGES_PER_MINUTE=0", "PARLEY_SOCKETS_PER_VISITOR=0", "PARLEY_SOCKETS_PER_IP=0"}

// startServer starts bin with a fresh data directory, and env besides.
func startServer(bin string, env ...string) (*server, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	data, err := os.MkdirTemp("", "parley-bench-")
	if err != nil {
		return nil, err
	}
	url := "http://127.0.0.1:" + strconv.Itoa(port)
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "PARLEY_DATA_DIR="+filepath.Join(data, "data"), "PARLEY_HTTP_ADDR=127.0.0.1:"+strconv.Itoa(port),
		"PARLEY_PUBLIC_URL="+url, "PARLEY_LOG_LEVEL=warn")
	cmd.Env = append(append(cmd.Env, unlimited...), env...)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{url: url, pid: cmd.Process.Pid, cmd: cmd, data: data}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if res, err := http.Get(url + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return s, nil
			}
		}
	}
	s.stop()
	return nil, fmt.Errorf("%s did not become ready", bin)
}

func (s *server) stop() {
	_ = s.cmd.Process.Signal(os.Interrupt)
	_, _ = s.cmd.Process.Wait()
	_ = os.RemoveAll(s.data)
}

type bench struct {
	url      string
	agent    string
	key      string
	visitors []benchVisitor
}

type benchVisitor struct {
	token, conv string
}

func (b *bench) post(path, token string, body any, out any) error {
	return b.call("POST", path, token, body, out)
}

func (b *bench) put(path, token string, body any) error {
	return b.call("PUT", path, token, body, nil)
}

// call sends body as JSON and decodes the answer into out (unless nil).
func (b *bench) call(method, path, token string, body any, out any) error {
	raw, _ := json.Marshal(body)
	return b.send(http.DefaultClient, method, path, token, "application/json", raw, out)
}

// send sends a body (none if nil) of a content type and decodes the JSON
// answer into out (unless nil).
func (b *bench) send(client *http.Client, method, path, token, contentType string, body []byte, out any) error {
	req, _ := http.NewRequest(method, b.url+path, bytes.NewReader(body))
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, data)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(data, out)
}

// signup creates a workspace and returns its owner's access token and its widget key.
func (b *bench) signup(business, email string) (token, widgetKey string, err error) {
	var s struct {
		AccessToken string `json:"access_token"`
		Tenant      struct {
			WidgetKey string `json:"widget_key"`
		} `json:"tenant"`
	}
	err = b.post("/api/v1/signup", "", map[string]string{"business_name": business, "name": "Agent", "email": email, "password": "benchmark password"}, &s)
	return s.AccessToken, s.Tenant.WidgetKey, err
}

// setup signs up a tenant and starts one conversation per visitor.
func (b *bench) setup(n int) error {
	var err error
	if b.agent, b.key, err = b.signup("Bench", "bench@example.com"); err != nil {
		return err
	}
	for i := range n {
		var sess struct {
			VisitorToken string `json:"visitor_token"`
		}
		if err := b.post("/api/v1/widget/"+b.key+"/session", "", map[string]any{}, &sess); err != nil {
			return err
		}
		var start struct {
			Conversation struct {
				ID string `json:"id"`
			} `json:"conversation"`
		}
		if err := b.post("/api/v1/widget/conversations", sess.VisitorToken, map[string]string{"body": "hello", "client_msg_id": fmt.Sprint("start-", i)}, &start); err != nil {
			return err
		}
		b.visitors = append(b.visitors, benchVisitor{token: sess.VisitorToken, conv: start.Conversation.ID})
	}
	return nil
}

func (b *bench) dial(token string) (*websocket.Conn, error) {
	ws, _, err := websocket.DefaultDialer.Dial(strings.Replace(b.url, "http", "ws", 1)+"/api/v1/ws?access_token="+token, nil)
	return ws, err
}

// idleSockets opens n visitor sockets and measures the server's RSS growth.
func (b *bench) idleSockets(pid, n int) (float64, int, error) {
	before, err := rss(pid)
	if err != nil {
		return 0, 0, err
	}
	var conns []*websocket.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	token := b.visitors[0].token
	// Loopback has ~28k ephemeral ports per source address: spread over 127.0.0.x.
	for i := range n {
		if i > 0 && i%10000 == 0 {
			fmt.Fprintf(os.Stderr, "parley-bench: %d sockets open\n", i)
		}
		src := &net.TCPAddr{IP: net.IPv4(127, 0, byte(1+i/25000), byte(1+i%250))}
		d := websocket.Dialer{NetDial: func(network, addr string) (net.Conn, error) {
			return (&net.Dialer{LocalAddr: src}).Dial(network, addr)
		}, HandshakeTimeout: 30 * time.Second, ReadBufferSize: 256, WriteBufferSize: 256}
		ws, _, err := d.Dial(strings.Replace(b.url, "http", "ws", 1)+"/api/v1/ws?access_token="+token, nil)
		if err != nil {
			return 0, len(conns), fmt.Errorf("socket %d: %w", i, err)
		}
		conns = append(conns, ws)
	}
	time.Sleep(3 * time.Second) // let the server settle (and the GC run)
	after, err := rss(pid)
	if err != nil {
		return 0, 0, err
	}
	return float64(after-before) / float64(n), len(conns), nil
}

// rss is a process's resident set size in bytes.
func rss(pid int) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb * 1024, err
		}
	}
	return 0, fmt.Errorf("no VmRSS for %d", pid)
}

// botQuestions are what visitors ask the FAQ bot: phrasings it should
// answer (most), and a few it should not (which it may hand to a person).
var botQuestions = []string{
	"when are you open?", "what are your opening hours", "are you open on saturday?", "opening times please",
	"how do I return an item?", "can I get a refund", "I want to return my shoes", "what is your refund policy",
	"do you ship internationally?", "do you ship to Canada?", "shipping to Germany", "how much is shipping",
	"which payment methods do you accept", "can I pay with PayPal", "do you take credit cards",
	"my bike makes a strange noise", "can you recommend a helmet", "hello",
}

var botFAQ = []map[string]any{
	{"id": "", "question": "What are your opening hours?", "alternatives": []string{"When are you open?", "Opening times"}, "answer": "9 to 5, Monday to Saturday."},
	{"id": "", "question": "How do I return an item?", "alternatives": []string{"Can I get a refund?", "Refund policy"}, "answer": "Within 30 days, free."},
	{"id": "", "question": "Do you ship internationally?", "alternatives": []string{"Shipping costs", "Do you ship abroad?"}, "answer": "Yes, across Europe and North America."},
	{"id": "", "question": "Which payment methods do you accept?", "alternatives": []string{"Can I pay by card?", "PayPal"}, "answer": "Cards and PayPal."},
}

// botLoad turns on an FAQ bot and has visitors ask it questions, each
// waiting for the answer before the next; it counts answers per second and
// how many were answers rather than "I don't know" or a hand-off.
func (b *bench) botLoad(visitors int, d time.Duration) (float64, int, int, error) {
	cfg := map[string]any{"enabled": true, "name": "Bench bot", "skills": []string{"faq"},
		"faq":          map[string]any{"threshold": 0.5, "entries": botFAQ},
		"order_status": map[string]any{"url": "", "number_pattern": "", "reply_template": "", "secret_set": false},
		"appointments": map[string]any{"timezone": "UTC", "weekly": map[string]any{}, "buffer_minutes": 0, "horizon_days": 14, "services": []any{}},
		"after_hours":  map[string]any{"message": ""}, "external": map[string]any{"url": "", "secret_set": false}}
	if err := b.put("/api/v1/bot", b.agent, cfg); err != nil {
		return 0, 0, 0, err
	}
	var answers, answered, asked atomic.Int64
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for i := range visitors {
		wg.Go(func() {
			var sess struct {
				VisitorToken string `json:"visitor_token"`
			}
			if b.post("/api/v1/widget/"+b.key+"/session", "", map[string]any{}, &sess) != nil {
				return
			}
			ws, err := b.dial(sess.VisitorToken)
			if err != nil {
				return
			}
			defer ws.Close()
			replies := make(chan string, 16)
			go func() {
				defer close(replies)
				for {
					_, data, err := ws.ReadMessage()
					if err != nil {
						return
					}
					var f struct {
						Type    string `json:"type"`
						Message struct {
							Body   string `json:"body"`
							Author struct {
								Type string `json:"type"`
							} `json:"author"`
						} `json:"message"`
					}
					if json.Unmarshal(data, &f) == nil && f.Type == "message.created" && f.Message.Author.Type == "bot" {
						replies <- f.Message.Body
					}
				}
			}()
			conv := ""
			for q := i; ctx.Err() == nil; q++ {
				question := botQuestions[q%len(botQuestions)]
				id := fmt.Sprintf("q-%d-%d", i, q)
				var err error
				if conv == "" {
					var r struct {
						Conversation struct {
							ID string `json:"id"`
						} `json:"conversation"`
					}
					err = b.post("/api/v1/widget/conversations", sess.VisitorToken, map[string]string{"body": question, "client_msg_id": id}, &r)
					conv = r.Conversation.ID
				} else {
					var m map[string]any
					err = b.post("/api/v1/widget/conversations/"+conv+"/messages", sess.VisitorToken, map[string]string{"body": question, "client_msg_id": id}, &m)
				}
				if err != nil {
					return
				}
				asked.Add(1)
				select {
				case body, ok := <-replies:
					if !ok {
						return
					}
					answers.Add(1)
					if !strings.HasPrefix(body, "Sorry") && !strings.HasPrefix(body, "I'm not sure") {
						answered.Add(1)
						continue
					}
					// A second miss in a row hands the visitor to a person (a
					// second message follows): the next question starts afresh.
					for more := true; more; {
						select {
						case next := <-replies:
							if strings.Contains(next, "away") || strings.Contains(next, "connecting") {
								conv = ""
							}
						case <-time.After(150 * time.Millisecond):
							more = false
						}
					}
				case <-time.After(5 * time.Second):
					return
				}
			}
		})
	}
	wg.Wait()
	return float64(answers.Load()) / time.Since(start).Seconds(), int(answered.Load()), int(asked.Load()), nil
}
