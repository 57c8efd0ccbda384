package allinone_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	_ "github.com/glebarez/go-sqlite" // registers the "sqlite" driver for the read-only scans
	"github.com/jackc/pgx/v5"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/testkit"
)

// holdings says where one running Parley keeps data: the SQLite files under
// a data directory, or the PostgreSQL schemas of a prefix, and the NATS
// server whose streams (event streams, the Object Store's) it writes.
type holdings struct {
	sqliteDir string // every *.db file in it
	pgPrefix  string // every table of every schema starting with it
	natsURL   string
	// skipStreams are streams left out of the search (a workspace
	// deletion keeps tenant's own stream: other services still read it).
	skipStreams []string
}

// find lists every place that holds any of needles: "<db>/<table>: <needle>"
// for rows, "stream <name> #<seq>: <needle>" for JetStream messages and
// "object <bucket>/<name>[/<file in zip>]: <needle>" for objects.
func (h holdings) find(t *testing.T, needles ...string) []string {
	t.Helper()
	var hits []string
	if h.sqliteDir != "" {
		hits = append(hits, findInSQLite(t, h.sqliteDir, needles)...)
	}
	if h.pgPrefix != "" {
		hits = append(hits, findInPostgres(t, h.pgPrefix, needles)...)
	}
	if h.natsURL != "" {
		hits = append(hits, findInStreams(t, h.natsURL, h.skipStreams, needles)...)
	}
	return hits
}

// noneLeft polls until no place holds any of needles.
func (h holdings) noneLeft(t *testing.T, within time.Duration, needles ...string) {
	t.Helper()
	testkit.Eventually(t, within, func() error {
		if hits := h.find(t, needles...); len(hits) > 0 {
			return fmt.Errorf("still held:\n  %s", strings.Join(hits, "\n  "))
		}
		return nil
	})
}

// holds fails the test unless some place of prefix (a table or a stream
// name starting with it) holds the needle: the search sees what it looks for.
func (h holdings) holds(t *testing.T, prefix, needle string) {
	t.Helper()
	for _, hit := range h.find(t, needle) {
		if strings.HasPrefix(hit, prefix) {
			return
		}
	}
	t.Fatalf("nothing under %q holds %q before the erasure: the search would prove nothing", prefix, needle)
}

func matches(s string, needles []string) []string {
	var out []string
	for _, n := range needles {
		if strings.Contains(s, n) {
			out = append(out, n)
		}
	}
	return out
}

// findInSQLite reads every row of every table of every database file in dir.
func findInSQLite(t *testing.T, dir string, needles []string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.db"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no SQLite files in %s (%v)", dir, err)
	}
	var hits []string
	for _, f := range files {
		db, err := sql.Open("sqlite", "file:"+f+"?mode=ro&_pragma=busy_timeout(10000)")
		if err != nil {
			t.Fatal(err)
		}
		tables, err := queryStrings(db, `SELECT name FROM sqlite_master WHERE type = 'table'`)
		if err != nil {
			db.Close()
			t.Fatalf("%s: %v", f, err)
		}
		for _, table := range tables {
			rows, err := db.Query(`SELECT * FROM "` + table + `"`)
			if err != nil {
				db.Close()
				t.Fatalf("%s %s: %v", f, table, err)
			}
			cols, _ := rows.Columns()
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			for rows.Next() {
				if err := rows.Scan(ptrs...); err != nil {
					t.Fatalf("%s %s: %v", f, table, err)
				}
				var row strings.Builder
				for _, v := range vals {
					switch v := v.(type) {
					case []byte:
						row.Write(v)
					case string:
						row.WriteString(v)
					default:
						fmt.Fprint(&row, v)
					}
					row.WriteByte('\x00')
				}
				for _, n := range matches(row.String(), needles) {
					hits = append(hits, filepath.Base(f)+"/"+table+": "+n)
				}
			}
			err = rows.Err()
			rows.Close()
			if err != nil {
				t.Fatalf("%s %s: %v", f, table, err)
			}
		}
		db.Close()
	}
	return hits
}

