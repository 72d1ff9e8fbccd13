package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/signaal-nl/signaal/signal/app"
)

var backupCommand = command{name: "backup", summary: "copy the database and keys, consistently, while serve runs (--to DIR)", run: backupCmd}

var restoreCommand = command{name: "restore", summary: "put a backup in place and verify its audit chain (serve stopped)", run: restoreCmd}

func keysFlag(fs interface {
	String(name, value, usage string) *string
}) *string {
	return fs.String("keys", envOr("SIGNAAL_KEYS", ""), "keys `directory` (SIGNAAL_KEYS; default: keys/ next to the database)")
}

// backupCmd makes a consistent online backup (app.Backup). It is a read:
// it takes no owner lock and runs beside serve.
func backupCmd(ctx context.Context, args []string, std stdio) error {
	fs := newFlagSet("backup --to DIR [--db FILE] [--keys DIR]", "backup", std.err)
	db := dbFlag(fs)
	keys := keysFlag(fs)
	to := fs.String("to", "", "the backup `directory` to create (must not exist, or be empty)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *to == "" {
		return usageError("--to: required: the directory to write the backup to")
	}
	if _, err := os.Stat(*db); err != nil {
		return usageError("--db %q: %v", *db, errors.Unwrap(err))
	}
	start := time.Now()
	res, err := app.Backup(ctx, *db, *keys, *to)
	if err != nil {
		return fmt.Errorf("--to %s: %w", *to, err)
	}
	fmt.Fprintf(std.out, "backup written to %s in %s: database (%d audit entries, head %s) and keys (%s); %s\n",
		*to, time.Since(start).Round(time.Millisecond), res.Size, res.HeadString(), strings.Join(res.Files[1:], ", "), res.CheckpointLine())
	return nil
}

// restoreCmd puts a backup in place (app.Restore), serve stopped.
func restoreCmd(ctx context.Context, args []string, std stdio) error {
	fs := newFlagSet("restore --from DIR [--db FILE] [--keys DIR] [--force]", "restore", std.err)
	db := dbFlag(fs)
	keys := keysFlag(fs)
	from := fs.String("from", "", "the backup `directory` (made by signald backup)")
	force := fs.Bool("force", false, "replace an existing database and keys (they are kept as *.before-restore-<time>)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *from == "" {
		return usageError("--from: required: the backup directory")
	}
	res, err := app.Restore(ctx, *from, *db, *keys, *force)
	if err != nil {
		return err
	}
	kdir := *keys
	if kdir == "" {
		kdir = filepath.Join(filepath.Dir(*db), "keys")
	}
	fmt.Fprintf(std.out, "restored %s and %s from %s: %d audit entries, head %s; %s\n",
		*db, kdir, *from, res.Size, res.HeadString(), res.CheckpointLine())
	return nil
}
