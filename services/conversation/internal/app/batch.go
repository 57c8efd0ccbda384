package app

import (
	"context"
	"slices"
	"strings"

	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/db"
	"github.com/parley-chat/parley/services/conversation/internal/store"
)

// Group commit: sends wait in a queue; a writer takes everything queued (it
// never waits for more, so an idle service adds no delay) and stores the
// batch in one transaction, one savepoint per send. Under load, batches grow
// by themselves and one commit is shared by many messages.
//
// Within a batch, sends are ordered by tenant and conversation, so batches
// of several writers (PostgreSQL) lock conversations in the same order. If a
// batch fails as a whole (a deadlock, a lost connection), each of its sends
// is retried alone — safe, since sends are idempotent.

// maxBatch bounds how many sends share a transaction.
const maxBatch = 256

type sendJob struct {
	req  contracts.SendRequest
	res  contracts.SendResult
	err  error
	done chan struct{}
}

type sender struct {
	app     *App
	queue   chan *sendJob
	writers int
}

func newSender(a *App, writers int) *sender {
	return &sender{app: a, queue: make(chan *sendJob, 4*maxBatch), writers: writers}
}

// send queues r and waits for its result. A send whose caller gave up is
// still stored; a retry with the same client_msg_id finds it.
func (s *sender) send(ctx context.Context, r contracts.SendRequest) (contracts.SendResult, error) {
	j := &sendJob{req: r, done: make(chan struct{})}
	select {
	case s.queue <- j:
	case <-ctx.Done():
		return contracts.SendResult{}, ctx.Err()
	}
	select {
	case <-j.done:
		return j.res, j.err
	case <-ctx.Done():
		return contracts.SendResult{}, ctx.Err()
	}
}

// run runs the writers until ctx ends.
func (s *sender) run(ctx context.Context) error {
	done := make(chan struct{})
	for range s.writers {
		go func() {
			defer func() { done <- struct{}{} }()
			s.write(ctx)
		}()
	}
	for range s.writers {
		<-done
	}
	return nil
}

func (s *sender) write(ctx context.Context) {
	for {
		var batch []*sendJob
		select {
		case <-ctx.Done():
			return
		case j := <-s.queue:
			batch = append(batch, j)
		}
	more:
		for len(batch) < maxBatch {
			select {
			case j := <-s.queue:
				batch = append(batch, j)
			default:
				break more
			}
		}
		s.commit(context.WithoutCancel(ctx), batch)
	}
}

func (s *sender) commit(ctx context.Context, batch []*sendJob) {
	slices.SortStableFunc(batch, func(x, y *sendJob) int {
		if c := strings.Compare(x.req.Actor.TenantID, y.req.Actor.TenantID); c != 0 {
			return c
		}
		return strings.Compare(x.req.ConversationID, y.req.ConversationID)
	})
	jobs := make([]store.Job, len(batch))
	for i, j := range batch {
		jobs[i] = store.Job{TenantID: j.req.Actor.TenantID, Fn: func(tx *store.Tx) (err error) {
			j.res, err = s.app.sendIn(tx, j.req)
			return err
		}}
	}
	errs, err := s.app.store.Batch(ctx, jobs)
	for i, j := range batch {
		switch {
		case err != nil || db.IsDuplicate(errs[i]):
			// The batch failed as a whole, or the send repeats a
			// client_msg_id already stored (a retry, or an identical send
			// that another writer committed meanwhile): go again, alone,
			// which replays the stored message.
			j.res, j.err = s.app.idempotent(ctx, j.req.Actor, j.req.ClientMsgID, func(tx *store.Tx) (contracts.SendResult, error) {
				return s.app.sendIn(tx, j.req)
			})
		default:
			j.err = errs[i]
		}
		close(j.done)
	}
}
