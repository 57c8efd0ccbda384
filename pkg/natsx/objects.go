package natsx

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/parley-chat/parley/pkg/contracts"
)

// DataRetention bounds how long anything stays in the data bucket: exports
// expire sooner (their coordinator deletes them), this is the backstop for an
// object a crash left behind.
const DataRetention = 8 * 24 * time.Hour

// DataBucket opens the Object Store bucket of exports and imports, creating
// it if needed. Every service that reads or writes export parts calls it.
func DataBucket(ctx context.Context, js jetstream.JetStream) (jetstream.ObjectStore, error) {
	os, err := js.ObjectStore(ctx, contracts.DataBucket)
	if err == nil {
		return os, nil
	}
	if !errors.Is(err, jetstream.ErrBucketNotFound) {
		return nil, fmt.Errorf("open bucket %s: %w", contracts.DataBucket, err)
	}
	os, err = js.CreateObjectStore(ctx, jetstream.ObjectStoreConfig{
		Bucket:      contracts.DataBucket,
		Description: "Parley's export archives, their parts and import uploads",
		TTL:         DataRetention,
		Storage:     jetstream.FileStorage,
	})
	if err != nil {
		// Another service created it at the same moment.
		if os, oerr := js.ObjectStore(ctx, contracts.DataBucket); oerr == nil {
			return os, nil
		}
		return nil, fmt.Errorf("create bucket %s: %w", contracts.DataBucket, err)
	}
	return os, nil
}

// ScrubStream deletes, and overwrites on disk, every message of one tenant
// in a stream whose data contains any of needles (ids such as a visitor's or
// its conversations'). It is how an erasure reaches the event history; it
// reads the tenant's subjects only, so its cost is that tenant's retained
// events. It returns how many messages it deleted.
//
// It keeps the events that carry ids only by rule and that other services
// still have to act on: visitor.erased and conversations.deleted (the
// erasure's own instructions — scrubbing them would stop the erasure in
// every service that has not handled them yet) and audit.recorded (the
// audit log keeps the erasure, by ids and counts).
func ScrubStream(ctx context.Context, js jetstream.JetStream, s contracts.Stream, tenantID string, needles []string) (int, error) {
	if len(needles) == 0 {
		return 0, nil
	}
	stream, err := js.Stream(ctx, s.Name)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("scrub %s: %w", s.Name, err)
	}
	cons, err := stream.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{s.TenantEvents(tenantID)},
		DeliverPolicy:  jetstream.DeliverAllPolicy,
	})
	if err != nil {
		return 0, fmt.Errorf("scrub %s: %w", s.Name, err)
	}
	info, err := stream.Info(ctx)
	if err != nil {
		return 0, fmt.Errorf("scrub %s: %w", s.Name, err)
	}
	last := info.State.LastSeq
	bs := make([][]byte, len(needles))
	for i, n := range needles {
		bs[i] = []byte(n)
	}
	kept := map[string]bool{
		contracts.ConversationVisitorErased.Subject(tenantID):        true,
		contracts.ConversationConversationsDeleted.Subject(tenantID): true,
	}
	for _, t := range contracts.AuditEvents {
		kept[t.Subject(tenantID)] = true
	}
	deleted := 0
	for {
		batch, err := cons.FetchNoWait(256)
		if err != nil {
			return deleted, fmt.Errorf("scrub %s: %w", s.Name, err)
		}
		n := 0
		var seq uint64
		for m := range batch.Messages() {
			n++
			md, err := m.Metadata()
			if err != nil {
				return deleted, err
			}
			seq = md.Sequence.Stream
			if !kept[m.Subject()] && containsAny(m.Data(), bs) {
				if err := stream.SecureDeleteMsg(ctx, seq); err != nil && !errors.Is(err, jetstream.ErrMsgNotFound) {
					return deleted, fmt.Errorf("scrub %s: delete %d: %w", s.Name, seq, err)
				}
				deleted++
			}
		}
		if err := batch.Error(); err != nil && !errors.Is(err, jetstream.ErrNoMessages) {
			return deleted, fmt.Errorf("scrub %s: %w", s.Name, err)
		}
		if n == 0 || seq >= last {
			return deleted, nil
		}
	}
}

func containsAny(data []byte, needles [][]byte) bool {
	for _, n := range needles {
		if bytes.Contains(data, n) {
			return true
		}
	}
	return false
}

// PurgeTenant removes every event of one tenant from a stream (workspace deletion).
func PurgeTenant(ctx context.Context, js jetstream.JetStream, s contracts.Stream, tenantID string) error {
	stream, err := js.Stream(ctx, s.Name)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("purge %s: %w", s.Name, err)
	}
	if err := stream.Purge(ctx, jetstream.WithPurgeSubject(s.TenantEvents(tenantID))); err != nil {
		return fmt.Errorf("purge %s: %w", s.Name, err)
	}
	return nil
}

// PartWriter writes the JSON Lines files of a service's export part into
// the data bucket.
type PartWriter struct{ JS jetstream.JetStream }

// WriteJSONL stores object as JSON Lines, one line per value that rows
// yields, streamed through a pipe so a file is never whole in memory, and
// returns how many lines it wrote.
func (p PartWriter) WriteJSONL(ctx context.Context, object string, rows func(yield func(v any) error) error) (int64, error) {
	bucket, err := DataBucket(ctx, p.JS)
	if err != nil {
		return 0, err
	}
	pr, pw := io.Pipe()
	var n int64
	written := make(chan error, 1)
	go func() {
		bw := bufio.NewWriter(pw)
		enc := json.NewEncoder(bw)
		err := rows(func(v any) error { n++; return enc.Encode(v) })
		if err == nil {
			err = bw.Flush()
		}
		pw.CloseWithError(err) // nil: the reader sees EOF
		written <- err
	}()
	_, err = bucket.Put(ctx, jetstream.ObjectMeta{Name: object}, pr)
	pr.CloseWithError(io.ErrClosedPipe) // a failed Put stops the writer
	werr := <-written
	if err != nil {
		return 0, err // it holds the writer's error too, when that is what stopped it
	}
	return n, werr
}

// DeleteObject deletes an object of the data bucket and leaves nothing of
// it: the Object Store's Delete keeps a "deleted" marker that still names
// the object (and the tenant and export ids in its name), so the marker is
// purged too. A missing object is not an error.
func DeleteObject(ctx context.Context, js jetstream.JetStream, obs jetstream.ObjectStore, name string) error {
	if err := obs.Delete(ctx, name); err != nil && !errors.Is(err, jetstream.ErrObjectNotFound) {
		return fmt.Errorf("delete object %s: %w", name, err)
	}
	stream, err := js.Stream(ctx, "OBJ_"+contracts.DataBucket)
	if err != nil {
		return fmt.Errorf("delete object %s: %w", name, err)
	}
	meta := "$O." + contracts.DataBucket + ".M." + base64.URLEncoding.EncodeToString([]byte(name))
	if err := stream.Purge(ctx, jetstream.WithPurgeSubject(meta)); err != nil {
		return fmt.Errorf("delete object %s: %w", name, err)
	}
	return nil
}
