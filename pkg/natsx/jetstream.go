package natsx

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
)

// EventRetention is how long a stream keeps events. Consumers that were down
// for longer than this miss events; a week covers any sane outage.
const EventRetention = 7 * 24 * time.Hour

// DuplicateWindow is how long a stream remembers Nats-Msg-Id values. The
// outbox relay republishes well within it; consumers are idempotent anyway.
const DuplicateWindow = 2 * time.Minute

// EnsureStream creates the stream of one context, or updates it if its
// configuration changed. Every service calls it for the streams it publishes
// to and consumes, so start-up order does not matter. Creating a stream that
// exists with the same configuration changes nothing, so services starting
// together do not race to update it.
func EnsureStream(ctx context.Context, js jetstream.JetStream, s contracts.Stream) error {
	cfg := jetstream.StreamConfig{
		Name:       s.Name,
		Subjects:   []string{s.Subjects()},
		Storage:    jetstream.FileStorage,
		Retention:  jetstream.LimitsPolicy,
		MaxAge:     EventRetention,
		Duplicates: DuplicateWindow,
		Discard:    jetstream.DiscardOld,
	}
	_, err := js.CreateStream(ctx, cfg)
	if err == nil {
		return nil
	}
	// The stream exists already, or another replica is creating it right now
	// (nats-server 2.9 may then answer "subjects overlap" instead of "name
	// already in use"): either way, updating it brings it to this config.
	if _, uerr := js.UpdateStream(ctx, cfg); uerr != nil {
		if !errors.Is(uerr, jetstream.ErrStreamNotFound) {
			err = uerr
		}
		return fmt.Errorf("ensure stream %s: %w", s.Name, err)
	}
	return nil
}

// NewMsg builds the JetStream message of an event.
func NewMsg(subject string, env contracts.Envelope) (*nats.Msg, error) {
	body, err := json.Marshal(env)
	if err != nil {
		return nil, fmt.Errorf("encode event %s: %w", env.Type, err)
	}
	msg := nats.NewMsg(subject)
	msg.Data = body
	msg.Header.Set(jetstream.MsgIDHeader, env.ID)
	return msg, nil
}

// Publish stores one event, using its id as Nats-Msg-Id so that a re-publish
// within DuplicateWindow is dropped by the stream.
func Publish(ctx context.Context, js jetstream.JetStream, subject string, env contracts.Envelope) (*jetstream.PubAck, error) {
	msg, err := NewMsg(subject, env)
	if err != nil {
		return nil, err
	}
	return js.PublishMsg(ctx, msg)
}

// EventHandler processes one event. Returning an *apperr.Error with code
// Invalid marks the event as poison: it is terminated, not redelivered.
type EventHandler func(ctx context.Context, subject string, env contracts.Envelope) error

// ConsumerConfig describes a durable consumer.
type ConsumerConfig struct {
	Stream  contracts.Stream
	Durable string // shared by every replica of the consuming service
	// Filter is one subject, usually EventType.AllTenants(). One, because
	// NATS servers before 2.10 (Debian's 2.9, for one) take only one.
	Filter string
	// MaxDeliver bounds redeliveries of a failing event (default 10).
	MaxDeliver int
	// Parallel > 1 handles events on that many goroutines; events with the
	// same Key are handled one after another, in order. Use it when a
	// handler may be slow (it calls out) so one slow event does not hold up
	// the others.
	Parallel int
	Key      func(env contracts.Envelope) string
}

// DrainTimeout bounds how long a stopping consumer lets its handlers finish.
const DrainTimeout = 10 * time.Second

