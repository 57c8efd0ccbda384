package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The message phases: visitors send to one agent, over the socket (a
// message.send frame, as the bench has always sent them) or over the
// widget's HTTP route (POST /widget/conversations/:id/messages, as the
// widget does), closed loop and at fixed offered rates. A message counts once
// the agent's socket has it: persisted and delivered.

// Paths a visitor's message can take.
const (
	viaSocket = "socket"
	viaHTTP   = "HTTP"
)

// metricsToken turns on the gateway's /metrics for the bench.
const metricsToken = "parley-bench-metrics"

// widgetSendRoute is the gateway's route template of a visitor's HTTP send.
const widgetSendRoute = "/api/v1/widget/conversations/:id/messages"

// latencies collects durations.
type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *latencies) add(d time.Duration) { l.mu.Lock(); l.d = append(l.d, d); l.mu.Unlock() }

// at is the q-th percentile, or -1 without samples.
func (l *latencies) at(q float64) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.d) == 0 {
		return -1
	}
	slices.Sort(l.d)
	return l.d[min(len(l.d)-1, int(float64(len(l.d))*q/100))]
}

func (l *latencies) p(q float64) string { return ms(l.at(q)) }

// pcts is "p50 / p99 / p99.9".
func (l *latencies) pcts() string { return l.p(50) + " / " + l.p(99) + " / " + l.p(99.9) }

func ms(d time.Duration) string {
	if d < 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000)
}

// loadResult is one message phase.
type loadResult struct {
	via       string
	offered   int     // messages/s; 0 for a closed loop
	rate      float64 // delivered to the agent per second
	delivered int64
	e2e       *latencies    // visitor's send → agent's socket
	stored    *latencies    // the message's created_at (set by the server as it stores it) → agent's socket
	acked     *latencies    // send → acknowledgement (ack frame or HTTP answer)
	cpu       time.Duration // utime+stime of the server's processes over the phase
	gateway   histogram     // the gateway's own time for the HTTP sends (its /metrics)
}

// cpuPerMessage is the server's CPU time per delivered message.
func (r loadResult) cpuPerMessage() string {
	if r.delivered == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.3f ms", r.cpu.Seconds()*1000/float64(r.delivered))
}

