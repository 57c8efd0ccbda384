package allinone_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parley-chat/parley/pkg/config"
	"github.com/parley-chat/parley/pkg/logging"
	"github.com/parley-chat/parley/pkg/testkit"
	"github.com/parley-chat/parley/services/allinone"
)

// A standalone Parley is backed up while visitors keep writing, the backup is
// restored into another data directory, and a Parley started there has every
// message acknowledged before the backup began, each once, its files, and
// carries on numbering where the backup left off.
func TestBackupOfARunningParleyRestoresEveryAcknowledgedMessage(t *testing.T) {
	d := testkit.SQLiteDB(t)
	dir := t.TempDir()
	p := start(t, d, dir, nil)
	load := startLoad(t, p)
	cfg := loadConfig(t, env(d, dir, nil))
	var archive bytes.Buffer
	load.during(t, func() {
		if err := allinone.Backup(context.Background(), cfg, &archive); err != nil {
			t.Fatalf("backup: %v", err)
		}
	})

	// The running instance's directory is refused, and so is a second
	// process on it.
	if err := allinone.Restore(cfg, bytes.NewReader(archive.Bytes())); err == nil || !strings.Contains(err.Error(), "running") {
		t.Errorf("restore into the running instance's directory: %v, want a refusal naming the running Parley", err)
	}
	if _, err := allinone.New(context.Background(), cfg, logging.New(io.Discard, "error", "")); err == nil || !strings.Contains(err.Error(), "another Parley is running") {
		t.Errorf("a second Parley on the same data directory: %v, want a refusal", err)
	}
	p.stop()

	d2 := testkit.SQLiteDB(t)
	dir2 := t.TempDir()
	cfg2 := loadConfig(t, env(d2, dir2, nil))
	if err := allinone.Restore(cfg2, bytes.NewReader(archive.Bytes())); err != nil {
		t.Fatalf("restore: %v", err)
	}
	if err := allinone.Restore(cfg2, bytes.NewReader(archive.Bytes())); err == nil || !strings.Contains(err.Error(), "empty data directory") {
		t.Errorf("a second restore into the same directory: %v, want a refusal", err)
	}
	load.check(t, start(t, d2, dir2, nil), true)
}

// In the distributed mode the services' schemas are dumped with pg_dump
// while visitors write (one consistent snapshot of the database) and
// restored with pg_restore into another database, as docs/backup.md says;
// Parley on the restored database has every acknowledged message.
func TestPostgresDumpOfARunningParleyRestoresEveryAcknowledgedMessage(t *testing.T) {
	d, ok := testkit.PostgresDB(t)
	if !ok {
		return // PostgresDB has said why; CI requires PostgreSQL
	}
	p := start(t, d, t.TempDir(), nil)
	load := startLoad(t, p)
	dump := filepath.Join(t.TempDir(), "parley.dump")
	load.during(t, func() {
		out, err := exec.Command("pg_dump", "--format=custom", "--schema="+d.Prefix+"*", "--file="+dump, d.URL).CombinedOutput()
		if err != nil {
			t.Fatalf("pg_dump: %v\n%s", err, out)
		}
	})
	p.stop()

	target := createDatabase(t, d.URL)
	if out, err := exec.Command("pg_restore", "--exit-on-error", "--dbname="+target, dump).CombinedOutput(); err != nil {
		t.Fatalf("pg_restore: %v\n%s", err, out)
	}
	restored := d
	restored.URL = target
	// A fresh data directory: the embedded NATS of this test starts empty,
	// as a restored database meets a NATS whose streams it did not write.
	load.check(t, start(t, restored, t.TempDir(), nil), false)
}

// load is visitors of one workspace writing a few messages a second each.
type load struct {
	p        *parley
	owner    account
	visitors []visitor
	convs    []string
	pdf      []byte

	mu     sync.Mutex
	acked  []sent // in the order acknowledgements came back
	before []sent // acknowledged when the backup began
	all    map[sent]bool
}

type sent struct{ conv, body string }

func startLoad(t *testing.T, p *parley) *load {
	l := &load{p: p, owner: p.signup("Backed Up Bikes")}
	key := p.widgetKey(l.owner)
	for i := range 6 {
		v := p.newVisitor(key)
		body := fmt.Sprintf("visitor %d opens", i)
		conv := p.startConversation(v, body).str("conversation.id")
		l.visitors, l.convs = append(l.visitors, v), append(l.convs, conv)
		l.acked = append(l.acked, sent{conv, body})
	}
	// A document, kept in the Object Store.
	l.pdf = append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("backed up "), 8<<10)...)
	up := p.upload("POST", "/api/v1/widget/uploads", l.visitors[0].Token, "invoice.pdf", l.pdf).must(t, http.StatusCreated)
	p.do("POST", "/api/v1/widget/conversations/"+l.convs[0]+"/messages", l.visitors[0].Token, map[string]any{
		"client_msg_id": msgID(), "attachments": []string{up.str("id")},
	}).must(t, http.StatusCreated)
	return l
}

