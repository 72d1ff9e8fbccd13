package main

import (
	"context"
	"encoding/hex"
	"fmt"
	"path/filepath"

	"github.com/signaal-nl/signaal/audit"
	"github.com/signaal-nl/signaal/signal/keystore"
	"github.com/signaal-nl/signaal/signal/sqlite"
)

var youthCommand = command{
	name:    "youth",
	summary: "erase what is recorded about a young person (by their ref)",
	run: dispatch("youth", []subcommand{
		{name: "erase", summary: "delete a young person's key: their signals' content becomes unreadable", run: youthErase},
	}),
}

// youthErase deletes the data key of one young person, named by the ref
// (keyed pseudonym) the API shows a privacy officer. The signals stay as
// records (dates, decisions), their names, birth dates and observations
// become unreadable for good, and the audit chain is untouched: the right
// to erasure (AVG art. 17) without rewriting history. The erasure is
// audited (youth.erase) before it happens: no record, no erasure. A running
// server stops opening the content within a minute (its key cache).
func youthErase(ctx context.Context, args []string, std stdio) error {
	fs := newFlagSet("youth erase --ref REF [--db FILE] [--keys DIR]", "youth erase", std.err)
	db := dbFlag(fs)
	keys := fs.String("keys", envOr("SIGNAAL_KEYS", ""), "keys `directory` (SIGNAAL_KEYS; default: keys/ next to the database)")
	ref := fs.String("ref", "", "the young person's `ref` (64 hex characters), as GET /api/v1/signals shows it")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if b, err := hex.DecodeString(*ref); err != nil || len(b) != 32 {
		return usageError("--ref %q: want the 64 hex characters of a young person's ref", *ref)
	}
	if *keys == "" {
		*keys = filepath.Join(filepath.Dir(*db), "keys")
	}
	d, err := sqlite.Open(ctx, *db, sqlite.Options{})
	if err != nil {
		return err
	}
	defer d.Close()
	var signals int
	if err := d.Read().QueryRowContext(ctx, `SELECT count(*) FROM signals WHERE youth = ?`, *ref).Scan(&signals); err != nil {
		return fmt.Errorf("count the young person's signals: %w", err)
	}
	if signals == 0 {
		return fmt.Errorf("no signal is about the young person %s: check the ref", *ref)
	}
	ks, err := keystore.Open(ctx, *keys, keystore.Options{})
	if err != nil {
		return err
	}
	defer ks.Close()
	if err := d.Append(ctx, audit.Entry{Actor: cliActor, Action: "youth.erase", Object: "youth/" + *ref, Subject: *ref}); err != nil {
		return fmt.Errorf("audit the erasure: %w", err)
	}
	if err := ks.Erase(ctx, *ref); err != nil {
		return err
	}
	fmt.Fprintf(std.out, "Erased the key of %s: the content of %d signals is unreadable from now on (a running server: within a minute).\n", *ref, signals)
	return nil
}
