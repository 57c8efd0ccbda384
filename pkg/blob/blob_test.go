package blob_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/parley-chat/parley/pkg/blob"
	"github.com/parley-chat/parley/pkg/testkit"
)

const (
	tenantA = "0190f0d0-0000-7000-8000-00000000000a"
	tenantB = "0190f0d0-0000-7000-8000-00000000000b"
)

// servers runs f against the embedded server and the installed
// nats-server (the version production runs) when there is one.
func servers(t *testing.T, f func(t *testing.T, js jetstream.JetStream)) {
	t.Run("embedded", func(t *testing.T) {
		t.Parallel()
		f(t, jetStream(t, testkit.NATS(t).ClientURL()))
	})
	t.Run("installed", func(t *testing.T) {
		t.Parallel()
		f(t, jetStream(t, testkit.NATSServer(t)))
	})
}

func jetStream(t *testing.T, url string) jetstream.JetStream {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

func open(t *testing.T, js jetstream.JetStream, ttl time.Duration) *blob.ObjectStore {
	t.Helper()
	s, err := blob.OpenObjectStore(context.Background(), js, "TEST_FILES", ttl)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func put(t *testing.T, s blob.Store, name string, data []byte) {
	t.Helper()
	n, err := s.Put(context.Background(), name, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(len(data)) {
		t.Fatalf("put %s: size %d, want %d", name, n, len(data))
	}
}

func get(t *testing.T, s blob.Store, name string) []byte {
	t.Helper()
	r, size, err := s.Get(context.Background(), name)
	if err != nil {
		t.Fatalf("get %s: %v", name, err)
	}
	defer r.Close()
	data, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	if int64(len(data)) != size {
		t.Fatalf("get %s: read %d bytes, size said %d", name, len(data), size)
	}
	return data
}

func notFound(t *testing.T, s blob.Store, name string) {
	t.Helper()
	if _, _, err := s.Get(context.Background(), name); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("get %s: %v, want ErrNotFound", name, err)
	}
}

// names lists every name the bucket's metadata still holds, deleted markers included.
func names(t *testing.T, js jetstream.JetStream) []string {
	t.Helper()
	obs, err := js.ObjectStore(context.Background(), "TEST_FILES")
	if err != nil {
		t.Fatal(err)
	}
	infos, err := obs.List(context.Background(), jetstream.ListObjectsShowDeleted())
	if errors.Is(err, jetstream.ErrNoObjectsFound) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, i := range infos {
		out = append(out, i.Name)
	}
	slices.Sort(out)
	return out
}

func TestRoundTrip(t *testing.T) {
	servers(t, func(t *testing.T, js jetstream.JetStream) {
		s := open(t, js, 0)
		want := make([]byte, 10<<20)
		rng := rand.NewChaCha8([32]byte{1})
		rng.Read(want)
		// A reader that is not a bytes.Reader, yielding odd-sized pieces.
		n, err := s.Put(context.Background(), tenantA+"/big", io.LimitReader(&pieces{b: want}, int64(len(want))))
		if err != nil {
			t.Fatal(err)
		}
		if n != int64(len(want)) {
			t.Fatalf("size %d", n)
		}
		if got := get(t, s, tenantA+"/big"); !bytes.Equal(got, want) {
			t.Fatal("10 MB object came back different")
		}

		put(t, s, tenantA+"/big", []byte("replaced"))
		if got := get(t, s, tenantA+"/big"); string(got) != "replaced" {
			t.Fatalf("after replace: %q", got)
		}
		put(t, s, tenantA+"/empty", nil)
		if got := get(t, s, tenantA+"/empty"); len(got) != 0 {
			t.Fatalf("empty object: %q", got)
		}
	})
}

// pieces yields b in reads of at most 7,777 bytes.
type pieces struct{ b []byte }

func (p *pieces) Read(out []byte) (int, error) {
	if len(p.b) == 0 {
		return 0, io.EOF
	}
	n := copy(out[:min(len(out), 7777)], p.b)
	p.b = p.b[n:]
	return n, nil
}

func TestFailedReaderStoresNothing(t *testing.T) {
	servers(t, func(t *testing.T, js jetstream.JetStream) {
		s := open(t, js, 0)
		boom := errors.New("client went away")
		r := io.MultiReader(bytes.NewReader(make([]byte, 300<<10)), errReader{boom})
		if _, err := s.Put(context.Background(), tenantA+"/cut", r); !errors.Is(err, boom) {
			t.Fatalf("put: %v, want the reader's error", err)
		}
		notFound(t, s, tenantA+"/cut")
	})
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

func TestDelete(t *testing.T) {
	servers(t, func(t *testing.T, js jetstream.JetStream) {
		s := open(t, js, 0)
		ctx := context.Background()
		notFound(t, s, tenantA+"/never")
		if err := s.Delete(ctx, tenantA+"/never"); err != nil {
			t.Fatalf("delete missing: %v", err)
		}
		put(t, s, tenantA+"/f", []byte("hello"))
		if err := s.Delete(ctx, tenantA+"/f"); err != nil {
			t.Fatal(err)
		}
		notFound(t, s, tenantA+"/f")
		if n := names(t, js); len(n) != 0 {
			t.Fatalf("names left after delete: %v", n)
		}
		if err := s.Delete(ctx, tenantA+"/f"); err != nil {
			t.Fatalf("second delete: %v", err)
		}
	})
}

func TestDeletePrefix(t *testing.T) {
	servers(t, func(t *testing.T, js jetstream.JetStream) {
		s := open(t, js, 0)
		ctx := context.Background()
		for _, n := range []string{"/1", "/1.thumb", "/2", "/3"} {
			put(t, s, tenantA+n, []byte("a"+n))
			put(t, s, tenantB+n, []byte("b"+n))
		}
		// A marker the Object Store's own Delete left behind.
		obs, err := js.ObjectStore(ctx, "TEST_FILES")
		if err != nil {
			t.Fatal(err)
		}
		if err := obs.Delete(ctx, tenantA+"/3"); err != nil {
			t.Fatal(err)
		}

		n, err := s.DeletePrefix(ctx, tenantA+"/")
		if err != nil {
			t.Fatal(err)
		}
		if n != 3 {
			t.Fatalf("deleted %d, want 3", n)
		}
		for _, name := range []string{"/1", "/1.thumb", "/2", "/3"} {
			notFound(t, s, tenantA+name)
			if got := get(t, s, tenantB+name); string(got) != "b"+name {
				t.Fatalf("other tenant's %s: %q", name, got)
			}
		}
		want := []string{tenantB + "/1", tenantB + "/1.thumb", tenantB + "/2", tenantB + "/3"}
		if got := names(t, js); !slices.Equal(got, want) {
			t.Fatalf("names left %v, want %v", got, want)
		}
		if n, err := s.DeletePrefix(ctx, tenantA+"/"); err != nil || n != 0 {
			t.Fatalf("again: %d, %v", n, err)
		}
	})
}

func TestOpenObjectStore(t *testing.T) {
	servers(t, func(t *testing.T, js jetstream.JetStream) {
		ctx := context.Background()
		s := open(t, js, time.Hour)
		put(t, s, tenantA+"/kept", []byte("x"))
		again := open(t, js, 0) // existing bucket, as another service opens it
		if got := get(t, again, tenantA+"/kept"); string(got) != "x" {
			t.Fatalf("reopened: %q", got)
		}
		obs, err := js.ObjectStore(ctx, "TEST_FILES")
		if err != nil {
			t.Fatal(err)
		}
		st, err := obs.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.TTL() != time.Hour {
			t.Fatalf("ttl %v", st.TTL())
		}
	})
}
