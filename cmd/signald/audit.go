package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/signaal-nl/signaal/audit"
	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/app"
	"golang.org/x/mod/sumdb/note"
)

// The audit commands are the use cases of signal.AuditLog, which
// app.OpenAuditLog builds over the database file alone, so a privacy
// officer or an operator can check the log without the service running.
// Why they are not themselves audited is said there. The key files (the
// checkpoint key and its public key) are the operator's to name, so they
// are read here.

const auditDefaultDB = "data/signaal.db"

var auditCommands = []struct {
	name, summary string
	run           func(ctx context.Context, args []string, io stdio) error
}{
	{"verify", "check that no entry was altered, removed, inserted or reordered", auditVerify},
	{"checkpoint", "sign the log's size and head hash; store the output elsewhere", auditCheckpoint},
	{"export", "stream entries as jsonl or csv for archiving", auditExport},
	{"rotate-key", "replace the checkpoint signing key; the old public key stays trusted", auditRotateKey},
}

// runAudit dispatches `signald audit <subcommand>`.
func runAudit(ctx context.Context, args []string, io stdio) error {
	if len(args) == 0 {
		auditUsage(io.err)
		return usageError("missing subcommand: verify, checkpoint, export or rotate-key")
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		auditUsage(io.out)
		return nil
	}
	for _, c := range auditCommands {
		if c.name == args[0] {
			return c.run(ctx, args[1:], io)
		}
	}
	return usageError("unknown subcommand %q: want verify, checkpoint, export or rotate-key", args[0])
}

func auditUsage(w io.Writer) {
	fmt.Fprintln(w, "Usage: signald audit <subcommand> [flags]")
	fmt.Fprintln(w)
	for _, c := range auditCommands {
		fmt.Fprintf(w, "  %-11s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'signald audit <subcommand> -h' for its flags.")
}

// auditFlagSet returns a flag set that reports errors as usage errors and
// prints its usage on -h.
func auditFlagSet(name, synopsis string, io stdio) *flag.FlagSet {
	flags := flag.NewFlagSet(name, flag.ContinueOnError)
	flags.Usage = func() {
		fmt.Fprintf(io.out, "Usage: signald audit %s %s\n\n", name, synopsis)
		flags.SetOutput(io.out)
		flags.PrintDefaults()
	}
	return flags
}

// auditParseFlags parses args; -h is not an error (errAuditHelp), other problems are
// usage errors, and positional arguments are refused.
func auditParseFlags(flags *flag.FlagSet, args []string) error {
	// Parse errors are reported once, by run, and the usage only on -h.
	flags.SetOutput(io.Discard)
	usage := flags.Usage
	flags.Usage = func() {}
	err := flags.Parse(args)
	flags.Usage = usage
	if errors.Is(err, flag.ErrHelp) {
		return errAuditHelp
	}
	if err != nil {
		return usageError("%v (run 'signald audit %s -h')", err, flags.Name())
	}
	if flags.NArg() > 0 {
		return usageError("unexpected argument %q (flags take the form --db PATH)", flags.Arg(0))
	}
	return nil
}

// errAuditHelp ends a command after -h printed its usage; it is not a failure.
var errAuditHelp = errors.New("help requested")

// auditDefaultKey is the default checkpoint key path for a database file:
// in the service's keys directory, SIGNAAL_KEYS or else keys/ next to the
// database, so the command and the service never make two different keys.
func auditDefaultKey(db string) string {
	if dir := os.Getenv("SIGNAAL_KEYS"); dir != "" {
		return filepath.Join(dir, audit.CheckpointKeyFile)
	}
	return filepath.Join(filepath.Dir(db), "keys", audit.CheckpointKeyFile)
}

// auditExistingDB fails with a clear message when there is no file at path, so a
// typo never creates an empty database.
func auditExistingDB(path string) error {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("no database at %s (give --db PATH)", path)
	}
	if err != nil {
		return err
	}
	if st.IsDir() {
		return fmt.Errorf("%s is a directory, not a database file", path)
	}
	return nil
}

