// Package backup writes and restores a standalone Parley's data: one SQLite
// file per service and every JetStream stream (events, key-value buckets and
// the object stores that hold files), in one tar archive.
//
// A backup is taken while Parley runs. Each SQLite file is copied with
// VACUUM INTO, which sees one committed state of that file; the streams are
// snapshotted afterwards through JetStream's own snapshot API, consumers
// included. Databases first, streams second: every file and event a database
// row refers to is then in the archive, and the streams may carry a few events
// newer than the databases, which consumers treat like any redelivery.
package backup

import (
	"archive/tar"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	_ "github.com/glebarez/go-sqlite" // registers the "sqlite" driver (pure Go)
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Format is written into every manifest; Restore refuses any other.
const Format = "parley-backup/1"

// Manifest is the archive's first entry.
type Manifest struct {
	Format     string    `json:"format"`
	Created    time.Time `json:"created"`
	NATSServer string    `json:"nats_server"` // version that wrote the stream snapshots
	Databases  []string  `json:"databases"`   // service names
	Streams    []string  `json:"streams"`
}

// Source is what a running standalone Parley backs up.
type Source struct {
	// Databases maps a service name to its SQLite file.
	Databases map[string]string
	// NATS is a connection to the embedded server holding the streams.
	NATS *nats.Conn
	// TempDir holds the copies while they are written into the archive.
	TempDir string
}

// Write writes a consistent backup of src to w as a tar archive.
func Write(ctx context.Context, w io.Writer, src Source) error {
	work, err := os.MkdirTemp(src.TempDir, "backup-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	m := Manifest{Format: Format, Created: time.Now().UTC(), NATSServer: server.VERSION}
	services := make([]string, 0, len(src.Databases))
	for name := range src.Databases {
		services = append(services, name)
	}
	sort.Strings(services)
	copies := map[string]string{}
	for _, name := range services {
		dst := filepath.Join(work, name+".db")
		if err := vacuumInto(ctx, src.Databases[name], dst); err != nil {
			return fmt.Errorf("copy %s database: %w", name, err)
		}
		copies[name] = dst
		m.Databases = append(m.Databases, name)
	}

	js, err := jetstream.New(src.NATS)
	if err != nil {
		return err
	}
	names := js.StreamNames(ctx)
	for name := range names.Name() {
		m.Streams = append(m.Streams, name)
	}
	if err := names.Err(); err != nil {
		return fmt.Errorf("list streams: %w", err)
	}
	sort.Strings(m.Streams)
	configs := map[string][]byte{}
	for _, name := range m.Streams {
		cfg, err := snapshot(ctx, src.NATS, name, filepath.Join(work, name+".snap"))
		if err != nil {
			return fmt.Errorf("snapshot stream %s: %w", name, err)
		}
		configs[name] = cfg
	}

	tw := tar.NewWriter(w)
	manifest, _ := json.MarshalIndent(m, "", "  ")
	if err := addBytes(tw, "manifest.json", manifest); err != nil {
		return err
	}
	for _, name := range m.Databases {
		if err := addFile(tw, "databases/"+name+".db", copies[name]); err != nil {
			return err
		}
	}
	for _, name := range m.Streams {
		if err := addBytes(tw, "streams/"+name+".json", configs[name]); err != nil {
			return err
		}
		if err := addFile(tw, "streams/"+name+".snap", filepath.Join(work, name+".snap")); err != nil {
			return err
		}
	}
	return tw.Close()
}

// vacuumInto copies the committed state of one SQLite file into dst while
// other connections keep writing (WAL lets the copy read one snapshot).
func vacuumInto(ctx context.Context, path, dst string) error {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, "VACUUM INTO ?", dst)
	return err
}

// snapshot streams one JetStream snapshot into file and returns the stream's
// configuration as JSON. The server sends chunks to an inbox and waits for an
// acknowledgement of each before it sends more; an empty message ends the
// snapshot, with status 204 (or none, after a single short chunk) when it is
// complete and any other status when the server failed.
func snapshot(ctx context.Context, nc *nats.Conn, stream, file string) ([]byte, error) {
	inbox := nc.NewInbox()
	sub, err := nc.SubscribeSync(inbox)
	if err != nil {
		return nil, err
	}
	defer sub.Unsubscribe()
	req, _ := json.Marshal(server.JSApiStreamSnapshotRequest{DeliverSubject: inbox})
	msg, err := nc.RequestWithContext(ctx, "$JS.API.STREAM.SNAPSHOT."+stream, req)
	if err != nil {
		return nil, err
	}
	var resp server.JSApiStreamSnapshotResponse
	if err := json.Unmarshal(msg.Data, &resp); err != nil {
		return nil, err
	}
	if resp.Error != nil {
		return nil, resp.Error
	}
	if resp.Config == nil {
		return nil, errors.New("snapshot response without the stream's configuration")
	}
	out, err := os.Create(file)
	if err != nil {
		return nil, err
	}
	defer out.Close()
	for {
		chunkCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
		chunk, err := sub.NextMsgWithContext(chunkCtx)
		cancel()
		if err != nil {
			return nil, fmt.Errorf("waiting for a chunk: %w", err)
		}
		if len(chunk.Data) == 0 {
			if status := chunk.Header.Get("Status"); status != "" && status != "204" {
				return nil, fmt.Errorf("server ended the snapshot with %s %s", status, chunk.Header.Get("Description"))
			}
			break
		}
		if _, err := out.Write(chunk.Data); err != nil {
			return nil, err
		}
		if chunk.Reply != "" {
			if err := chunk.Respond(nil); err != nil {
				return nil, err
			}
		}
	}
	if err := out.Close(); err != nil {
		return nil, err
	}
	return json.Marshal(resp.Config)
}

func addBytes(tw *tar.Writer, name string, b []byte) error {
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: int64(len(b)), ModTime: time.Now()}); err != nil {
		return err
	}
	_, err := tw.Write(b)
	return err
}

