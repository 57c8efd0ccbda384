package natsx_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/natsx"
	"github.com/parley-chat/parley/pkg/testkit"
)

const (
	tenantA   = "0190f0d0-0000-7000-8000-00000000000a"
	tenantB   = "0190f0d0-0000-7000-8000-00000000000b"
	visitorID = "0190f0d0-0000-7000-8000-0000000000f1"
	convID    = "0190f0d0-0000-7000-8000-0000000000c1"
)

var messageCreated = contracts.ConversationMessageCreated

func publish(t *testing.T, js jetstream.JetStream, et contracts.EventType, tenant string, payload any) {
	t.Helper()
	env, err := contracts.NewEnvelope(et, tenant, "test", "", payload)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := natsx.Publish(context.Background(), js, et.Subject(tenant), env); err != nil {
		t.Fatal(err)
	}
}

// streamData lists every message left in the stream: subject and data.
func streamData(t *testing.T, js jetstream.JetStream) []string {
	t.Helper()
	ctx := context.Background()
	s, err := js.Stream(ctx, contracts.ConversationStream.Name)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq && info.State.Msgs > 0; seq++ {
		m, err := s.GetMsg(ctx, seq)
		if err != nil {
			continue // deleted
		}
		out = append(out, m.Subject+" "+string(m.Data))
	}
	return out
}

func count(lines []string, sub string) int {
	n := 0
	for _, l := range lines {
		if strings.Contains(l, sub) {
			n++
		}
	}
	return n
}

// installedServer is a stream on the installed nats-server (the version
// production runs, 2.9 on Debian) when there is one, else the embedded one.
func installedServer(t *testing.T) jetstream.JetStream {
	nc, err := nats.Connect(testkit.NATSServer(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	if err := natsx.EnsureStream(context.Background(), js, contracts.ConversationStream); err != nil {
		t.Fatal(err)
	}
	return js
}

func TestScrubStreamDeletesTheTenantsMentionsAndKeepsTheErasure(t *testing.T) {
	t.Parallel()
	for name, open := range map[string]func(*testing.T) jetstream.JetStream{"embedded": setupStream, "installed": installedServer} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			testScrubStream(t, open(t))
		})
	}
}

func testScrubStream(t *testing.T, js jetstream.JetStream) {
	ctx := context.Background()
	// More than one fetch (256) of mentions, interleaved with other events.
	for i := range 300 {
		publish(t, js, messageCreated, tenantA, map[string]any{"conversation_id": convID, "body": "my secret", "n": i})
		if i%10 == 0 {
			publish(t, js, messageCreated, tenantA, map[string]any{"conversation_id": "someone-else", "n": i})
		}
	}
	publish(t, js, messageCreated, tenantA, map[string]any{"visitor": map[string]string{"id": visitorID, "name": "Ada"}})
	publish(t, js, contracts.ConversationVisitorErased, tenantA, contracts.VisitorErased{VisitorID: visitorID, ConversationIDs: []string{convID}})
	publish(t, js, contracts.ConversationConversationsDeleted, tenantA, contracts.ConversationsDeleted{ConversationIDs: []string{convID}, Reason: "erasure"})
	publish(t, js, contracts.ConversationAuditRecorded, tenantA, contracts.AuditRecorded{Action: contracts.AuditVisitorErased, TargetID: visitorID})
	// Another tenant's event is not this erasure's business, even with the same id in it.
	publish(t, js, messageCreated, tenantB, map[string]any{"conversation_id": convID})

	n, err := natsx.ScrubStream(ctx, js, contracts.ConversationStream, tenantA, []string{visitorID, convID})
	if err != nil {
		t.Fatal(err)
	}
	if n != 301 {
		t.Fatalf("deleted %d messages, want 301", n)
	}
	left := streamData(t, js)
	if c := count(left, "my secret") + count(left, "Ada"); c != 0 {
		t.Fatalf("%d scrubbed messages are still readable", c)
	}
	if c := count(left, "someone-else"); c != 30 {
		t.Fatalf("%d unrelated events left, want 30", c)
	}
	for _, et := range []contracts.EventType{contracts.ConversationVisitorErased, contracts.ConversationConversationsDeleted, contracts.ConversationAuditRecorded} {
		if count(left, et.Subject(tenantA)+" ") != 1 {
			t.Errorf("%s was scrubbed; it must stay for the services that still act on it", et.Name())
		}
	}
	if count(left, messageCreated.Subject(tenantB)) != 1 {
		t.Fatal("another tenant's event was scrubbed")
	}

	// A redelivered erasure scrubs nothing more.
	if n, err := natsx.ScrubStream(ctx, js, contracts.ConversationStream, tenantA, []string{visitorID, convID}); err != nil || n != 0 {
		t.Fatalf("second scrub: %d, %v", n, err)
	}
}

