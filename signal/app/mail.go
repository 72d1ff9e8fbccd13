package app

import (
	"context"
	"errors"
	"time"

	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/health"
	"github.com/signaal-nl/signaal/signal/mail"
)

// openMail builds the outbox over the database and, when an SMTP server is
// configured, starts its sender, stopped (and waited for) before the
// database closes. /readyz gains "mail": advisory (outgoing mail that
// cannot go stays queued; the service stays ready), with the queue in its
// detail.
func (a *App) openMail(opts Options) error {
	a.Outbox = signal.NewOutbox(a.DB.Outbox(), signal.OutboxOptions{BaseURL: opts.PublicURL, RetryAfter: opts.MailRetry, Now: opts.Now})
	configured := opts.SMTP.Addr != ""
	if configured {
		cfg := opts.SMTP
		if cfg.Logger == nil {
			cfg.Logger = opts.Logger
		}
		sender, err := mail.New(a.Outbox, cfg)
		if err != nil {
			return err
		}
		ctx, stop := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); sender.Run(ctx) }()
		a.closers = append(a.closers, func() error { stop(); <-done; return nil })
	}
	outbox, now := a.Outbox, opts.Now
	a.Ready = append(a.Ready, health.Check{Name: "mail", Advisory: true,
		Check: func(ctx context.Context) error {
			st, err := outbox.Status(ctx)
			switch {
			case err != nil:
				return err
			case !configured && st.Pending > 0:
				return errors.New("no SMTP server configured; messages stay queued")
			case st.LastError != "":
				return errors.New("the last attempt failed: " + st.LastError)
			}
			return nil
		},
		Detail: func(ctx context.Context) map[string]any {
			d := map[string]any{"smtp": "configured"}
			if !configured {
				d["smtp"] = "not configured: messages stay queued"
			}
			st, err := outbox.Status(ctx)
			if err != nil {
				d["error"] = "cannot read the queue"
				return d
			}
			d["pending"], d["sent"] = st.Pending, st.Sent
			if !st.Oldest.IsZero() {
				d["oldest_pending_seconds"] = int64(now().Sub(st.Oldest) / time.Second)
			}
			if st.LastError != "" {
				d["last_error"] = st.LastError
			}
			return d
		}})
	return nil
}

// RunNotifications runs the notices job (signal.Notifications.Run) now and
// then every interval until ctx is done: actions assigned, due and
// overdue, minutes ready, escalations, matches, each queued once. A failed
// run is logged and tried again at the next tick.
func (a *App) RunNotifications(ctx context.Context, every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		run, err := a.Notifications.Run(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			a.opts.Logger.Error("notices run failed", "err", err)
		}
		if run != (signal.NotifyRun{}) {
			a.opts.Logger.Info("notices queued", "assigned", run.Assigned, "due", run.Due, "overdue", run.Overdue,
				"minutes", run.Minutes, "escalations", run.Escalations, "matches", run.Matches)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