func addFile(tw *tar.Writer, name, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: st.Size(), ModTime: st.ModTime()}); err != nil {
		return err
	}
	_, err = io.Copy(tw, f)
	return err
}

// Target is where Restore writes: an empty data directory.
type Target struct {
	// Database returns the SQLite file of a service.
	Database func(service string) string
	// NATSDir is the embedded server's JetStream store directory.
	NATSDir string
}

// Restore reads an archive written by Write into t. It refuses to overwrite:
// every database file must be absent and the JetStream directory empty. When
// it fails it removes what it wrote, so the directory is empty again.
func Restore(r io.Reader, t Target) (err error) {
	var written []string
	var ns *server.Server // started on the first stream; shut down before the cleanup below
	defer func() {
		if err != nil {
			for _, path := range written {
				os.Remove(path)
			}
			if ns != nil {
				os.RemoveAll(t.NATSDir)
			}
		}
	}()
	tr := tar.NewReader(r)
	hdr, err := tr.Next()
	if err != nil || hdr.Name != "manifest.json" {
		return errors.New("not a Parley backup: the archive does not start with manifest.json")
	}
	var m Manifest
	if err := json.NewDecoder(tr).Decode(&m); err != nil {
		return fmt.Errorf("manifest: %w", err)
	}
	if m.Format != Format {
		return fmt.Errorf("backup format %q is not %q", m.Format, Format)
	}
	for _, name := range m.Databases {
		if _, err := os.Stat(t.Database(name)); err == nil {
			return fmt.Errorf("%s already exists: restore into an empty data directory", t.Database(name))
		}
	}
	if entries, err := os.ReadDir(t.NATSDir); err == nil && len(entries) > 0 {
		return fmt.Errorf("%s is not empty: restore into an empty data directory", t.NATSDir)
	}

	defer func() {
		if ns != nil {
			ns.Shutdown()
			ns.WaitForShutdown()
		}
	}()
	var cfg *server.StreamConfig
	restored := map[string]bool{}
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		dir, file := filepath.Split(hdr.Name)
		switch {
		case dir == "databases/" && strings.HasSuffix(file, ".db"):
			name := strings.TrimSuffix(file, ".db")
			if err := writeFile(t.Database(name), tr); err != nil {
				return fmt.Errorf("restore %s database: %w", name, err)
			}
			written = append(written, t.Database(name))
			restored["db:"+name] = true
		case dir == "streams/" && strings.HasSuffix(file, ".json"):
			cfg = new(server.StreamConfig)
			if err := json.NewDecoder(tr).Decode(cfg); err != nil {
				return fmt.Errorf("stream configuration %s: %w", file, err)
			}
		case dir == "streams/" && strings.HasSuffix(file, ".snap"):
			name := strings.TrimSuffix(file, ".snap")
			if cfg == nil || cfg.Name != name {
				return fmt.Errorf("snapshot of stream %s without its configuration", name)
			}
			if ns == nil {
				if ns, err = startStore(t.NATSDir); err != nil {
					return err
				}
			}
			if _, err := ns.GlobalAccount().RestoreStreamV2(cfg, tr); err != nil {
				return fmt.Errorf("restore stream %s: %w", name, err)
			}
			restored["stream:"+name] = true
			cfg = nil
		default:
			return fmt.Errorf("unexpected entry %s in the backup", hdr.Name)
		}
	}
	for _, name := range m.Databases {
		if !restored["db:"+name] {
			return fmt.Errorf("the backup is incomplete: no %s database", name)
		}
	}
	for _, name := range m.Streams {
		if !restored["stream:"+name] {
			return fmt.Errorf("the backup is incomplete: no snapshot of stream %s", name)
		}
	}
	return nil
}

// startStore runs a listener-less JetStream server on dir, the way the
// standalone process does, so that restored streams land in its store.
func startStore(dir string) (*server.Server, error) {
	s, err := server.NewServer(&server.Options{
		ServerName: "parley-restore", JetStream: true, StoreDir: dir,
		DontListen: true, NoSigs: true, NoLog: true,
	})
	if err != nil {
		return nil, err
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		s.Shutdown()
		return nil, errors.New("JetStream store did not start within 10s")
	}
	return s, nil
}

// writeFile writes r to path through a temporary file, so a failed restore
// leaves no half-written database behind.
func writeFile(path string, r io.Reader) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp := path + ".restoring"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}
