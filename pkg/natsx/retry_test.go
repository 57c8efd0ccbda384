package natsx_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/natsx"
	"github.com/parley-chat/parley/pkg/testkit"
)

// A call made while no replica serves is sent again until one does, within
// the window; past it, the Unavailable error says when to retry.
func TestCallRidesOutAMissingService(t *testing.T) {
	t.Parallel()
	ns := testkit.NATS(t)
	client := testkit.Connect(t, ns)
	ctx := natsx.WithRetry(context.Background(), natsx.Retry{Window: 20 * time.Second, Attempt: 5 * time.Second})

	type result struct {
		resp echoResp
		err  error
	}
	done := make(chan result, 1)
	go func() {
		r, err := natsx.Call(ctx, client, echo, echoReq{Text: "hi"})
		done <- result{r, err}
	}()
	// The service comes up once the call has been sent (and refused) twice.
	before := inMsgs(t, ns)
	testkit.Eventually(t, 10*time.Second, func() error {
		if len(done) > 0 {
			t.Fatal("the call returned before any replica served")
		}
		if n := inMsgs(t, ns) - before; n < 2 {
			return fmt.Errorf("%d attempts so far", n)
		}
		return nil
	})
	if _, err := natsx.Serve(testkit.Connect(t, ns), echo, log, func(context.Context, echoReq) (echoResp, error) {
		return echoResp{Upper: "HI"}, nil
	}); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil || r.resp.Upper != "HI" {
		t.Fatalf("call across the outage: %+v, %v", r.resp, r.err)
	}

	gone := natsx.Retry{Window: 300 * time.Millisecond, Attempt: time.Second}
	_, err := natsx.Call(natsx.WithRetry(context.Background(), gone), client, nobody, echoReq{})
	if !apperr.Is(err, apperr.Unavailable) || apperr.As(err).RetryAfter != gone.Window {
		t.Fatalf("nobody serving: %v (retry after %s)", err, apperr.As(err).RetryAfter)
	}
}

var nobody = contracts.Endpoint[echoReq, echoResp]{Service: "nobody", Method: "home"}

func inMsgs(t *testing.T, ns *server.Server) int64 {
	v, err := ns.Varz(nil)
	if err != nil {
		t.Fatal(err)
	}
	return v.InMsgs
}

// A timed-out call is repeated only when the caller marked it repeatable.
func TestCallRepeatsATimeoutOnlyWhenRepeatable(t *testing.T) {
	t.Parallel()
	ns := testkit.NATS(t)
	var calls atomic.Int32
	slowFirst := func(ctx context.Context, _ echoReq) (echoResp, error) {
		if calls.Add(1) == 1 {
			<-ctx.Done() // the first attempt hangs past its deadline
		}
		return echoResp{Upper: "OK"}, nil
	}
	if _, err := natsx.Serve(testkit.Connect(t, ns), echo, log, slowFirst); err != nil {
		t.Fatal(err)
	}
	client := testkit.Connect(t, ns)
	ctx := natsx.WithRetry(context.Background(), natsx.Retry{Window: 30 * time.Second, Attempt: time.Second})

	if _, err := natsx.Call(ctx, client, echo, echoReq{}); !apperr.Is(err, apperr.Unavailable) || calls.Load() != 1 {
		t.Fatalf("a write that timed out: %v after %d calls, want unavailable after 1", err, calls.Load())
	}
	calls.Store(0)
	if r, err := natsx.Call(natsx.Repeatable(ctx), client, echo, echoReq{}); err != nil || r.Upper != "OK" || calls.Load() != 2 {
		t.Fatalf("a repeatable call: %+v, %v after %d calls, want OK after 2", r, err, calls.Load())
	}
}
