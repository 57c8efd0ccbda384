package natsx_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/natsx"
	"github.com/parley-chat/parley/pkg/testkit"
)

type echoReq struct{ Text string }
type echoResp struct{ Upper string }

var echo = contracts.Endpoint[echoReq, echoResp]{Service: "echo", Method: "upper"}

var log = slog.New(slog.DiscardHandler)

func TestCallReturnsTypedResultsAndErrors(t *testing.T) {
	t.Parallel()
	nc := testkit.Connect(t, testkit.NATS(t))
	_, err := natsx.Serve(nc, echo, log, func(ctx context.Context, r echoReq) (echoResp, error) {
		switch r.Text {
		case "missing":
			return echoResp{}, apperr.NotFoundf("no such thing")
		case "boom":
			return echoResp{}, errors.New("database password is hunter2")
		case "panic":
			panic("handler bug")
		}
		return echoResp{Upper: "HELLO"}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if got, err := natsx.Call(ctx, nc, echo, echoReq{"hello"}); err != nil || got.Upper != "HELLO" {
		t.Fatalf("call = %+v, %v", got, err)
	}
	if _, err := natsx.Call(ctx, nc, echo, echoReq{"missing"}); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("typed error lost: %v", err)
	}
	for _, input := range []string{"boom", "panic"} {
		_, err := natsx.Call(ctx, nc, echo, echoReq{input})
		if e := apperr.As(err); e.Code != apperr.Internal || e.Message != "internal error" {
			t.Fatalf("%s: internal error leaked or mistyped: %v", input, err)
		}
	}
}

func TestCallWithoutResponderIsUnavailable(t *testing.T) {
	t.Parallel()
	nc := testkit.Connect(t, testkit.NATS(t))
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err := natsx.Call(ctx, nc, echo, echoReq{"x"})
	if !apperr.Is(err, apperr.Unavailable) {
		t.Fatalf("no responder: %v, want unavailable", err)
	}
}

func TestCallHonoursDeadline(t *testing.T) {
	t.Parallel()
	nc := testkit.Connect(t, testkit.NATS(t))
	_, _ = natsx.Serve(nc, echo, log, func(ctx context.Context, _ echoReq) (echoResp, error) {
		<-ctx.Done() // the handler sees the caller's deadline
		return echoResp{}, ctx.Err()
	})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := natsx.Call(ctx, nc, echo, echoReq{"slow"})
	if !apperr.Is(err, apperr.Unavailable) || time.Since(start) > 2*time.Second {
		t.Fatalf("slow responder: %v after %s", err, time.Since(start))
	}
}

var testEvent = contracts.EventType{Context: "conversation", Aggregate: "thing", Event: "happened", Version: 1}

func setupStream(t *testing.T) jetstream.JetStream {
	nc := testkit.Connect(t, testkit.NATS(t))
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	if err := natsx.EnsureStream(context.Background(), js, contracts.ConversationStream); err != nil {
		t.Fatal(err)
	}
	return js
}

// Replicas of a service start together and each ensures the same streams;
// nats-server 2.9 may answer the losers of that race with "subjects overlap"
// (it failed TestScaleOutAcrossReplicas once in 20 runs).
func TestEnsureStreamFromReplicasStartingTogether(t *testing.T) {
	t.Parallel()
	url := testkit.NATSServer(t)
	const rounds, replicas = 40, 8
	streams := make([]jetstream.JetStream, replicas)
	for i := range streams {
		nc, err := nats.Connect(url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(nc.Close)
		js, err := jetstream.New(nc)
		if err != nil {
			t.Fatal(err)
		}
		streams[i] = js
	}
	for round := range rounds {
		s := contracts.Stream{Name: fmt.Sprintf("RACE%d", round), Context: fmt.Sprintf("race%d", round)}
		errs := make(chan error, replicas)
		for _, js := range streams {
			go func() { errs <- natsx.EnsureStream(context.Background(), js, s) }()
		}
		for range replicas {
			if err := <-errs; err != nil {
				t.Errorf("round %d: %v", round, err)
			}
		}
	}
}

func TestPublishDropsDuplicateMsgID(t *testing.T) {
	t.Parallel()
	js := setupStream(t)
	ctx := context.Background()
	tenant := "0190f0d0-0000-7000-8000-000000000001"
	env, _ := contracts.NewEnvelope(testEvent, tenant, "test", "", map[string]int{"n": 1})
	first, err := natsx.Publish(ctx, js, testEvent.Subject(tenant), env)
	if err != nil || natsx.IsDuplicate(first) {
		t.Fatalf("first publish: %+v %v", first, err)
	}
	second, err := natsx.Publish(ctx, js, testEvent.Subject(tenant), env)
	if err != nil || !natsx.IsDuplicate(second) {
		t.Fatalf("second publish not flagged duplicate: %+v %v", second, err)
	}
	info, _ := js.Stream(ctx, contracts.ConversationStream.Name)
	if st, _ := info.Info(ctx); st.State.Msgs != 1 {
		t.Fatalf("stream holds %d messages, want 1", st.State.Msgs)
	}
}

func TestConsumerRetriesFailuresAndTerminatesPoison(t *testing.T) {
	t.Parallel()
	js := setupStream(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tenant := "0190f0d0-0000-7000-8000-000000000002"
	var attempts, handled, mismatched atomic.Int32
	go func() {
		_ = natsx.Consume(ctx, js, natsx.ConsumerConfig{
			Stream: contracts.ConversationStream, Durable: "test", Filter: testEvent.AllTenants(),
		}, log, func(_ context.Context, _ string, env contracts.Envelope) error {
			if env.TenantID != tenant {
				mismatched.Add(1)
			}
			var p map[string]string
			_ = env.Decode(&p)
			switch p["kind"] {
			case "flaky":
				if attempts.Add(1) < 3 {
					return errors.New("transient")
				}
			case "poison":
				return apperr.InvalidField("kind", "never valid")
			}
			handled.Add(1)
			return nil
		})
	}()
	// A forged envelope whose tenant differs from its subject is never handled.
	forged, _ := contracts.NewEnvelope(testEvent, "0190f0d0-0000-7000-8000-0000000000ff", "test", "", map[string]string{"kind": "ok"})
	for _, p := range []struct {
		subject string
		env     contracts.Envelope
	}{
		{testEvent.Subject(tenant), mustEnv(t, tenant, "poison")},
		{testEvent.Subject(tenant), mustEnv(t, tenant, "flaky")},
		{testEvent.Subject(tenant), forged},
		{testEvent.Subject(tenant), mustEnv(t, tenant, "ok")},
	} {
		if _, err := natsx.Publish(ctx, js, p.subject, p.env); err != nil {
			t.Fatal(err)
		}
	}
	testkit.Eventually(t, 10*time.Second, func() error {
		if handled.Load() != 2 {
			return errors.New("flaky and ok not both handled yet")
		}
		return nil
	})
	if attempts.Load() != 3 || mismatched.Load() != 0 {
		t.Fatalf("attempts=%d mismatched=%d, want 3 and 0", attempts.Load(), mismatched.Load())
	}
}

func mustEnv(t *testing.T, tenant, kind string) contracts.Envelope {
	env, err := contracts.NewEnvelope(testEvent, tenant, "test", "", map[string]string{"kind": kind})
	if err != nil {
		t.Fatal(err)
	}
	return env
}
