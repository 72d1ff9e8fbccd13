// Command signald runs Signaal: the HTTP service and the operator's commands
// (policy evaluation, audit verification, accounts). It only parses arguments
// and wires the packages together; the behaviour lives in those packages.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// stdio is what a command reads from and writes to, so tests can run the
// real commands in-process.
type stdio struct {
	in       io.Reader
	out, err io.Writer
}

// command is one subcommand of signald.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, io stdio) error
}

// commands lists the subcommands in the order `signald help` shows them.
var commands = []command{
	{name: "serve", summary: "run the HTTP service (--demo for a demo cooperation)", run: serveCmd},
	orgCommand,
	agreementCommand,
	userCommand,
	policyCommand,
	youthCommand,
	{name: "audit", summary: "verify, checkpoint or export the audit log", run: runAudit},
	retentionCommand,
	backupCommand,
	restoreCommand,
}

// errUsage marks an error in how signald was called; it exits with status 2.
var errUsage = errors.New("usage")

// usageError reports a wrong invocation with a message saying what to fix.
func usageError(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errUsage, fmt.Sprintf(format, args...))
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], stdio{in: os.Stdin, out: os.Stdout, err: os.Stderr}))
}

// run executes one subcommand and returns the process exit status:
// 0 on success, 1 on failure, 2 on a usage error.
func run(ctx context.Context, args []string, io stdio) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printUsage(io.out)
		return 0
	}
	for _, c := range commands {
		if c.name != args[0] {
			continue
		}
		if err := c.run(ctx, args[1:], io); err != nil {
			fmt.Fprintf(io.err, "signald %s: %v\n", c.name, err)
			if errors.Is(err, errUsage) {
				return 2
			}
			return 1
		}
		return 0
	}
	fmt.Fprintf(io.err, "signald: unknown command %q\n\n", args[0])
	printUsage(io.err)
	return 2
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "Usage: signald <command> [arguments]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'signald <command> -h' for the arguments of a command.")
}