func queryStrings(db *sql.DB, q string) ([]string, error) {
	rows, err := db.Query(q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// findInPostgres reads every row (as row::text) of every table of every
// schema of the prefix, as the superuser the tests connect as (so row-level
// security hides nothing). A needle stored in a bytea column shows as hex.
func findInPostgres(t *testing.T, prefix string, needles []string) []string {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, testkit.PostgresURL())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	rows, err := c.Query(ctx, `SELECT table_schema, table_name FROM information_schema.tables
		WHERE starts_with(table_schema, $1) AND table_type = 'BASE TABLE' ORDER BY 1, 2`, prefix)
	if err != nil {
		t.Fatal(err)
	}
	type table struct{ schema, name string }
	tables, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (table, error) {
		var tb table
		return tb, r.Scan(&tb.schema, &tb.name)
	})
	if err != nil || len(tables) == 0 {
		t.Fatalf("no tables under schema prefix %s (%v)", prefix, err)
	}
	all := slices.Clone(needles)
	for _, n := range needles {
		all = append(all, hex.EncodeToString([]byte(n)))
	}
	var hits []string
	for _, tb := range tables {
		rows, err := c.Query(ctx, fmt.Sprintf(`SELECT r::text FROM %q.%q r`, tb.schema, tb.name))
		if err != nil {
			t.Fatalf("%s.%s: %v", tb.schema, tb.name, err)
		}
		texts, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatalf("%s.%s: %v", tb.schema, tb.name, err)
		}
		for _, text := range texts {
			for _, n := range matches(text, all) {
				hits = append(hits, strings.TrimPrefix(tb.schema, prefix)+"/"+tb.name+": "+n)
			}
		}
	}
	return hits
}

