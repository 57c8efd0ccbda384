package realtime

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
)

// Frame types of a resume (an agent connecting with ?cursor=N).
const (
	FrameResumed = "resumed" // {type, cursor}: every missed event was sent; live from here
	FrameResync  = "resync"  // {type, cursor, detail}: the events after the cursor cannot be replayed; reload, then go on from this cursor
)

const (
	// maxReplay is how many missed events a resume replays; an agent further
	// behind reloads instead.
	maxReplay     = maxQueuedAgent
	resumeTimeout = 30 * time.Second
)

// errResync is a cursor the stream cannot resume from.
var errResync = errors.New("cannot resume")

// resumeCursor reads ?cursor=N, the cursor of the last event an agent's
// socket got, to resume from.
func resumeCursor(r *http.Request, actor contracts.Actor) (after uint64, ok bool, err error) {
	raw, ok := r.URL.Query()["cursor"]
	if !ok {
		return 0, false, nil
	}
	if actor.Type != contracts.AuthorAgent {
		return 0, false, apperr.InvalidField("cursor", "only agents resume with a cursor; visitors fetch after_seq")
	}
	after, err = strconv.ParseUint(raw[0], 10, 64)
	if err != nil || len(raw) > 1 {
		return 0, false, apperr.InvalidField("cursor", "cursor must be one non-negative integer, the cursor of the last frame received")
	}
	return after, true, nil
}

// resume sends an agent's socket the tenant's events after its cursor and
// before upto (the feed's position when it registered; later events are
// held live meanwhile), then a resumed frame, or a resync frame when the
// events cannot be replayed.
func (h *Hub) resume(c *Conn, after, upto uint64) {
	ctx, cancel := context.WithTimeout(context.Background(), resumeTimeout)
	defer cancel()
	cursor, err := h.replay(ctx, c, after, upto)
	switch {
	case err == nil:
		c.endResume(encodeFrame(ServerFrame{Type: FrameResumed, Cursor: cursor}), false, 0)
	case errors.Is(err, errResync):
		c.endResume(encodeFrame(ServerFrame{Type: FrameResync, Cursor: upto, Detail: err.Error()}), true, upto)
	default:
		h.log.Warn("resume a socket", "tenant_id", c.Actor.TenantID, "cursor", after, "err", err)
		c.endResume(encodeFrame(ServerFrame{Type: FrameResync, Cursor: upto, Detail: "the missed events could not be read; reload"}), true, upto)
	}
}

// replay sends the missed events and returns the cursor of the last one.
func (h *Hub) replay(ctx context.Context, c *Conn, after, upto uint64) (uint64, error) {
	st, err := h.js.Stream(ctx, contracts.ConversationStream.Name)
	if err != nil {
		return 0, err
	}
	state := st.CachedInfo().State
	if after > state.LastSeq {
		return 0, fmt.Errorf("%w: cursor %d is ahead of the event stream (at %d); reload", errResync, after, state.LastSeq)
	}
	if after+1 < state.FirstSeq {
		return 0, fmt.Errorf("%w: cursor %d is older than the oldest event kept (%d); reload", errResync, after, state.FirstSeq)
	}
	filter := contracts.ConversationStream.TenantEvents(c.Actor.TenantID)
	last, err := st.GetLastMsgForSubject(ctx, filter)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return after, nil // the tenant has no events at all
	}
	if err != nil {
		return 0, err
	}
	end := min(upto, last.Sequence)
	if end <= after {
		return after, nil
	}
	cons, err := h.js.OrderedConsumer(ctx, contracts.ConversationStream.Name, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{filter},
		DeliverPolicy:  jetstream.DeliverByStartSequencePolicy,
		OptStartSeq:    after + 1,
	})
	if err != nil {
		return 0, err
	}
	it, err := cons.Messages()
	if err != nil {
		return 0, err
	}
	defer it.Stop()
	cursor := after
	for first := true; ; first = false {
		m, err := it.Next(jetstream.NextContext(ctx))
		if err != nil {
			return 0, err
		}
		meta, err := m.Metadata()
		if err != nil {
			return 0, err
		}
		if first && meta.NumPending >= maxReplay {
			return 0, fmt.Errorf("%w: more than %d events were missed; reload", errResync, maxReplay)
		}
		seq := meta.Sequence.Stream
		if seq > end {
			return cursor, nil
		}
		if !c.replayed(seq, decodeEvent(m, seq).agent) {
			return cursor, nil // the socket closed; it resumes again
		}
		cursor = seq
		if seq == end {
			return cursor, nil
		}
	}
}
