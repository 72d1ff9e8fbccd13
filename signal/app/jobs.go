package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/signaal-nl/signaal/audit"
	"github.com/signaal-nl/signaal/signal"
)

// RunJobs runs the hourly jobs now and then every interval until ctx is
// done: the retention rule, as signal.RetentionActor (erasure is
// idempotent, so a failed run is logged and tried again at the next tick), then a signed audit checkpoint,
// so the privacy officer can verify from a recent one and keep them. It
// needs the YouthKeys and Signing parts. Between them it forgets the
// client addresses of audit entries older than signal.AuditIPRetention.
func (a *App) RunJobs(ctx context.Context, every time.Duration) {
	logger := a.opts.Logger
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		// The job never confirms: a run that stops waits for a person
		// (signald retention run --confirm, or the privacy console).
		runs, err := a.Retention.Run(ctx, signal.RetentionActor, signal.RetentionRequest{})
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			logger.Error("retention run failed", slog.Any("err", err))
		}
		for _, run := range runs {
			if len(run.Expired) > 0 && run.Held == "" {
				logger.Info("retention run", slog.String("cooperation", run.Cooperation), slog.Int("checked", run.Checked),
					slog.Int("erased", len(run.Expired)), slog.Int("keys_erased", run.KeysErased))
			}
		}
		if ctx.Err() == nil {
			if n, err := a.ForgetAuditIPs(ctx); err != nil {
				logger.Error("forgetting old audit addresses failed", slog.Any("err", err))
			} else if n > 0 {
				logger.Info("audit addresses forgotten", slog.Int64("entries", n))
			}
		}
		if ctx.Err() == nil {
			if err := a.Checkpoint(ctx); err != nil {
				logger.Error("audit checkpoint failed", slog.Any("err", err))
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// ForgetAuditIPs forgets the client addresses of audit entries older than
// signal.AuditIPRetention (see sqlite.Integrity.ForgetIPs), as
// signal.AuditIPJob; the hourly jobs run it before the checkpoint.
func (a *App) ForgetAuditIPs(ctx context.Context) (int64, error) {
	now := time.Now
	if a.opts.Now != nil {
		now = a.opts.Now
	}
	return a.integrity.ForgetIPs(ctx, signal.AuditIPJob, now())
}

// Checkpoint signs and stores a checkpoint of the audit log's head, only
// when the log grew since the last one: an idle night adds none. It is not
// itself audited (that would grow the log every hour); the checkpoint is
// its own record.
func (a *App) Checkpoint(ctx context.Context) error {
	size, _, err := audit.Head(ctx, a.DB.Read())
	if err != nil || size == a.lastSize {
		return err
	}
	cp, err := a.integrity.IssueCheckpoint(ctx)
	if err == nil {
		a.lastSize = cp.Size
	}
	return err
}
