package app

import (
	"context"
	"errors"
	"math"
	"sync/atomic"
	"time"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/natsx"
	"github.com/parley-chat/parley/services/tenant/internal/store"
)

// maxAttempts bounds how often a job is taken up again after its runner
// died; a job that keeps killing its runner is failed, not retried forever.
const maxAttempts = 3

// job is a claimed export or import while its runner works on it.
type job struct {
	store.Claimed
	table    string
	a        *App
	progress atomic.Uint64 // float64 bits
	lost     context.CancelFunc
	service  context.Context // ends when the service stops
}

// stopping reports whether the service is stopping: the job is then left
// as it is, for its lease to lapse and a runner to take it up again.
func (j *job) stopping() bool { return j.service.Err() != nil }

// setProgress records progress (0–1) and extends the lease with it, so the
// dashboard's polling sees it move.
func (j *job) setProgress(ctx context.Context, p float64) {
	j.progress.Store(math.Float64bits(p))
	j.beat(ctx)
}

func (j *job) beat(ctx context.Context) {
	p := math.Float64frombits(j.progress.Load())
	err := j.a.store.Heartbeat(ctx, j.table, j.ID, j.a.data.Runner, j.a.now().Add(j.a.data.Lease), p)
	if errors.Is(err, store.ErrLeaseLost) {
		j.lost()
	} else if err != nil && ctx.Err() == nil {
		j.a.log.Warn("job heartbeat", "job", j.ID, "err", err)
	}
}

// Wake tells the runner a job was queued.
func (a *App) Wake() {
	select {
	case a.wake <- struct{}{}:
	default:
	}
}

// RunJobs claims and runs exports and imports until ctx ends: at once when
// one is queued here, and every Poll for those queued elsewhere or left by a
// crashed runner. One job at a time per replica.
func (a *App) RunJobs(ctx context.Context) error {
	t := time.NewTicker(a.data.Poll)
	defer t.Stop()
	for {
		for ctx.Err() == nil && (a.runOne(ctx, store.ExportJobs, a.runExport) || a.runOne(ctx, store.ImportJobs, a.runImport)) {
		}
		select {
		case <-ctx.Done():
			return nil
		case <-a.wake:
		case <-t.C:
		}
	}
}

// runOne claims one job of table and runs it; false when there was none.
// While it runs a heartbeat extends its lease; if the lease is lost the
// job's context ends. A service stopping leaves its job running: its lease
// lapses and another runner (or this one, restarted) takes it up again.
func (a *App) runOne(ctx context.Context, table string, run func(context.Context, *job)) bool {
	c, ok, err := a.store.Claim(ctx, table, a.data.Runner, a.now(), a.data.Lease)
	if err != nil {
		if ctx.Err() == nil {
			a.log.Warn("claim job", "table", table, "err", err)
		}
		return false
	}
	if !ok {
		return false
	}
	jctx, cancel := context.WithCancel(ctx)
	defer cancel()
	j := &job{Claimed: c, table: table, a: a, lost: cancel, service: ctx}
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(a.data.Lease / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-jctx.Done():
				return
			case <-t.C:
				j.beat(jctx)
			}
		}
	}()
	run(jctx, j)
	close(done)
	return true
}

// deleteObject removes an object of the data bucket, leaving no marker
// that names it; a missing one is fine.
func (a *App) deleteObject(ctx context.Context, name string) error {
	return natsx.DeleteObject(ctx, a.data.JS, a.data.Objects, name)
}

// jobError is the readable error a failed job shows: a service's own
// message as it is, anything else as a generic sentence (and logged).
func (a *App) jobError(what string, err error) string {
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return what + ": " + ae.Message
	}
	a.log.Error(what, "err", err)
	return what + ": an internal error occurred"
}
