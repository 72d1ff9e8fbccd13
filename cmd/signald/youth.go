package main

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/app"
)

var youthCommand = command{
	name:    "youth",
	summary: "erase what is recorded about a young person, inside a registered request",
	run: dispatch("youth", []subcommand{
		{name: "erase", summary: "answer a registered erasure request: show what goes, then erase it", run: youthErase},
	}),
}

// requestIDPattern is the shape of a request id (signal.NewID("req")).
var requestIDPattern = regexp.MustCompile(`^req_[a-z2-7]{16}$`)

// youthNeedsRequest is what the operator reads when they try to erase
// outside a registered request: what to do instead.
const youthNeedsRequest = "erasure on request (AVG art. 17) answers a registered request: the privacy officer registers it in the console " +
	"(Privacy > Verzoeken, or POST /api/v1/privacy/access-requests) and erases there; at the server's shell run " +
	"`signald youth erase --request req_…` to see what would go, then the same with --confirm FINGERPRINT"

// youthErase answers a registered erasure request (AVG art. 17) at the
// server's shell, as the privacy officer's console does
// (signal.Privacy.ErasurePlan, then EraseOnRequest): without --confirm it
// shows what would go, counted per kind, and the plan's fingerprint; with
// --confirm FINGERPRINT it erases exactly that, or nothing when anything
// changed since. The erasure covers the request's young person in the
// request's cooperation; the young person's data key goes when nothing is
// left anywhere. There is no erasure by ref alone: --ref is refused with
// what to do instead. Every step is audited under the operator.
func youthErase(ctx context.Context, args []string, std stdio) error {
	fs := newFlagSet("youth erase --request REQ [--confirm FINGERPRINT] [--reason REASON] [--db FILE] [--keys DIR]", "youth erase", std.err)
	db := dbFlag(fs)
	keys := fs.String("keys", envOr("SIGNAAL_KEYS", ""), "keys `directory` (SIGNAAL_KEYS; default: keys/ next to the database)")
	request := fs.String("request", "", "the registered request (`req_…`) the erasure answers")
	confirm := fs.String("confirm", "", "the plan's `fingerprint`, as this command without --confirm shows it: erase exactly that")
	ref := fs.String("ref", "", "no longer accepted: erasure needs a registered request (--request)")
	var reasons []string
	for _, r := range signal.RequestErasureReasons {
		reasons = append(reasons, string(r))
	}
	reason := fs.String("reason", string(signal.ErasureDataSubjectRequest), "why (AVG art. 17(1)): "+strings.Join(reasons, ", "))
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case *request == "" && *ref != "":
		return usageError("--ref: %s", youthNeedsRequest)
	case *request == "":
		return usageError("--request is required: %s", youthNeedsRequest)
	case !requestIDPattern.MatchString(*request):
		return usageError("--request %q: want a request id (req_ and 16 characters), as the console shows it", *request)
	}
	if *keys == "" {
		*keys = filepath.Join(filepath.Dir(*db), "keys")
	}
	a, err := app.Open(ctx, app.Options{DB: *db, Keys: *keys, Parts: app.Database | app.YouthKeys})
	if err != nil {
		return err
	}
	defer a.Close()
	if *confirm == "" {
		plan, err := a.Privacy.ErasurePlan(ctx, cliActor, *request)
		if err != nil {
			return youthEraseError(err, *request)
		}
		g := plan.Goes
		fmt.Fprintf(std.out, "Request %s: an erasure would take away\n", plan.Request)
		for _, row := range []struct {
			n    int
			what string
		}{{g.Signals, "signals with content"}, {g.Versions, "texts per level"}, {g.Cases, "cases (their meeting texts)"},
			{g.Leads, "lead professionals named"}, {g.Actions, "actions"}, {g.Decisions, "decisions"}, {g.Matches, "match answers"},
			{g.Minutes, "minutes mentioning them"}, {g.Notices, "e-mail notices"}} {
			fmt.Fprintf(std.out, "  %5d %s\n", row.n, row.what)
		}
		fmt.Fprintf(std.out, "The %d audit entries about them stay (without content).\n", plan.AuditEntries)
		fmt.Fprintf(std.out, "To erase exactly this: signald youth erase --request %s --reason %s --confirm %s\n", plan.Request, *reason, plan.Fingerprint)
		return nil
	}
	ans, err := a.Privacy.EraseOnRequest(ctx, cliActor, *request, signal.ErasureReason(*reason), *confirm)
	if err != nil {
		return youthEraseError(err, *request)
	}
	fmt.Fprintf(std.out, "Erased under request %s: %d signals and what the meetings recorded about the young person; audit entry %d. "+
		"A running server stops opening the content within a minute.\n", ans.Request, ans.Counts.Signals, ans.AuditSeq)
	return nil
}

// youthEraseError says what an operator does about a refused erasure.
func youthEraseError(err error, request string) error {
	switch signal.ErrorCode(err) {
	case signal.CodeNotFound:
		return fmt.Errorf("no registered request %s: check the id in the console (Privacy > Verzoeken)", request)
	case signal.CodeConflict:
		return fmt.Errorf("request %s: %w", request, err)
	}
	return fieldUsage(err)
}