func TestScrubStreamWithoutStreamOrNeedlesDoesNothing(t *testing.T) {
	t.Parallel()
	nc := testkit.Connect(t, testkit.NATS(t))
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if n, err := natsx.ScrubStream(ctx, js, contracts.ConversationStream, tenantA, []string{visitorID}); err != nil || n != 0 {
		t.Fatalf("no stream: %d, %v", n, err)
	}
	if err := natsx.EnsureStream(ctx, js, contracts.ConversationStream); err != nil {
		t.Fatal(err)
	}
	publish(t, js, messageCreated, tenantA, map[string]string{"visitor_id": visitorID})
	if n, err := natsx.ScrubStream(ctx, js, contracts.ConversationStream, tenantA, nil); err != nil || n != 0 {
		t.Fatalf("no needles: %d, %v", n, err)
	}
	if len(streamData(t, js)) != 1 {
		t.Fatal("a scrub without needles deleted something")
	}
}

func TestPurgeTenantRemovesOnlyThatTenant(t *testing.T) {
	t.Parallel()
	for name, open := range map[string]func(*testing.T) jetstream.JetStream{"embedded": setupStream, "installed": installedServer} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			testPurgeTenant(t, open(t))
		})
	}
}

func testPurgeTenant(t *testing.T, js jetstream.JetStream) {
	ctx := context.Background()
	for range 5 {
		publish(t, js, messageCreated, tenantA, map[string]string{"who": "a"})
		publish(t, js, messageCreated, tenantB, map[string]string{"who": "b"})
	}
	for range 2 { // idempotent
		if err := natsx.PurgeTenant(ctx, js, contracts.ConversationStream, tenantA); err != nil {
			t.Fatal(err)
		}
	}
	left := streamData(t, js)
	if len(left) != 5 || count(left, tenantA) != 0 {
		t.Fatalf("after purge: %d messages, %d of tenant A", len(left), count(left, tenantA))
	}
	if err := natsx.PurgeTenant(ctx, js, contracts.Stream{Name: "NONE", Context: "none"}, tenantA); err != nil {
		t.Fatalf("purge of a missing stream: %v", err)
	}
}

func TestDataBucketOpensOnceFromManyServices(t *testing.T) {
	t.Parallel()
	nc := testkit.Connect(t, testkit.NATS(t))
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	stores := make([]jetstream.ObjectStore, 6)
	errs := make([]error, len(stores))
	for i := range stores {
		wg.Go(func() { stores[i], errs[i] = natsx.DataBucket(ctx, js) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	body := bytes.Repeat([]byte("parley "), 100_000) // several chunks
	if _, err := stores[0].Put(ctx, jetstream.ObjectMeta{Name: "exports/x/part"}, bytes.NewReader(body)); err != nil {
		t.Fatal(err)
	}
	r, err := stores[len(stores)-1].Get(ctx, "exports/x/part")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	if err != nil || !bytes.Equal(got, body) {
		t.Fatalf("read back %d bytes (%v), want %d", len(got), err, len(body))
	}
	st, err := stores[0].Status(ctx)
	if err != nil || st.TTL() != natsx.DataRetention || st.Bucket() != contracts.DataBucket {
		t.Fatalf("bucket %v ttl %v (%v)", st.Bucket(), st.TTL(), err)
	}
}

func TestDeleteObjectLeavesNothingThatNamesIt(t *testing.T) {
	t.Parallel()
	nc := testkit.Connect(t, testkit.NATS(t))
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	obs, err := natsx.DataBucket(ctx, js)
	if err != nil {
		t.Fatal(err)
	}
	const gone, kept = "exports/tenant-a/export-1/archive.zip", "exports/tenant-b/export-2/archive.zip"
	for _, name := range []string{gone, kept} {
		if _, err := obs.Put(ctx, jetstream.ObjectMeta{Name: name}, bytes.NewReader(bytes.Repeat([]byte("x"), 300_000))); err != nil {
			t.Fatal(err)
		}
	}
	if err := natsx.DeleteObject(ctx, js, obs, gone); err != nil {
		t.Fatal(err)
	}
	if err := natsx.DeleteObject(ctx, js, obs, "exports/never/was"); err != nil {
		t.Fatalf("a missing object: %v", err)
	}
	stream, err := js.Stream(ctx, "OBJ_"+contracts.DataBucket)
	if err != nil {
		t.Fatal(err)
	}
	info, err := stream.Info(ctx, jetstream.WithSubjectFilter(">"))
	if err != nil {
		t.Fatal(err)
	}
	for subject := range info.State.Subjects {
		if strings.Contains(subject, base64.URLEncoding.EncodeToString([]byte(gone))) {
			t.Errorf("the stream still holds %s", subject)
		}
	}
	if _, err := obs.GetInfo(ctx, kept); err != nil {
		t.Errorf("the other object: %v", err)
	}
	if len(info.State.Subjects) == 0 {
		t.Fatal("the kept object's subjects are missing: the check saw nothing")
	}
}
