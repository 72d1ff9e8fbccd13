package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/app"
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
	a, err := app.Open(ctx, app.Options{DB: dbPath, Keys: keys, Retention: p, Logger: logger, Parts: app.Database | app.YouthKeys})
	if err != nil {
		return err
	}
	defer a.Close()
	runs, err := a.Retention.Run(ctx, cliActor, signal.RetentionRequest{Cooperation: coop, DryRun: dryRun, Confirm: confirm})
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
