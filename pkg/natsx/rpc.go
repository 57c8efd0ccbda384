package natsx

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
)

// Headers carried by every request.
const (
	HeaderDeadline    = "Parley-Deadline"       // unix nanoseconds; the handler's context ends then
	HeaderCorrelation = "Parley-Correlation-Id" // ties log lines of one user action together
)

// DefaultTimeout bounds a request whose context has no deadline.
const DefaultTimeout = 5 * time.Second

type correlationKey struct{}

// WithCorrelation returns a context carrying a correlation id for requests and events.
func WithCorrelation(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, correlationKey{}, id)
}

// Correlation returns the correlation id of ctx, or "".
func Correlation(ctx context.Context) string {
	id, _ := ctx.Value(correlationKey{}).(string)
	return id
}

// Call sends req to the endpoint and decodes the reply. It returns the
// service's *apperr.Error as is, and apperr.Unavailable when no replica answers
// before the context's deadline (DefaultTimeout if it has none). Under a
// context from WithRetry it rides out a short outage first (see Retry).
func Call[Req, Resp any](ctx context.Context, nc *nats.Conn, ep contracts.Endpoint[Req, Resp], req Req) (Resp, error) {
	r, ok := ctx.Value(retryKey{}).(Retry)
	if !ok {
		out, _, err := callOnce(ctx, nc, ep, req)
		return out, err
	}
	repeatable := ctx.Value(repeatableKey{}) != nil
	giveUp := time.Now().Add(r.Window)
	wait := 50 * time.Millisecond
	for {
		actx, cancel := context.WithTimeout(ctx, r.Attempt)
		out, unsent, err := callOnce(actx, nc, ep, req)
		cancel()
		if !apperr.Is(err, apperr.Unavailable) {
			return out, err
		}
		if (!unsent && !repeatable) || ctx.Err() != nil || time.Now().Add(wait).After(giveUp) {
			e := *apperr.As(err)
			e.RetryAfter = r.Window
			return out, &e
		}
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Second)
	}
}

// Retry is how Call rides out a service restarting or a NATS or database
// outage: a request that no replica received ("no responders") is sent
// again, as is, when the context is Repeatable, one that timed out or that
// the service answered "unavailable"; with backoff, for up to Window. Each
// attempt is bounded by Attempt. When Call gives up, its Unavailable error
// carries Window as RetryAfter.
type Retry struct {
	Window  time.Duration
	Attempt time.Duration
}

type (
	retryKey      struct{}
	repeatableKey struct{}
)

// WithRetry returns a context under which Call retries as r says.
func WithRetry(ctx context.Context, r Retry) context.Context {
	return context.WithValue(ctx, retryKey{}, r)
}

// Repeatable marks the calls made with ctx as idempotent (a read, or a
// write with an idempotency key): sending one twice changes nothing.
func Repeatable(ctx context.Context) context.Context {
	return context.WithValue(ctx, repeatableKey{}, true)
}

// callOnce sends one request; unsent reports that no replica received it.
func callOnce[Req, Resp any](ctx context.Context, nc *nats.Conn, ep contracts.Endpoint[Req, Resp], req Req) (_ Resp, unsent bool, _ error) {
	var zero Resp
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultTimeout)
		defer cancel()
	}
	body, err := json.Marshal(req)
	if err != nil {
		return zero, false, fmt.Errorf("encode %s request: %w", ep.Subject(), err)
	}
	msg := nats.NewMsg(ep.Subject())
	msg.Data = body
	deadline, _ := ctx.Deadline()
	msg.Header.Set(HeaderDeadline, strconv.FormatInt(deadline.UnixNano(), 10))
	if id := Correlation(ctx); id != "" {
		msg.Header.Set(HeaderCorrelation, id)
	}
	res, err := nc.RequestMsgWithContext(ctx, msg)
	switch {
	case errors.Is(err, nats.ErrNoResponders):
		return zero, true, apperr.New(apperr.Unavailable, "the %s service is not available", ep.Service)
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, nats.ErrTimeout):
		return zero, false, apperr.New(apperr.Unavailable, "the %s service did not answer in time", ep.Service)
	case errors.Is(err, context.Canceled):
		return zero, false, err
	case err != nil:
		return zero, false, apperr.New(apperr.Unavailable, "the %s service could not be reached", ep.Service)
	}
	var reply contracts.Reply
	if err := json.Unmarshal(res.Data, &reply); err != nil {
		return zero, false, fmt.Errorf("decode %s reply: %w", ep.Subject(), err)
	}
	if reply.Error != nil {
		return zero, false, reply.Error
	}
	var out Resp
	if err := json.Unmarshal(reply.Data, &out); err != nil {
		return zero, false, fmt.Errorf("decode %s reply: %w", ep.Subject(), err)
	}
	return out, false, nil
}