// findInStreams reads every message of every stream (the event streams, the
// Object Store's and any other), and every object of every Object Store,
// looking into zip archives.
func findInStreams(t *testing.T, natsURL string, skip []string, needles []string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	nc, err := nats.Connect(natsURL)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	var hits []string
	streams := js.ListStreams(ctx)
	for info := range streams.Info() {
		if slices.Contains(skip, info.Config.Name) {
			continue
		}
		s, err := js.Stream(ctx, info.Config.Name)
		if err != nil {
			t.Fatal(err)
		}
		for seq := info.State.FirstSeq; seq > 0 && seq <= info.State.LastSeq; seq++ {
			m, err := s.GetMsg(ctx, seq)
			if errors.Is(err, jetstream.ErrMsgNotFound) {
				continue // deleted
			}
			if err != nil {
				t.Fatalf("stream %s #%d: %v", info.Config.Name, seq, err)
			}
			text := m.Subject + "\x00" + string(m.Data)
			for k, vs := range m.Header {
				text += "\x00" + k + ":" + strings.Join(vs, ",")
			}
			for _, n := range matches(text, needles) {
				hits = append(hits, fmt.Sprintf("stream %s #%d (%s): %s", info.Config.Name, seq, m.Subject, n))
			}
		}
	}
	if err := streams.Err(); err != nil {
		t.Fatal(err)
	}
	buckets := js.ObjectStoreNames(ctx)
	for name := range buckets.Name() {
		bucket, err := js.ObjectStore(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		objects, err := bucket.List(ctx)
		if errors.Is(err, jetstream.ErrNoObjectsFound) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range objects {
			data, err := bucket.GetBytes(ctx, o.Name)
			if errors.Is(err, jetstream.ErrObjectNotFound) {
				continue // deleted meanwhile
			}
			if err != nil {
				t.Fatalf("object %s/%s: %v", name, o.Name, err)
			}
			where := "object " + name + "/" + o.Name
			for _, n := range matches(o.Name+"\x00"+string(data), needles) {
				hits = append(hits, where+": "+n)
			}
			if z, err := zip.NewReader(bytes.NewReader(data), int64(len(data))); err == nil {
				for _, f := range z.File {
					for _, n := range matches(f.Name+"\x00"+string(readZipFile(t, f)), needles) {
						hits = append(hits, where+"/"+f.Name+": "+n)
					}
				}
			}
		}
	}
	if err := buckets.Error(); err != nil {
		t.Fatal(err)
	}
	return hits
}

func readZipFile(t *testing.T, f *zip.File) []byte {
	t.Helper()
	r, err := f.Open()
	if err != nil {
		t.Fatalf("zip %s: %v", f.Name, err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("zip %s: %v", f.Name, err)
	}
	return b
}

// dataRig is a Parley on a NATS server the test can read, with email to Mailpit.
type dataRig struct {
	*parley
	mail *testkit.Mailpit
	held holdings
}

// startData runs the all-in-one Parley on d with email through Mailpit and
// NATS outside the process, so the test can search its streams.
func startData(t *testing.T, d testkit.DB) dataRig {
	t.Helper()
	mp := testkit.StartMailpit(t)
	natsURL := testkit.NATS(t).ClientURL()
	dir := t.TempDir()
	p := start(t, d, dir, map[string]string{
		"PARLEY_NATS_URL": natsURL, "PARLEY_SMTP_URL": mp.SMTPURL(), "PARLEY_EMAIL_FROM": "Parley <no-reply@parley.test>",
		"PARLEY_NOTIFY_VISITOR_DELAY": "1s",
	})
	h := holdings{natsURL: natsURL}
	if d.Name == "postgres" {
		h.pgPrefix = d.Prefix
	} else {
		h.sqliteDir = dir
	}
	return dataRig{parley: p, mail: mp, held: h}
}

// archive is a downloaded export, its files by name.
type archive struct {
	Raw      []byte
	Manifest contracts.Manifest
	Files    map[string][]byte
}

// export asks for an export of the token's workspace, waits until it is
// done, downloads it and checks the archive against its manifest.
func (p *parley) export(t *testing.T, token string) (archive, response) {
	t.Helper()
	created := p.do("POST", "/api/v1/exports", token, nil).must(t, http.StatusAccepted)
	id := created.str("id")
	if id == "" || created.str("status") != contracts.JobQueued && created.str("status") != contracts.JobRunning {
		t.Fatalf("POST /exports: %s", created.Raw)
	}
	var done response
	testkit.Eventually(t, 120*time.Second, func() error {
		done = p.do("GET", "/api/v1/exports/"+id, token, nil).must(t, http.StatusOK)
		switch done.str("status") {
		case contracts.JobDone:
			return nil
		case contracts.JobFailed, contracts.JobExpired:
			t.Fatalf("export %s: %s", done.str("status"), done.Raw)
		}
		return fmt.Errorf("export %s at %v", done.str("status"), done.Body["progress"])
	})
	link := done.str("download_url")
	if !strings.HasPrefix(link, "/api/v1/exports/"+id+"/download?token=") || done.str("expires_at") == "" || done.str("completed_at") == "" {
		t.Fatalf("a done export: %s", done.Raw)
	}
	res, err := p.http.Get(p.URL + link)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/zip" ||
		!attachment(res.Header, "parley-export-", ".zip") ||
		res.Header.Get("Content-Length") != itoa(len(raw)) || float64(len(raw)) != done.Body["size_bytes"] {
		t.Fatalf("download: %d %v (%d bytes; export says %v)", res.StatusCode, res.Header, len(raw), done.Body["size_bytes"])
	}
	// The link is single-use.
	if again, err := p.http.Get(p.URL + link); err != nil || again.StatusCode != 404 {
		t.Fatalf("a used download link: %v %v", again.StatusCode, err)
	} else {
		again.Body.Close()
	}
	a := readArchive(t, raw)
	counts, _ := done.Body["counts"].(map[string]any)
	for _, f := range a.Manifest.Files {
		if counts[f.Name] != float64(f.Count) {
			t.Errorf("export counts say %s has %v rows, the manifest %d", f.Name, counts[f.Name], f.Count)
		}
	}
	return a, done
}

// attachment says whether a response is a download whose file name has
// the prefix and suffix (quoted or not: RFC 6266 allows both).
func attachment(h http.Header, prefix, suffix string) bool {
	kind, params, err := mime.ParseMediaType(h.Get("Content-Disposition"))
	name := params["filename"]
	return err == nil && kind == "attachment" && strings.HasPrefix(name, prefix) && strings.HasSuffix(name, suffix)
}

// readArchive opens an export and checks manifest.json: the format, and
// the name, size, SHA-256 and row count of every file, and that it lists
// every file of the zip (all at the root).
func readArchive(t *testing.T, raw []byte) archive {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatalf("the export is not a zip: %v", err)
	}
	a := archive{Raw: raw, Files: map[string][]byte{}}
	for _, f := range z.File {
		if strings.Contains(f.Name, "/") {
			t.Errorf("%s is not at the archive's root", f.Name)
		}
		a.Files[f.Name] = readZipFile(t, f)
	}
	if err := json.Unmarshal(a.Files["manifest.json"], &a.Manifest); err != nil {
		t.Fatalf("manifest.json: %v\n%s", err, a.Files["manifest.json"])
	}
	m := a.Manifest
	if m.Format != contracts.ExportFormat || m.FormatVersion != contracts.ExportFormatVersion || m.ExportID == "" || m.Tenant.ID == "" || m.CreatedAt.IsZero() {
		t.Errorf("manifest header: %+v", m)
	}
	listed := map[string]bool{"manifest.json": true}
	for _, f := range m.Files {
		listed[f.Name] = true
		data, ok := a.Files[f.Name]
		if !ok {
			t.Errorf("the manifest lists %s, the zip lacks it", f.Name)
			continue
		}
		sum := sha256.Sum256(data)
		if f.Bytes != int64(len(data)) || f.SHA256 != hex.EncodeToString(sum[:]) {
			t.Errorf("%s: manifest says %d bytes sha256 %s, the file has %d bytes sha256 %x", f.Name, f.Bytes, f.SHA256, len(data), sum)
		}
		if n := countRecords(t, f.Name, data); n != f.Count {
			t.Errorf("%s: manifest says %d rows, the file has %d", f.Name, f.Count, n)
		}
		if f.Service == "" {
			t.Errorf("%s: no service in the manifest", f.Name)
		}
	}
	for name := range a.Files {
		if !listed[name] {
			t.Errorf("%s is in the zip but not in the manifest", name)
		}
	}
	return a
}

// countRecords counts a file's rows: lines of JSON Lines (each a JSON
// object), CSV records without the header, 1 for a JSON document.
func countRecords(t *testing.T, name string, data []byte) int64 {
	t.Helper()
	switch filepath.Ext(name) {
	case ".jsonl":
		return int64(len(jsonLines(t, name, data)))
	case ".csv":
		recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
		if err != nil || len(recs) == 0 {
			t.Errorf("%s: not CSV with a header: %v", name, err)
			return 0
		}
		return int64(len(recs) - 1)
	case ".json":
		if !json.Valid(data) {
			t.Errorf("%s is not JSON", name)
		}
		return 1
	}
	t.Errorf("%s: an unexpected kind of file", name)
	return 0
}

// jsonLines decodes a JSON Lines file, one object per line.
func jsonLines(t *testing.T, name string, data []byte) []map[string]any {
	t.Helper()
	var rows []map[string]any
	for i, line := range bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n")) {
		if len(line) == 0 && len(data) <= 1 {
			break
		}
		var row map[string]any
		if err := json.Unmarshal(line, &row); err != nil {
			t.Fatalf("%s line %d is not a JSON object: %v (%q)", name, i+1, err, line)
		}
		rows = append(rows, row)
	}
	return rows
}

