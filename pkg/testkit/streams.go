package testkit

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/parley-chat/parley/pkg/contracts"
)

// StreamMessages reads every message of a stream on subject (a filter, as
// "identity.<tenant>.>"), oldest first, as it is now.
func StreamMessages(tb testing.TB, js jetstream.JetStream, stream contracts.Stream, subject string) []jetstream.Msg {
	tb.Helper()
	ctx := context.Background()
	s, err := js.Stream(ctx, stream.Name)
	if err != nil {
		tb.Fatal(err)
	}
	c, err := s.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{FilterSubjects: []string{subject}})
	if err != nil {
		tb.Fatal(err)
	}
	var out []jetstream.Msg
	for {
		batch, err := c.FetchNoWait(100)
		if err != nil {
			tb.Fatal(err)
		}
		n := 0
		for m := range batch.Messages() {
			n++
			out = append(out, m)
		}
		if n == 0 {
			return out
		}
	}
}

// StreamEvents is StreamMessages decoded as event envelopes.
func StreamEvents(tb testing.TB, js jetstream.JetStream, stream contracts.Stream, subject string) []contracts.Envelope {
	tb.Helper()
	var out []contracts.Envelope
	for _, m := range StreamMessages(tb, js, stream, subject) {
		var env contracts.Envelope
		if err := json.Unmarshal(m.Data(), &env); err != nil {
			tb.Fatal(err)
		}
		out = append(out, env)
	}
	return out
}