// Handler answers one request.
type Handler[Req, Resp any] func(ctx context.Context, req Req) (Resp, error)

// maxInFlight bounds the requests one subscription handles at once.
const maxInFlight = 512

// Server is a running endpoint subscription.
type Server struct {
	sub      *nats.Subscription
	inflight sync.WaitGroup
}

// Stop stops taking requests and waits (up to timeout) for those in flight.
func (s *Server) Stop(timeout time.Duration) {
	_ = s.sub.Drain()
	deadline := time.Now().Add(timeout)
	for s.sub.IsValid() && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	done := make(chan struct{})
	go func() { s.inflight.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Until(deadline)):
	}
}

// Serve answers ep's requests in the endpoint's queue group until stopped.
// Each request runs in its own goroutine with a context that ends at the
// caller's deadline. Errors that are not *apperr.Error are logged and
// returned to the caller as "internal error".
func Serve[Req, Resp any](nc *nats.Conn, ep contracts.Endpoint[Req, Resp], log *slog.Logger, h Handler[Req, Resp]) (*Server, error) {
	srv := &Server{}
	sem := make(chan struct{}, maxInFlight)
	sub, err := nc.QueueSubscribe(ep.Subject(), ep.QueueGroup(), func(m *nats.Msg) {
		sem <- struct{}{}
		srv.inflight.Add(1)
		go func() {
			defer func() { <-sem; srv.inflight.Done() }()
			ctx, cancel := requestContext(m)
			defer cancel()
			reply := handle(ctx, ep.Subject(), m.Data, log, h)
			if m.Reply == "" || ctx.Err() != nil {
				return // nobody is waiting any more
			}
			if err := m.Respond(reply); err != nil {
				log.Warn("rpc respond", "subject", ep.Subject(), "err", err)
			}
		}()
	})
	if err != nil {
		return nil, err
	}
	srv.sub = sub
	return srv, nil
}

func requestContext(m *nats.Msg) (context.Context, context.CancelFunc) {
	ctx := context.Background()
	if id := m.Header.Get(HeaderCorrelation); id != "" {
		ctx = WithCorrelation(ctx, id)
	}
	if ns, err := strconv.ParseInt(m.Header.Get(HeaderDeadline), 10, 64); err == nil {
		return context.WithDeadline(ctx, time.Unix(0, ns))
	}
	return context.WithTimeout(ctx, DefaultTimeout)
}

func handle[Req, Resp any](ctx context.Context, subject string, data []byte, log *slog.Logger, h Handler[Req, Resp]) []byte {
	var req Req
	var reply contracts.Reply
	if err := json.Unmarshal(data, &req); err != nil {
		reply.Error = apperr.New(apperr.Invalid, "malformed request")
	} else if resp, err := safeCall(ctx, h, req); err != nil {
		var ae *apperr.Error
		if errors.Is(err, context.DeadlineExceeded) {
			err = apperr.New(apperr.Unavailable, "the request timed out")
		} else if !errors.As(err, &ae) {
			log.Error("rpc failed", "subject", subject, "correlation_id", Correlation(ctx), "err", err)
		}
		reply.Error = apperr.As(err)
	} else if reply.Data, err = json.Marshal(resp); err != nil {
		log.Error("rpc encode", "subject", subject, "err", err)
		reply.Error = apperr.As(err)
	}
	out, _ := json.Marshal(reply)
	return out
}

// safeCall turns a panic in a handler into an internal error, so one bad
// request cannot take the whole service down.
func safeCall[Req, Resp any](ctx context.Context, h Handler[Req, Resp], req Req) (resp Resp, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return h(ctx, req)
}
