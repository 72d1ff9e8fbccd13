package main

import (
	"context"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/app"
)

var youthCommand = command{
	name:    "youth",
	summary: "erase what is recorded about a young person (by their ref)",
	run: dispatch("youth", []subcommand{
		{name: "erase", summary: "erase a young person's signals' content and their key", run: youthErase},
	}),
}

// youthErase erases on request (AVG art. 17) what is recorded about one
// young person, named by the ref (keyed pseudonym) the API shows a privacy
// officer: the same erasure as the privacy officer's console
// (signal.Privacy.Erase), for every cooperation. The signals stay as
// records (dates, decisions); their names, birth dates and observations are
// overwritten and the young person's data key is deleted, so whatever was
// sealed under it anywhere is unreadable for good; the audit chain is
// untouched. Each signal's erasure is audited (signal.erase) with it, and
// the key's (youth.key_erase). A running server stops opening the content
// within a minute (its key cache).
func youthErase(ctx context.Context, args []string, std stdio) error {
	fs := newFlagSet("youth erase --ref REF [--reason REASON] [--db FILE] [--keys DIR]", "youth erase", std.err)
	db := dbFlag(fs)
	keys := fs.String("keys", envOr("SIGNAAL_KEYS", ""), "keys `directory` (SIGNAAL_KEYS; default: keys/ next to the database)")
	ref := fs.String("ref", "", "the young person's `ref` (64 hex characters), as GET /api/v1/signals shows it")
	var reasons []string
	for _, r := range signal.RequestErasureReasons {
		reasons = append(reasons, string(r))
	}
	reason := fs.String("reason", string(signal.ErasureDataSubjectRequest), "why (AVG art. 17(1)): "+strings.Join(reasons, ", "))
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if b, err := hex.DecodeString(*ref); err != nil || len(b) != 32 {
		return usageError("--ref %q: want the 64 hex characters of a young person's ref", *ref)
	}
	if *keys == "" {
		*keys = filepath.Join(filepath.Dir(*db), "keys")
	}
	a, err := app.Open(ctx, app.Options{DB: *db, Keys: *keys, Parts: app.Database | app.YouthKeys})
	if err != nil {
		return err
	}
	defer a.Close()
	done, err := a.Privacy.Erase(ctx, cliActor, signal.EraseRequest{Youth: *ref, Reason: signal.ErasureReason(*reason)})
	switch signal.ErrorCode(err) {
	case "":
	case signal.CodeNotFound:
		return fmt.Errorf("no signal with content is about the young person %s: check the ref", *ref)
	default:
		return fieldUsage(err)
	}
	fmt.Fprintf(std.out, "Erased the content of %d signals of %s and their key: it is unreadable from now on (a running server: within a minute).\n", len(done), *ref)
	return nil
}