func auditVerify(ctx context.Context, args []string, io stdio) error {
	flags := auditFlagSet("verify", "--db PATH [--checkpoint FILE] [--public-key FILE | --key FILE]", io)
	db := flags.String("db", auditDefaultDB, "the database `PATH`")
	cpFile := flags.String("checkpoint", "", "a signed checkpoint `FILE` the log must still contain (the output of signald audit checkpoint)")
	pubFile := flags.String("public-key", "", "the checkpoint key's public key `FILE` (default: derived from --key)")
	keyFile := flags.String("key", "", "the checkpoint signing key `FILE` (default $SIGNAAL_KEYS/ or <dir of db>/keys/"+audit.CheckpointKeyFile+")")
	if err := auditParseFlags(flags, args); err != nil {
		return auditHelpOrErr(flags, err)
	}
	if err := auditExistingDB(*db); err != nil {
		return err
	}
	verifier, err := auditLoadVerifier(*pubFile, *keyFile, *db)
	if err != nil {
		return err
	}
	// Earlier keys, rotated out, stay trusted for what they signed.
	trustedFrom := *keyFile
	if trustedFrom == "" {
		trustedFrom = auditDefaultKey(*db)
	}
	trusted, err := audit.LoadTrusted(trustedFrom)
	if err != nil {
		return err
	}
	if *cpFile != "" && verifier == nil {
		return usageError("--checkpoint: no public key to check its signature with: give --public-key FILE (the .pub file next to the signing key) or --key FILE")
	}
	log := app.OpenAuditLog(*db, app.AuditLogOptions{Verifier: verifier, Trusted: trusted})
	var given []signal.AuditCheckpoint
	var cp signal.AuditCheckpoint
	if *cpFile != "" {
		msg, err := os.ReadFile(*cpFile)
		if err != nil {
			return fmt.Errorf("--checkpoint: %w", err)
		}
		if cp, err = log.OpenCheckpoint(ctx, cliActor, msg); err != nil {
			return fmt.Errorf("--checkpoint %s: %w", *cpFile, err)
		}
		given = []signal.AuditCheckpoint{cp}
	}
	res, err := log.Verify(ctx, cliActor, given)
	if err != nil {
		return err
	}
	if !res.Intact {
		return errors.New(res.Problem)
	}
	line := fmt.Sprintf("audit log intact: %d entries, head %s, verified at %s entries/s", res.Size, res.Head, auditRate(auditVerifyRate(res)))
	if *cpFile != "" {
		line += fmt.Sprintf(", contains the checkpoint of %s (%d entries)", cp.Time.Format(time.RFC3339), cp.Size)
	}
	if res.Anchors > 0 && verifier != nil {
		line += fmt.Sprintf(", signed checkpoints matched: %d", res.Anchors)
	}
	fmt.Fprintln(io.out, line)
	for _, u := range res.Untrusted {
		fmt.Fprintf(io.out, "note: stored checkpoint %d (%d entries) is signed by a key you do not trust (%s): not used; if it was yours, add its public key to %s\n",
			u.ID, u.Size, u.Keys, audit.TrustedKeysPath(trustedFrom))
	}
	return nil
}

// auditLoadVerifier finds the public key: --public-key, else derived from
// --key, else from the default key or its .pub file; nil if none exists
// and none was asked for.
func auditLoadVerifier(pubFile, keyFile, db string) (note.Verifier, error) {
	if pubFile != "" {
		b, err := os.ReadFile(pubFile)
		if err != nil {
			return nil, fmt.Errorf("--public-key: %w", err)
		}
		v, err := audit.NewVerifier(string(b))
		if err != nil {
			return nil, fmt.Errorf("--public-key %s: %w", pubFile, err)
		}
		return v, nil
	}
	explicit := keyFile != ""
	if !explicit {
		keyFile = auditDefaultKey(db)
	}
	_, vkey, err := audit.LoadKey(keyFile)
	if err == nil {
		return audit.NewVerifier(vkey)
	}
	if explicit {
		return nil, fmt.Errorf("--key: %w", err)
	}
	if b, err := os.ReadFile(audit.PublicKeyPath(keyFile)); err == nil {
		return audit.NewVerifier(string(b))
	}
	return nil, nil
}

// auditVerifyRate is the entries hashed per second.
func auditVerifyRate(v signal.AuditVerification) float64 {
	if v.Elapsed <= 0 {
		return 0
	}
	return float64(v.Hashed) / v.Elapsed.Seconds()
}

func auditRate(r float64) string {
	switch {
	case r >= 1e6:
		return fmt.Sprintf("%.1fM", r/1e6)
	case r >= 1e3:
		return fmt.Sprintf("%.0fk", r/1e3)
	default:
		return fmt.Sprintf("%.0f", r)
	}
}

