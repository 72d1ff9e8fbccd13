package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/term"

	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/app"
)

// cliActor is who the audit log names for changes made with signald's
// account commands: the operator at the server's shell.
var cliActor = signal.Actor{UserID: "cli", Role: signal.RoleSystem}

// subcommand runs one of a command's subcommands (`signald org add`).
type subcommand struct {
	name, summary string
	run           func(ctx context.Context, args []string, std stdio) error
}

func dispatch(cmd string, subs []subcommand) func(ctx context.Context, args []string, std stdio) error {
	return func(ctx context.Context, args []string, std stdio) error {
		if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
			fmt.Fprintf(std.out, "Usage: signald %s <subcommand> [flags]\n\nSubcommands:\n", cmd)
			for _, s := range subs {
				fmt.Fprintf(std.out, "  %-10s %s\n", s.name, s.summary)
			}
			if len(args) == 0 {
				return usageError("name a subcommand")
			}
			return nil
		}
		for _, s := range subs {
			if s.name == args[0] {
				err := s.run(ctx, args[1:], std)
				if errors.Is(err, flag.ErrHelp) {
					return nil
				}
				return err
			}
		}
		return usageError("unknown subcommand %q of %s", args[0], cmd)
	}
}

func newFlagSet(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: signald %s\n\nFlags:\n", usage)
		fs.PrintDefaults()
	}
	return fs
}

func dbFlag(fs *flag.FlagSet) *string {
	return fs.String("db", envOr("SIGNAAL_DB", filepath.Join("data", "signaal.db")), "SQLite database `file` (SIGNAAL_DB)")
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError("%v", err)
	}
	if fs.NArg() > 0 {
		return usageError("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

// openExisting opens the database for an account command, with the account
// use cases over it. The database must exist: a typo in --db should not
// create an empty one.
func openExisting(ctx context.Context, path string) (*app.App, *signal.Accounts, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, nil, usageError("--db %q: no database there (start `signald serve` once to create it)", path)
	}
	a, err := app.Open(ctx, app.Options{DB: path, Parts: app.Database})
	if err != nil {
		return nil, nil, err
	}
	return a, a.Accounts, nil
}

// fieldUsage turns field problems into a message naming the flags.
func fieldUsage(err error) error {
	var se *signal.Error
	if !errors.As(err, &se) || se.Code != signal.CodeInvalid || len(se.Fields) == 0 {
		return err
	}
	var b strings.Builder
	for i, f := range se.Fields {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "--%s: %s", strings.ReplaceAll(f.Field, ".", "-"), f.Problem)
	}
	return usageError("%s", b.String())
}

// readPassword reads a new password from stdin: on a terminal it prompts
// twice without echo; otherwise it reads the first line (for scripts:
// `printf '%s\n' "$PW" | signald user add …`). Never a flag: flags end up in
// shell history and in every user's `ps`.
func readPassword(std stdio) (string, error) {
	if f, ok := std.in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(std.err, "Password: ")
		a, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(std.err)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		fmt.Fprint(std.err, "Password again: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(std.err)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		if string(a) != string(b) {
			return "", usageError("the passwords differ")
		}
		return string(a), nil
	}
	line, err := bufio.NewReader(io.LimitReader(std.in, 1024)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password from stdin: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}