// Consume runs a durable consumer until ctx ends, then drains: it stops
// fetching and lets the events already delivered finish (their handlers'
// context ends only DrainTimeout later). Events are acked only after
// the handler returns nil; failures are redelivered with exponential backoff
// up to MaxDeliver times, and poison events (bad envelope, tenant mismatch,
// Invalid errors) are terminated at once so they never block the rest.
func Consume(ctx context.Context, js jetstream.JetStream, cfg ConsumerConfig, log *slog.Logger, h EventHandler) error {
	if cfg.MaxDeliver == 0 {
		cfg.MaxDeliver = 10
	}
	cons, err := js.CreateOrUpdateConsumer(ctx, cfg.Stream.Name, jetstream.ConsumerConfig{
		Durable:       cfg.Durable,
		FilterSubject: cfg.Filter,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       30 * time.Second,
		MaxDeliver:    cfg.MaxDeliver,
		MaxAckPending: 1000,
		DeliverPolicy: jetstream.DeliverAllPolicy, // a new consumer catches up on the retained history
	})
	if ctx.Err() != nil {
		return nil // stopped while starting
	}
	if err != nil {
		return fmt.Errorf("consumer %s: %w", cfg.Durable, err)
	}
	work, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()
	handle := func(m jetstream.Msg) { dispatch(work, decode(m), cfg, log, h) }
	var lanes []chan event
	var laneWG sync.WaitGroup
	if cfg.Parallel > 1 {
		lanes = make([]chan event, cfg.Parallel)
		for i := range lanes {
			lanes[i] = make(chan event, 64)
			laneWG.Go(func() {
				for e := range lanes[i] {
					dispatch(work, e, cfg, log, h)
				}
			})
		}
		handle = func(m jetstream.Msg) {
			e := decode(m)
			lanes[lane(e, cfg, len(lanes))] <- e
		}
	}
	cc, err := cons.Consume(handle)
	if err != nil {
		return fmt.Errorf("consume %s: %w", cfg.Durable, err)
	}
	<-ctx.Done()
	hardStop := time.AfterFunc(DrainTimeout, stopWork)
	defer hardStop.Stop()
	cc.Drain()
	<-cc.Closed() // no callback runs after this
	for _, l := range lanes {
		close(l)
	}
	laneWG.Wait()
	return nil
}

// event is a delivered message and its envelope, decoded once.
type event struct {
	m   jetstream.Msg
	env contracts.Envelope
	bad error // the envelope does not decode
}

func decode(m jetstream.Msg) event {
	e := event{m: m}
	e.bad = json.Unmarshal(m.Data(), &e.env)
	return e
}

// lane picks the goroutine of an event from its key.
func lane(e event, cfg ConsumerConfig, n int) int {
	if cfg.Key == nil || e.bad != nil {
		return 0
	}
	h := fnv.New32a()
	h.Write([]byte(cfg.Key(e.env)))
	return int(h.Sum32() % uint32(n))
}

func dispatch(ctx context.Context, e event, cfg ConsumerConfig, log *slog.Logger, h EventHandler) {
	m, env := e.m, e.env
	if e.bad != nil {
		log.Error("poison event: bad envelope", "consumer", cfg.Durable, "subject", m.Subject(), "err", e.bad)
		_ = m.Term()
		return
	}
	if err := env.CheckSubject(m.Subject()); err != nil {
		log.Error("poison event", "consumer", cfg.Durable, "err", err)
		_ = m.Term()
		return
	}
	err := h(WithCorrelation(ctx, env.CorrelationID), m.Subject(), env)
	if err == nil {
		_ = m.Ack()
		return
	}
	if apperr.Is(err, apperr.Invalid) {
		log.Error("poison event: terminated", "consumer", cfg.Durable, "event", env.ID, "type", env.Type, "err", err)
		_ = m.Term()
		return
	}
	n := uint64(1)
	if md, mdErr := m.Metadata(); mdErr == nil {
		n = md.NumDelivered
	}
	log.Warn("event failed, will retry", "consumer", cfg.Durable, "event", env.ID, "type", env.Type, "attempt", n, "err", err)
	_ = m.NakWithDelay(backoff(n))
}

// backoff is 100ms doubling per attempt, capped at 30s.
func backoff(attempt uint64) time.Duration {
	d := 100 * time.Millisecond
	for i := uint64(1); i < attempt && d < 30*time.Second; i++ {
		d *= 2
	}
	return min(d, 30*time.Second)
}

// IsDuplicate reports whether a publish ack says the stream dropped the
// message as a duplicate.
func IsDuplicate(ack *jetstream.PubAck) bool { return ack != nil && ack.Duplicate }
