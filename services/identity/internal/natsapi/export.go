package natsapi

import (
	"bufio"
	"context"
	"encoding/json"
	"io"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/parley-chat/parley/pkg/natsx"
	"github.com/parley-chat/parley/services/identity/internal/app"
)

// Parts writes export files into the data bucket of the Object Store.
type Parts struct{ JS jetstream.JetStream }

var _ app.PartWriter = Parts{}

// WriteJSONL streams the lines rows yields into object through a pipe, so a
// file is never whole in memory.
func (p Parts) WriteJSONL(ctx context.Context, object string, rows func(yield func(v any) error) error) (int64, error) {
	bucket, err := natsx.DataBucket(ctx, p.JS)
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