// load sends over via for d, closed loop (rate 0) or at a fixed offered
// rate, while pids are the server's processes.
func (b *bench) load(via string, d time.Duration, rate int, pids []int) loadResult {
	r := loadResult{via: via, offered: rate, e2e: &latencies{}, stored: &latencies{}, acked: &latencies{}}
	agent, err := b.dial(b.agent)
	if err != nil {
		fatal(err)
	}
	defer agent.Close()
	var delivered atomic.Int64
	var done atomic.Bool // the phase is over and the agent's socket may close
	sentAt := sync.Map{} // client_msg_id → time
	go func() {
		for {
			_, data, err := agent.ReadMessage()
			if err != nil {
				if !done.Load() {
					fmt.Fprintln(os.Stderr, "parley-bench: the agent's socket closed during the phase, so deliveries are undercounted:", err)
				}
				return
			}
			at := time.Now()
			if !bytes.Contains(data, []byte(`"message.created"`)) {
				continue
			}
			var f struct {
				Type    string `json:"type"`
				Message struct {
					ClientMsgID string    `json:"client_msg_id"`
					CreatedAt   time.Time `json:"created_at"`
				} `json:"message"`
			}
			if json.Unmarshal(data, &f) != nil || f.Type != "message.created" {
				continue
			}
			if t, ok := sentAt.LoadAndDelete(f.Message.ClientMsgID); ok {
				r.e2e.add(at.Sub(t.(time.Time)))
				r.stored.add(at.Sub(f.Message.CreatedAt))
				delivered.Add(1)
			}
		}
	}()
	// Every sender is connected before the clock starts.
	senders := make([]func(conv, id string) bool, len(b.visitors))
	for i, v := range b.visitors {
		if senders[i], err = b.sender(via, v); err != nil {
			fatal(err)
		}
	}
	defer func() {
		for _, s := range senders {
			s("", "") // closes
		}
	}()
	var tick <-chan time.Time
	if rate > 0 {
		t := time.NewTicker(time.Second / time.Duration(rate)) // one tick, one message, whichever sender takes it
		defer t.Stop()
		tick = t.C
	}
	before := scrape(b.url)
	cpu0 := cpuTime(pids)
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var wg sync.WaitGroup
	start := time.Now()
	for i, v := range b.visitors {
		send := senders[i]
		wg.Go(func() {
			for ctx.Err() == nil {
				if tick != nil {
					select {
					case <-ctx.Done():
						return
					case <-tick:
					}
				}
				id := fmt.Sprint("b-", messageSeq.Add(1))
				t0 := time.Now()
				sentAt.Store(id, t0)
				if !send(v.conv, id) {
					return
				}
				r.acked.add(time.Since(t0))
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	// Let the last deliveries land: until none arrived for half a second.
	for last := delivered.Load(); ; {
		time.Sleep(500 * time.Millisecond)
		if n := delivered.Load(); n == last {
			break
		} else {
			last = n
		}
	}
	r.cpu = cpuTime(pids) - cpu0
	if via == viaHTTP {
		r.gateway = scrape(b.url).minus(before)
	}
	done.Store(true)
	r.delivered = delivered.Load()
	r.rate = float64(r.delivered) / elapsed.Seconds()
	return r
}

// sender connects one visitor for via and returns its send: it sends one
// message and waits for its acknowledgement, false when it cannot; with
// an empty id it closes.
func (b *bench) sender(via string, v benchVisitor) (func(conv, id string) bool, error) {
	if via == viaHTTP {
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
		return func(conv, id string) bool {
			if id == "" {
				client.CloseIdleConnections()
				return false
			}
			raw, _ := json.Marshal(map[string]string{"body": "benchmark message " + id, "client_msg_id": id})
			if err := b.send(client, "POST", "/api/v1/widget/conversations/"+conv+"/messages", v.token, "application/json", raw, nil); err != nil {
				refused(err)
			}
			return true
		}, nil
	}
	ws, err := b.dial(v.token)
	if err != nil {
		return nil, err
	}
	acks := make(chan struct{}, 1)
	go func() {
		defer close(acks)
		for {
			_, data, err := ws.ReadMessage()
			if err != nil {
				return
			}
			if bytes.HasPrefix(data, []byte(`{"type":"error"`)) {
				refused(fmt.Errorf("%s", data))
			}
			if bytes.HasPrefix(data, []byte(`{"type":"message.ack"`)) || bytes.HasPrefix(data, []byte(`{"type":"error"`)) {
				acks <- struct{}{}
			}
		}
	}()
	return func(conv, id string) bool {
		if id == "" {
			ws.Close()
			return false
		}
		if ws.WriteJSON(map[string]any{"type": "message.send", "conversation_id": conv, "body": "benchmark message " + id, "client_msg_id": id}) != nil {
			return false
		}
		_, ok := <-acks
		return ok
	}, nil
}

// messageSeq numbers the client_msg_id of every message of the run: an id
// used again by the same visitor would be a replay, neither stored nor
// delivered again.
var messageSeq atomic.Int64

var refusals atomic.Int64

// refused reports the first few sends the server refused.
func refused(err error) {
	if refusals.Add(1) <= 5 {
		fmt.Fprintln(os.Stderr, "parley-bench: a send was refused:", err)
	}
}

// cpuTime is the utime+stime of processes so far, from /proc/<pid>/stat.
func cpuTime(pids []int) time.Duration {
	const tick = 10 * time.Millisecond // USER_HZ is 100 on Linux
	var total time.Duration
	for _, pid := range pids {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		// The command name, in parentheses, may hold spaces: count fields after it.
		fields := strings.Fields(string(data[bytes.LastIndexByte(data, ')')+1:]))
		if len(fields) < 13 {
			continue
		}
		utime, _ := strconv.ParseInt(fields[11], 10, 64)
		stime, _ := strconv.ParseInt(fields[12], 10, 64)
		total += time.Duration(utime+stime) * tick
	}
	return total
}

// histogram is the gateway's latency histogram of widgetSendRoute:
// cumulative counts by upper bound in seconds, sorted.
type histogram struct {
	le     []float64
	counts []float64
}

// scrape reads the histogram from the gateway's /metrics; empty when
// metrics are off.
func scrape(url string) histogram {
	req, _ := http.NewRequest("GET", url+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+metricsToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return histogram{}
	}
	defer res.Body.Close()
	var h histogram
	prefix := `parley_http_request_duration_seconds_bucket{`
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, prefix) || !strings.Contains(line, `method="POST"`) || !strings.Contains(line, `route="`+widgetSendRoute+`"`) {
			continue
		}
		i := strings.Index(line, `le="`)
		j := strings.LastIndexByte(line, ' ')
		if i < 0 || j < 0 {
			continue
		}
		bound := line[i+4 : i+4+strings.IndexByte(line[i+4:], '"')]
		le, err1 := strconv.ParseFloat(bound, 64) // "+Inf" parses as +Inf
		n, err2 := strconv.ParseFloat(line[j+1:], 64)
		if err1 == nil && err2 == nil {
			h.le, h.counts = append(h.le, le), append(h.counts, n)
		}
	}
	return h
}

// minus is what h counted since earlier (the same buckets).
func (h histogram) minus(earlier histogram) histogram {
	out := histogram{le: h.le, counts: slices.Clone(h.counts)}
	if len(earlier.le) == len(h.le) {
		for i := range out.counts {
			out.counts[i] -= earlier.counts[i]
		}
	}
	return out
}

// at is the bucket bound the q-th percentile falls under, as "≤ 1 ms".
func (h histogram) at(q float64) string {
	if len(h.counts) == 0 || h.counts[len(h.counts)-1] == 0 {
		return "n/a"
	}
	want := h.counts[len(h.counts)-1] * q / 100
	for i, c := range h.counts {
		if c >= want {
			if math.IsInf(h.le[i], 1) {
				return fmt.Sprintf("> %g ms", h.le[i-1]*1000)
			}
			return fmt.Sprintf("≤ %g ms", h.le[i]*1000)
		}
	}
	return "n/a"
}

// pcts is "p50 / p99 / p99.9" of h, and how many it counted.
func (h histogram) pcts() string {
	if len(h.counts) == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%s / %s / %s (%.0f requests)", h.at(50), h.at(99), h.at(99.9), h.counts[len(h.counts)-1])
}

// messageRun collects the message phases of every deployment and the
// ceilings, printed together so that each rate stands beside its ceilings.
type messageRun struct {
	visitors              int
	duration, latDuration time.Duration
	rates                 string
	ceil                  ceilings
	deployments           []deploymentResult
	loadBefore, loadAfter string // the machine's load average around the run
}

type deploymentResult struct {
	name     string
	postgres bool
	closed   []loadResult // by path
	fixed    []loadResult
}

// measure runs the closed loop on each path, then the fixed rates.
func (m *messageRun) measure(name string, postgres bool, b *bench, pids []int) {
	d := deploymentResult{name: name, postgres: postgres}
	for _, via := range []string{viaSocket, viaHTTP} {
		fmt.Fprintf(os.Stderr, "parley-bench: %s, %s, closed loop\n", name, via)
		closed := b.load(via, m.duration, 0, pids)
		d.closed = append(d.closed, closed)
		for _, r := range strings.Split(m.rates, ",") {
			rate := int(closed.rate / 2)
			if r = strings.TrimSpace(r); r != "half" {
				var err error
				if rate, err = strconv.Atoi(r); err != nil || rate <= 0 {
					fatal(fmt.Errorf("-rates: %q is neither a positive number nor half", r))
				}
			}
			fmt.Fprintf(os.Stderr, "parley-bench: %s, %s, %d msg/s offered\n", name, via, rate)
			d.fixed = append(d.fixed, b.load(via, m.latDuration, max(rate, 1), pids))
		}
	}
	m.deployments = append(m.deployments, d)
}

// loadAverage is the first three fields of /proc/loadavg.
func loadAverage() string {
	data, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "n/a"
	}
	return strings.Join(f[:3], " ")
}

// ratio is "0.15×", or "–" without a ceiling.
func ratio(rate, ceiling float64) string {
	if ceiling == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f×", rate/ceiling)
}

func (m *messageRun) print() {
	fmt.Printf("Load average (1, 5, 15 min) before the message phases: %s; after: %s.\n\n", m.loadBefore, m.loadAfter)
	c := m.ceil
	if c.sqliteSingle > 0 {
		fmt.Printf("| ceiling, measured in this run | rows or events/s |\n| --- | --- |\n")
		fmt.Printf("| SQLite, Parley's driver and pragmas: one message row per transaction | %.0f |\n", c.sqliteSingle)
		fmt.Printf("| SQLite: %d rows per transaction, as %d single-row INSERTs · as one INSERT (the better is the batched ceiling) | %.0f · %.0f |\n", batchRows, batchRows, c.sqliteBatchStmts, c.sqliteBatchInsert)
		if c.pgSingle > 0 {
			fmt.Printf("| PostgreSQL: one row per transaction, %d clients | %.0f |\n", pgClients, c.pgSingle)
			fmt.Printf("| PostgreSQL: %d rows per INSERT, %d clients | %.0f |\n", batchRows, pgBatchers, c.pgBatch)
		}
		fmt.Printf("| JetStream publish (embedded, file stream, Nats-Msg-Id): one at a time | %.0f |\n", c.jsSync)
		fmt.Printf("| JetStream publish: asynchronous, up to 4,096 in flight | %.0f |\n\n", c.jsAsync)
	}
	if len(m.deployments) == 0 {
		return
	}
	fmt.Printf("| sustained visitor → agent, persisted and delivered (%d senders, closed loop, %s) | msg/s | × 1-row ceiling | × batched ceiling | server CPU per message | ack p50 · delivery p50 / p99 |\n", m.visitors, m.duration)
	fmt.Printf("| --- | --- | --- | --- | --- | --- |\n")
	for _, d := range m.deployments {
		single, batch := c.sqliteSingle, c.sqliteBatch()
		if d.postgres {
			single, batch = c.pgSingle, c.pgBatch
		}
		for _, r := range d.closed {
			fmt.Printf("| %s, over the %s | **%.0f** | %s | %s | %s | %s · %s / %s |\n", d.name, r.via, r.rate,
				ratio(r.rate, single), ratio(r.rate, batch), r.cpuPerMessage(), r.acked.p(50), r.e2e.p(50), r.e2e.p(99))
		}
	}
	fmt.Printf("\n| fixed offered rate (%s each) | offered → delivered msg/s | send → agent's socket p50 / p99 / p99.9 | stored (created_at) → agent's socket p50 / p99 / p99.9 | gateway's own time for the HTTP send (its histogram) p50 / p99 / p99.9 | server CPU per message |\n", m.latDuration)
	fmt.Printf("| --- | --- | --- | --- | --- | --- |\n")
	for _, d := range m.deployments {
		for _, r := range d.fixed {
			gw := "–"
			if r.via == viaHTTP {
				gw = r.gateway.pcts()
			}
			fmt.Printf("| %s, over the %s | %d → %.0f | %s | %s | %s | %s |\n", d.name, r.via, r.offered, r.rate, r.e2e.pcts(), r.stored.pcts(), gw, r.cpuPerMessage())
		}
	}
	fmt.Println()
}
