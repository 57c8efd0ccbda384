package blob

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// ErrNotFound is returned by Get for a name that holds no object.
var ErrNotFound = errors.New("blob: not found")

// Store keeps named objects.
type Store interface {
	// Put stores what r yields under name, replacing any object there,
	// streamed (never whole in memory), and returns its size. An error of
	// r fails the Put and stores nothing.
	Put(ctx context.Context, name string, r io.Reader) (size int64, err error)
	// Get opens an object and returns its size; ErrNotFound if missing.
	// The caller closes the reader.
	Get(ctx context.Context, name string) (io.ReadCloser, int64, error)
	// Delete removes an object; a missing one is not an error.
	Delete(ctx context.Context, name string) error
	// DeletePrefix removes every object whose name starts with prefix
	// (e.g. "<tenant>/") and returns how many it removed.
	DeletePrefix(ctx context.Context, prefix string) (int, error)
}

// ObjectStore is a Store in a JetStream Object Store bucket.
type ObjectStore struct {
	obs    jetstream.ObjectStore
	stream jetstream.Stream // the bucket's stream, to purge markers
	bucket string
}

var _ Store = (*ObjectStore)(nil)

// OpenObjectStore opens bucket, creating it (file storage, objects kept
// for ttl; 0 keeps them until deleted) if it does not exist. An existing
// bucket is used as it is.
func OpenObjectStore(ctx context.Context, js jetstream.JetStream, bucket string, ttl time.Duration) (*ObjectStore, error) {
	obs, err := js.ObjectStore(ctx, bucket)
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		obs, err = js.CreateObjectStore(ctx, jetstream.ObjectStoreConfig{
			Bucket:  bucket,
			TTL:     ttl,
			Storage: jetstream.FileStorage,
		})
		if err != nil {
			// Another process may have created it at the same moment.
			if o, oerr := js.ObjectStore(ctx, bucket); oerr == nil {
				obs, err = o, nil
			}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("blob: open bucket %s: %w", bucket, err)
	}
	stream, err := js.Stream(ctx, "OBJ_"+bucket)
	if err != nil {
		return nil, fmt.Errorf("blob: open bucket %s: %w", bucket, err)
	}
	return &ObjectStore{obs: obs, stream: stream, bucket: bucket}, nil
}

// Put stores r under name in chunks as it reads them.
func (s *ObjectStore) Put(ctx context.Context, name string, r io.Reader) (int64, error) {
	info, err := s.obs.Put(ctx, jetstream.ObjectMeta{Name: name}, r)
	if err != nil {
		return 0, fmt.Errorf("blob: put %s: %w", name, err)
	}
	return int64(info.Size), nil
}

// Get opens name for reading. The reader fails at its end if the bytes
// do not match the digest stored with them.
func (s *ObjectStore) Get(ctx context.Context, name string) (io.ReadCloser, int64, error) {
	res, err := s.obs.Get(ctx, name)
	if errors.Is(err, jetstream.ErrObjectNotFound) {
		return nil, 0, ErrNotFound
	}
	if err != nil {
		return nil, 0, fmt.Errorf("blob: get %s: %w", name, err)
	}
	info, err := res.Info()
	if err != nil {
		res.Close()
		return nil, 0, fmt.Errorf("blob: get %s: %w", name, err)
	}
	return res, int64(info.Size), nil
}

// Delete removes name's chunks and its metadata, deleted marker included.
func (s *ObjectStore) Delete(ctx context.Context, name string) error {
	if err := s.obs.Delete(ctx, name); err != nil && !errors.Is(err, jetstream.ErrObjectNotFound) {
		return fmt.Errorf("blob: delete %s: %w", name, err)
	}
	return s.purgeMarker(ctx, name)
}

// DeletePrefix lists the bucket (its metadata only) and deletes the
// objects under prefix; markers of objects deleted earlier under prefix are
// purged as well but not counted.
func (s *ObjectStore) DeletePrefix(ctx context.Context, prefix string) (int, error) {
	infos, err := s.obs.List(ctx, jetstream.ListObjectsShowDeleted())
	if errors.Is(err, jetstream.ErrNoObjectsFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("blob: list %s: %w", s.bucket, err)
	}
	n := 0
	for _, info := range infos {
		if !strings.HasPrefix(info.Name, prefix) {
			continue
		}
		if !info.Deleted {
			if err := s.obs.Delete(ctx, info.Name); err != nil && !errors.Is(err, jetstream.ErrObjectNotFound) {
				return n, fmt.Errorf("blob: delete %s: %w", info.Name, err)
			}
			n++
		}
		if err := s.purgeMarker(ctx, info.Name); err != nil {
			return n, err
		}
	}
	return n, nil
}

// purgeMarker removes the metadata message of name, which after a Delete
// is the "deleted" marker.
func (s *ObjectStore) purgeMarker(ctx context.Context, name string) error {
	meta := "$O." + s.bucket + ".M." + base64.URLEncoding.EncodeToString([]byte(name))
	if err := s.stream.Purge(ctx, jetstream.WithPurgeSubject(meta)); err != nil {
		return fmt.Errorf("blob: delete %s: %w", name, err)
	}
	return nil
}