// rows returns a JSON Lines file of the archive.
func (a archive) rows(t *testing.T, name string) []map[string]any {
	t.Helper()
	data, ok := a.Files[name]
	if !ok {
		t.Fatalf("the archive has no %s (it has %v)", name, a.names())
	}
	return jsonLines(t, name, data)
}

func (a archive) names() []string {
	var out []string
	for n := range a.Files {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// service is the service that wrote a file, from the manifest.
func (a archive) service(name string) string {
	for _, f := range a.Manifest.Files {
		if f.Name == name {
			return f.Service
		}
	}
	return ""
}

// importArchive uploads an archive into the owner's (empty) workspace and
// waits until the import is done.
func (p *parley) importArchive(t *testing.T, owner account, raw []byte) response {
	t.Helper()
	started := p.doWith("POST", "/api/v1/imports", owner.Access, raw, "application/zip").must(t, http.StatusAccepted)
	id := started.str("id")
	var done response
	testkit.Eventually(t, 120*time.Second, func() error {
		done = p.do("GET", "/api/v1/imports/"+id, owner.Access, nil).must(t, http.StatusOK)
		switch done.str("status") {
		case contracts.JobDone:
			return nil
		case contracts.JobFailed:
			t.Fatalf("import failed: %s", done.Raw)
		}
		return fmt.Errorf("import %s at %v", done.str("status"), done.Body["progress"])
	})
	return done
}

// auditLog reads the whole audit log (every page) with the query given.
func (p *parley) auditLog(t *testing.T, token, query string) []contracts.AuditEntry {
	t.Helper()
	var all []contracts.AuditEntry
	cursor := ""
	for {
		q := query
		if cursor != "" {
			q += "&cursor=" + url.QueryEscape(cursor)
		}
		r := p.do("GET", "/api/v1/audit-log?"+q, token, nil).must(t, http.StatusOK)
		var page contracts.AuditPage
		if err := json.Unmarshal(r.Raw, &page); err != nil {
			t.Fatal(err)
		}
		all = append(all, page.Entries...)
		if page.NextCursor == "" {
			return all
		}
		cursor = page.NextCursor
	}
}

// audited waits for an entry of action about target (any, if empty) and returns it.
func (p *parley) audited(t *testing.T, token, action, target string) contracts.AuditEntry {
	t.Helper()
	var found contracts.AuditEntry
	testkit.Eventually(t, 15*time.Second, func() error {
		for _, e := range p.auditLog(t, token, "action="+urlQuery(action)+"&limit=200") {
			if e.Action == action && (target == "" || e.TargetID == target) {
				found = e
				return nil
			}
		}
		return fmt.Errorf("no %s entry about %q in the audit log", action, target)
	})
	return found
}

// checkActor checks that an audit entry names the member who acted, and from where.
func checkActor(t *testing.T, e contracts.AuditEntry, who account) {
	t.Helper()
	if e.Actor.Type != "member" || e.Actor.ID != who.UserID || e.Actor.Name == "" || e.Actor.IP != "127.0.0.1" || e.Service == "" || e.OccurredAt.IsZero() {
		t.Errorf("%s: actor %+v service %q at %s, want member %s from 127.0.0.1", e.Action, e.Actor, e.Service, e.OccurredAt, who.UserID)
	}
}