func auditCheckpoint(ctx context.Context, args []string, io stdio) error {
	flags := auditFlagSet("checkpoint", "--db PATH [--key FILE]", io)
	db := flags.String("db", auditDefaultDB, "the database `PATH`")
	keyFile := flags.String("key", "", "the checkpoint signing key `FILE`, created on first use (default $SIGNAAL_KEYS/ or <dir of db>/keys/"+audit.CheckpointKeyFile+")")
	if err := auditParseFlags(flags, args); err != nil {
		return auditHelpOrErr(flags, err)
	}
	if err := auditExistingDB(*db); err != nil {
		return err
	}
	if err := app.CheckAuditLog(ctx, *db, true); err != nil {
		return err // before a key is made for a log it cannot sign
	}
	if *keyFile == "" {
		*keyFile = auditDefaultKey(*db)
	}
	_, statErr := os.Stat(*keyFile)
	signer, _, err := audit.LoadOrCreateKey(*keyFile, app.CheckpointKeyName())
	if err != nil {
		return err
	}
	if errors.Is(statErr, fs.ErrNotExist) {
		fmt.Fprintf(io.err, "signald audit checkpoint: created signing key %s; give its public key %s to whoever keeps the checkpoints\n", *keyFile, audit.PublicKeyPath(*keyFile))
	}
	// It writes: not beside a running serve (which checkpoints itself, and
	// from the privacy console); the audit log takes the owner lock.
	cp, err := app.OpenAuditLog(*db, app.AuditLogOptions{Signer: signer}).Checkpoint(ctx, cliActor)
	if err != nil {
		return err
	}
	_, err = io.out.Write([]byte(cp.Note))
	return err
}

// auditRotateKey replaces the checkpoint signing key. The old public key
// goes to checkpoint-trusted.pub first, so verify goes on trusting the
// checkpoints it signed. Not while serve runs: it signs with the key it
// loaded at start.
func auditRotateKey(ctx context.Context, args []string, io stdio) error {
	flags := auditFlagSet("rotate-key", "--db PATH [--key FILE]", io)
	db := flags.String("db", auditDefaultDB, "the database `PATH` whose checkpoints the key signs")
	keyFile := flags.String("key", "", "the checkpoint signing key `FILE` (default $SIGNAAL_KEYS/ or <dir of db>/keys/"+audit.CheckpointKeyFile+")")
	if err := auditParseFlags(flags, args); err != nil {
		return auditHelpOrErr(flags, err)
	}
	if err := auditExistingDB(*db); err != nil {
		return err
	}
	if *keyFile == "" {
		*keyFile = auditDefaultKey(*db)
	}
	release, err := app.Lock(*db, "audit rotate-key")
	if err != nil {
		return err
	}
	defer release()
	oldKey, newKey, err := audit.RotateKey(*keyFile, app.CheckpointKeyName())
	if err != nil {
		return err
	}
	fmt.Fprintf(io.out, "rotated the checkpoint key %s\n  old public key (still trusted, in %s): %s\n  new public key (%s): %s\n",
		*keyFile, audit.TrustedKeysPath(*keyFile), oldKey, audit.PublicKeyPath(*keyFile), newKey)
	return nil
}

func auditExport(ctx context.Context, args []string, io stdio) error {
	flags := auditFlagSet("export", "--db PATH [--since T] [--format jsonl|csv]", io)
	db := flags.String("db", auditDefaultDB, "the database `PATH`")
	since := flags.String("since", "", "only entries at or after `T`: RFC 3339 (2026-11-22T09:00:00Z) or a date (2026-11-22, from midnight UTC)")
	format := flags.String("format", "jsonl", "the output `FORMAT`: jsonl or csv")
	if err := auditParseFlags(flags, args); err != nil {
		return auditHelpOrErr(flags, err)
	}
	f := signal.AuditFormat(*format)
	if f != signal.AuditJSONL && f != signal.AuditCSV {
		return usageError("--format: want jsonl or csv, got %q", *format)
	}
	var t time.Time
	if *since != "" {
		var err error
		if t, err = auditParseSince(*since); err != nil {
			return err
		}
	}
	if err := auditExistingDB(*db); err != nil {
		return err
	}
	_, err := app.OpenAuditLog(*db, app.AuditLogOptions{}).Export(ctx, cliActor, t, io.out, f)
	return err
}

func auditParseSince(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, usageError("--since: want an RFC 3339 time (2026-11-22T09:00:00Z) or a date (2026-11-22), got %q", s)
}

// auditHelpOrErr prints the usage for -h and ends without error; it passes
// other errors on.
func auditHelpOrErr(flags *flag.FlagSet, err error) error {
	if errors.Is(err, errAuditHelp) {
		flags.Usage()
		return nil
	}
	return err
}
