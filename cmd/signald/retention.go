package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/signaal-nl/signaal/rego"
	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/keystore"
	"github.com/signaal-nl/signaal/signal/sqlite"
)

var retentionCommand = command{
	name:    "retention",
	summary: "erase expired signals now (retention run [--dry-run] [--confirm] [--cooperation NAME])",
	run:     retentionCmd,
}

func retentionCmd(ctx context.Context, args []string, std stdio) error {
	if len(args) == 0 || args[0] != "run" {
		fmt.Fprintln(std.err, "Usage: signald retention run [--db FILE] [--keys DIR] [--retention 2y] [--cooperation NAME] [--dry-run] [--confirm]")
		if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
			return nil
		}
		return usageError("unknown retention subcommand %q (want run)", args[0])
	}
	fset := flag.NewFlagSet("retention run", flag.ContinueOnError)
	fset.SetOutput(std.err)
	var (
		dbPath, keys, period, coop string
		dryRun, confirm            bool
	)
	fset.StringVar(&dbPath, "db", envOr("SIGNAAL_DB", filepath.Join("data", "signaal.db")), "SQLite database `file` (SIGNAAL_DB)")
	fset.StringVar(&keys, "keys", os.Getenv("SIGNAAL_KEYS"), "keys `directory` (SIGNAAL_KEYS; default: keys/ next to the database)")
	fset.StringVar(&period, "retention", envOr("SIGNAAL_RETENTION", signal.DefaultRetention.String()), "how long a signal stays after its observation, e.g. 2y, 18m, 730d (SIGNAAL_RETENTION)")
	fset.StringVar(&coop, "cooperation", "", "run in this cooperation only (its name or id); default: each cooperation in turn")
	fset.BoolVar(&dryRun, "dry-run", false, "list what has expired without erasing it, and why a run would stop")
	fset.BoolVar(&confirm, "confirm", false, "go on past a stop: you checked that the clock is right and the amount is meant")
	fset.Usage = func() {
		fmt.Fprintln(std.err, "Usage: signald retention run [flags]\n\nErases the content of every signal that has expired: the retention period has\npassed since it was observed, or the young person has turned 23. Each erasure is\naudited (signal.erase) under the operator, one cooperation at a time; the\nmetadata and the audit chain stay.\n\nA run stops before erasing anything when the clock reads earlier than the newest\naudit entry (fix the clock), more than "+fmt.Sprint(signal.DefaultMaxClockGap.Hours()/24)+" days after the last run, or when it\nwould erase more than "+fmt.Sprint(100*signal.DefaultMaxShare)+"% of a cooperation's content or the content of more\nthan "+fmt.Sprint(signal.DefaultMaxYoungPeople)+" young people: check, then run again with --confirm.\n\nFlags:")
		fset.PrintDefaults()
	}
	if err := fset.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usageError("%v", err)
	}
	if fset.NArg() > 0 {
		return usageError("unexpected argument %q", fset.Arg(0))
	}
	p, err := signal.ParsePeriod(period)
	if err != nil {
		return usageError("--retention: %v", err)
	}
	if _, err := os.Stat(dbPath); err != nil {
		return usageError("--db %q: %v", dbPath, errors.Unwrap(err))
	}
	if keys == "" {
		keys = filepath.Join(filepath.Dir(dbPath), "keys")
	}
	logger := newLogger("text", std.err)
	db, err := sqlite.Open(ctx, dbPath, sqlite.Options{Logger: logger, Writer: sqlite.WriterOptions{Logger: logger}})
	if err != nil {
		return err
	}
	defer db.Close()
	youthKeys, err := keystore.Open(ctx, keys, keystore.Options{Logger: logger})
	if err != nil {
		return fmt.Errorf("open the youth key store: %w", err)
	}
	defer youthKeys.Close()
	ret := signal.NewRetention(db.Privacy(), youthKeys, youthKeys, signal.RetentionOptions{Period: p, Logger: logger})
	runs, err := ret.Run(ctx, cliActor, signal.RetentionRequest{Cooperation: coop, DryRun: dryRun, Confirm: confirm})
	if signal.ErrorCode(err) == signal.CodeNotFound {
		return usageError("--cooperation %q: no such cooperation", coop)
	}
	verb := "erased"
	if dryRun {
		verb = "would erase"
	}
	var checked, expired, keysErased int
	stopped := func(r signal.RetentionRun) bool { return !dryRun && r.Held != "" && !r.Confirmed }
	for _, r := range runs {
		checked += r.Checked
		if !stopped(r) {
			expired += len(r.Expired)
		}
		keysErased += r.KeysErased
	}
	fmt.Fprintf(std.out, "retention %s: %d signals checked, %s %d", p, checked, verb, expired)
	if !dryRun {
		fmt.Fprintf(std.out, ", %d young people's keys deleted", keysErased)
	}
	fmt.Fprintln(std.out)
	for _, r := range runs {
		switch {
		case stopped(r):
			fmt.Fprintf(std.out, "  cooperation/%s: stopped before erasing anything (%d signals expired): %s\n", r.Cooperation, len(r.Expired), r.HoldWhy)
			continue
		case r.Held != "" && dryRun:
			fmt.Fprintf(std.out, "  cooperation/%s: a run would stop: %s\n", r.Cooperation, r.HoldWhy)
		case r.Confirmed:
			fmt.Fprintf(std.out, "  cooperation/%s: went past %s on your --confirm\n", r.Cooperation, r.Held)
		}
		for _, e := range r.Expired {
			fmt.Fprintf(std.out, "  signal/%s  %s\n", e.SignalID, e.Reason)
		}
	}
	if err != nil {
		return fmt.Errorf("retention: %w", err)
	}
	return nil
}

// runRetention runs the retention job now and then every interval until
// ctx is done; it closes done when it has stopped. A failed run is logged
// and tried again at the next tick: erasure is idempotent.
//
// After each run it issues a signed audit checkpoint (checkpoint, if not
// nil), so the privacy officer can verify from a recent one and keep them.
func runRetention(ctx context.Context, ret *signal.Retention, every time.Duration, checkpoint func(context.Context) error, logger *slog.Logger, done chan<- struct{}) {
	defer close(done)
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		// The job never confirms: a run that stops waits for a person
		// (signald retention run --confirm, or the privacy console).
		runs, err := ret.Run(ctx, signal.RetentionActor, signal.RetentionRequest{})
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
		if checkpoint != nil && ctx.Err() == nil {
			if err := checkpoint(ctx); err != nil {
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

// policyFS is the file system the policy is loaded from: the embedded one,
// or a directory of .rego files.
func policyFS(dir string) fs.FS {
	if dir != "" {
		return os.DirFS(dir)
	}
	return rego.FS
}

// recordPolicy stores the loaded policy's files under its version and
// audits policy.load, so the console can say which policy was in force
// when and show what changed.
func recordPolicy(ctx context.Context, privacy *signal.Privacy, dir, version string) error {
	files, err := signal.ReadPolicyFiles(policyFS(dir))
	if err != nil {
		return err
	}
	return privacy.RecordPolicyLoad(ctx, signal.Actor{UserID: "signald", Role: signal.RoleSystem}, version, files)
}