// during runs backup while the visitors write, once 60 messages are in.
func (l *load) during(t *testing.T, backup func()) {
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i, v := range l.visitors {
		wg.Go(func() {
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				case <-time.After(150 * time.Millisecond):
				}
				body := fmt.Sprintf("visitor %d message %d", i, n)
				if postJSON(l.p.URL+"/api/v1/widget/conversations/"+l.convs[i]+"/messages", v.Token,
					map[string]string{"body": body, "client_msg_id": msgID()}) == http.StatusCreated {
					l.mu.Lock()
					l.acked = append(l.acked, sent{l.convs[i], body})
					l.mu.Unlock()
				}
			}
		})
	}
	defer func() {
		close(stop)
		wg.Wait()
		l.all = map[sent]bool{}
		for _, s := range l.acked {
			l.all[s] = true
		}
	}()
	testkit.Eventually(t, 30*time.Second, func() error {
		l.mu.Lock()
		defer l.mu.Unlock()
		if len(l.acked) < 60 {
			return fmt.Errorf("%d messages acknowledged so far", len(l.acked))
		}
		return nil
	})
	l.mu.Lock()
	l.before = append([]sent(nil), l.acked...)
	l.mu.Unlock()
	backup()
	time.Sleep(300 * time.Millisecond) // the load goes on after the backup, as it would
}

// check finds in q every message acknowledged before the backup, each once,
// nothing that was never sent, the document when files were backed up too,
// and numbering that carries on.
func (l *load) check(t *testing.T, q *parley, files bool) {
	t.Helper()
	token := q.do("POST", "/api/v1/auth/login", "", map[string]string{"email": l.owner.Email, "password": l.owner.Password}).must(t, 200).str("access_token")
	stored := map[sent]int{}
	lastSeq := map[string]float64{}
	var document map[string]any
	for _, conv := range l.convs {
		for _, m := range allMessages(t, q, token, conv) {
			lastSeq[conv] = m["seq"].(float64)
			if m["attachments"] != nil {
				document = firstAttachment(t, m)
				continue
			}
			stored[sent{conv, m["body"].(string)}]++
		}
	}
	for _, s := range l.before {
		if stored[s] != 1 {
			t.Errorf("%q acknowledged before the backup is stored %d times after the restore", s.body, stored[s])
		}
	}
	for s, n := range stored {
		if !l.all[s] || n != 1 {
			t.Errorf("%q stored %d times after the restore; acknowledged: %v", s.body, n, l.all[s])
		}
	}
	if document == nil {
		t.Fatal("the document's message is gone after the restore")
	}
	if files {
		if got := q.do("GET", document["url"].(string), "", nil).must(t, 200); !bytes.Equal(got.Raw, l.pdf) {
			t.Errorf("the document after the restore: %d bytes, want the %d uploaded", len(got.Raw), len(l.pdf))
		}
	}

	// The restored Parley takes new messages from the same visitor, numbered
	// after the restored ones.
	next := q.do("POST", "/api/v1/widget/conversations/"+l.convs[0]+"/messages", l.visitors[0].Token,
		map[string]string{"body": "after the restore", "client_msg_id": msgID()}).must(t, 201)
	if seq, _ := next.Body["seq"].(float64); seq != lastSeq[l.convs[0]]+1 {
		t.Errorf("first message after the restore has seq %v, want %v", seq, lastSeq[l.convs[0]]+1)
	}
	t.Logf("%d messages acknowledged before the backup, %d in all, %d restored", len(l.before), len(l.all), len(stored))
}

// createDatabase creates an empty database beside the one at base, dropped
// when the test ends, and returns its URL.
func createDatabase(t *testing.T, base string) string {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	name := fmt.Sprintf("parley_restore_%d", time.Now().UnixNano())
	if _, err := c.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), base)
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(context.Background(), "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

func loadConfig(t *testing.T, getenv config.Getenv) config.Config {
	t.Helper()
	cfg, err := config.Load(getenv)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// allMessages pages through a conversation's messages as a member.
func allMessages(t *testing.T, p *parley, token, conv string) []map[string]any {
	t.Helper()
	var out []map[string]any
	after := 0
	for {
		r := p.do("GET", fmt.Sprintf("/api/v1/conversations/%s/messages?limit=500&after_seq=%d", conv, after), token, nil).must(t, 200)
		for _, m := range r.Body["messages"].([]any) {
			msg := m.(map[string]any)
			out = append(out, msg)
			after = int(msg["seq"].(float64))
		}
		if more, _ := r.Body["has_more"].(bool); !more {
			return out
		}
	}
}

// postJSON sends body with a bearer token from any goroutine and returns the status.
func postJSON(url, token string, body any) int {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}
