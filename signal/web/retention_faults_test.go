package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/signal"
)

// TestRetentionFaults is the fault table of issue 13 item 3: retention run
// on a wrong clock, on too much at once, and in two cooperations, through
// the real server (real SQLite file, real key store, real policy). Every
// case submits signals (acknowledged: 201) and asserts what happens to
// them: nothing acknowledged that has not expired is lost or made
// unreadable, and nothing erased comes back.
func TestRetentionFaults(t *testing.T) {
	type env struct {
		*privacyEnv
		ctx   context.Context
		today signal.Date
	}
	// dueTomorrow is the body of a signal about someone who turns 23
	// tomorrow: it expires then by the age limit.
	dueTomorrow := func(e env, name string) string {
		birth := signal.DateOf(e.today.Time().AddDate(-23, 0, 1))
		return youthBody(name, birth.String(), e.today.String(), signal.OutcomeShareFull)
	}
	fresh := func(e env, name string) string {
		return youthBody(name, "2011-04-30", e.today.String(), signal.OutcomeShareFull)
	}
	readable := func(t *testing.T, e env, who string, ids ...string) {
		t.Helper()
		for _, id := range ids {
			if st, v := e.get(who, id); st != http.StatusOK || v.Erased || v.Facts == "" {
				t.Fatalf("acknowledged signal %s as %s sees it: %d erased=%v facts=%q; want it readable", id, who, st, v.Erased, v.Facts)
			}
		}
	}
	erased := func(t *testing.T, e env, who string, ids ...string) {
		t.Helper()
		for _, id := range ids {
			if st, v := e.get(who, id); st != http.StatusOK || !v.Erased || v.Facts != "" {
				t.Fatalf("erased signal %s as %s sees it: %d erased=%v facts=%q; want the record without content", id, who, st, v.Erased, v.Facts)
			}
			if n := e.count(`SELECT count(*) FROM signals WHERE id = ? AND (length(name_ct) > 0 OR length(facts_ct) > 0 OR answers <> '{}')`, id); n != 0 {
				t.Fatalf("erased signal %s still holds content or answers in the file", id)
			}
		}
	}
	erasures := func(e env) int {
		return e.count(`SELECT count(*) FROM audit_entries WHERE action = ?`, string(signal.ActionSignalErase))
	}
	job := func(e env, limits signal.RetentionLimits) *signal.Retention {
		return signal.NewRetention(e.app.DB.Privacy(), e.keys, signal.RetentionOptions{Now: e.now, Limits: limits})
	}
	held := func(t *testing.T, err error, want signal.RetentionHold, runs []signal.RetentionRun) {
		t.Helper()
		if signal.ErrorCode(err) != signal.CodeConflict || !errors.Is(err, signal.ErrRetentionHeld) {
			t.Fatalf("run: %v; want a stop (conflict, ErrRetentionHeld)", err)
		}
		for _, r := range runs {
			if r.Held == want {
				return
			}
		}
		t.Fatalf("runs %+v; want one held by %s", runs, want)
	}

	tests := []struct {
		name string
		run  func(t *testing.T, e env)
	}{
		{"the clock two years ahead at start: the job stops, nothing is erased", func(t *testing.T, e env) {
			a := e.mustSubmit("school", fresh(e, "Anna Aa"), signal.OutcomeShareFull)
			b := e.mustSubmit("school", dueTomorrow(e, "Bram Bee"), signal.OutcomeShareFull)
			e.setClock(time.Now().AddDate(2, 0, 0))
			runs, err := job(e, signal.RetentionLimits{}).Run(e.ctx, signal.RetentionActor, signal.RetentionRequest{})
			held(t, err, signal.HoldClockAhead, runs)
			readable(t, e, "school", a.ID, b.ID)
			if n := erasures(e); n != 0 {
				t.Fatalf("%d signal.erase entries after a stopped run", n)
			}
			// A person's dry run says why too, and erases nothing.
			var due struct{ Due signal.RetentionRun }
			e.mustAPI("GET", "/api/v1/privacy/retention", nil, &due)
			if due.Due.Held != signal.HoldClockAhead || len(due.Due.Expired) != 2 {
				t.Fatalf("dry run two years ahead: %+v", due.Due)
			}
			readable(t, e, "school", a.ID, b.ID)
		}},
		{"the clock behind the newest audit entry: no run, not even confirmed", func(t *testing.T, e env) {
			a := e.mustSubmit("school", dueTomorrow(e, "Anna Aa"), signal.OutcomeShareFull)
			e.setClock(time.Now().Add(-time.Hour))
			res := e.api("POST", "/api/v1/privacy/retention/run", map[string]bool{"confirm": true})
			if res.status != http.StatusConflict || !strings.Contains(string(res.body), "earlier than the newest audit entry") {
				t.Fatalf("confirmed run an hour behind: %d %s; want 409", res.status, res.body)
			}
			_, err := job(e, signal.RetentionLimits{}).Run(e.ctx, signal.RetentionActor, signal.RetentionRequest{Confirm: true})
			if !errors.Is(err, signal.ErrRetentionHeld) {
				t.Fatalf("the job an hour behind: %v; want a stop", err)
			}
			readable(t, e, "school", a.ID)
		}},
		{"an ordinary run the next day erases what expired, as the named job", func(t *testing.T, e env) {
			a := e.mustSubmit("school", fresh(e, "Anna Aa"), signal.OutcomeShareFull)
			b := e.mustSubmit("school", dueTomorrow(e, "Bram Bee"), signal.OutcomeShareFull)
			e.setClock(time.Now().Add(24 * time.Hour))
			runs, err := job(e, signal.RetentionLimits{}).Run(e.ctx, signal.RetentionActor, signal.RetentionRequest{})
			if err != nil {
				t.Fatalf("run: %v (%+v)", err, runs)
			}
			erased(t, e, "school", b.ID)
			readable(t, e, "school", a.ID)
			if n := e.count(`SELECT count(*) FROM audit_entries WHERE action = ? AND actor_user = ?`, string(signal.ActionSignalErase), signal.RetentionActor.UserID); n != 1 {
				t.Fatalf("%d signal.erase entries by the job, want 1", n)
			}
			if n := e.count(`SELECT count(*) FROM audit_entries WHERE action = ? AND actor_user = ?`, string(signal.ActionRetentionRun), signal.RetentionActor.UserID); n != 2 {
				t.Fatalf("%d retention.run entries by the job, want one per cooperation (2)", n)
			}
			// Nothing erased comes back: a second run, a day later.
			e.setClock(time.Now().Add(48 * time.Hour))
			if _, err := job(e, signal.RetentionLimits{}).Run(e.ctx, signal.RetentionActor, signal.RetentionRequest{}); err != nil {
				t.Fatal(err)
			}
			erased(t, e, "school", b.ID)
			readable(t, e, "school", a.ID)
		}},
		{"more than a tenth of the content stops the run; --confirm erases it", func(t *testing.T, e env) {
			keep := e.mustSubmit("school", fresh(e, "Anna Aa"), signal.OutcomeShareFull)
			var due []string
			for i := range signal.DefaultShareFloor + 2 {
				due = append(due, e.mustSubmit("school", dueTomorrow(e, fmt.Sprintf("Jongere %c%c", 'A'+i/26, 'a'+i%26)), signal.OutcomeShareFull).ID)
			}
			e.setClock(time.Now().Add(24 * time.Hour))
			runs, err := job(e, signal.RetentionLimits{}).Run(e.ctx, signal.RetentionActor, signal.RetentionRequest{})
			held(t, err, signal.HoldShare, runs)
			readable(t, e, "school", append(due, keep.ID)...)
			res := e.api("POST", "/api/v1/privacy/retention/run", nil)
			if res.status != http.StatusConflict || !strings.Contains(string(res.body), "--confirm") {
				t.Fatalf("the officer's unconfirmed run: %d %s; want 409 asking to confirm", res.status, res.body)
			}
			var run signal.RetentionRun
			e.mustAPI("POST", "/api/v1/privacy/retention/run", map[string]bool{"confirm": true}, &run)
			if !run.Confirmed || run.Held != signal.HoldShare || len(run.Expired) != len(due) {
				t.Fatalf("confirmed run: %+v", run)
			}
			erased(t, e, "school", due...)
			readable(t, e, "school", keep.ID)
			if n := e.count(`SELECT count(*) FROM audit_entries WHERE action = ? AND actor_user = ?`, string(signal.ActionRetentionConfirm), e.ids["privacy"]); n != 1 {
				t.Fatalf("%d retention.confirm entries by the officer, want 1", n)
			}
		}},
		{"more young people than the limit stops the run; confirmed it erases them", func(t *testing.T, e env) {
			keep := e.mustSubmit("school", fresh(e, "Anna Aa"), signal.OutcomeShareFull)
			var due []string
			for _, name := range []string{"Bram Bee", "Cees Cee", "Dirk Dee"} {
				due = append(due, e.mustSubmit("school", dueTomorrow(e, name), signal.OutcomeShareFull).ID)
			}
			e.setClock(time.Now().Add(24 * time.Hour))
			r := job(e, signal.RetentionLimits{MaxYoungPeople: 2})
			runs, err := r.Run(e.ctx, signal.RetentionActor, signal.RetentionRequest{})
			held(t, err, signal.HoldYoungPeople, runs)
			readable(t, e, "school", append(due, keep.ID)...)
			if _, err := r.Run(e.ctx, signal.Actor{UserID: "cli", Role: signal.RoleSystem}, signal.RetentionRequest{Confirm: true}); err != nil {
				t.Fatal(err)
			}
			erased(t, e, "school", due...)
			readable(t, e, "school", keep.ID)
		}},
		{"a privacy officer's run is their cooperation's, under their name", func(t *testing.T, e env) {
			mine := e.mustSubmit("school", dueTomorrow(e, "Anna Aa"), signal.OutcomeShareFull)
			theirs := e.mustSubmit("elsewhere", dueTomorrow(e, "Anna Aa"), signal.OutcomeShareFull)
			e.setClock(time.Now().Add(24 * time.Hour))
			var due struct{ Due signal.RetentionRun }
			e.mustAPI("GET", "/api/v1/privacy/retention", nil, &due)
			if len(due.Due.Expired) != 1 || due.Due.Expired[0].SignalID != mine.ID {
				t.Fatalf("the officer's dry run lists %+v; want only %s of their cooperation", due.Due.Expired, mine.ID)
			}
			var run signal.RetentionRun
			e.mustAPI("POST", "/api/v1/privacy/retention/run", nil, &run)
			erased(t, e, "school", mine.ID)
			readable(t, e, "elsewhere", theirs.ID)
			if n := e.count(`SELECT count(*) FROM audit_entries WHERE action = ? AND actor_user = ? AND object = ?`,
				string(signal.ActionSignalErase), e.ids["privacy"], "signal/"+mine.ID); n != 1 {
				t.Fatalf("%d signal.erase entries under the officer, want 1", n)
			}
			if n := e.count(`SELECT count(*) FROM audit_entries WHERE actor_user = ? AND object LIKE ?`, e.ids["privacy"], "%"+theirs.ID+"%"); n != 0 {
				t.Fatalf("the officer's run touched the other cooperation's signal (%d entries)", n)
			}
			// The young person has a signal with content left elsewhere:
			// the key stays, and the other cooperation's job erases it.
			if _, err := job(e, signal.RetentionLimits{}).Run(e.ctx, signal.RetentionActor, signal.RetentionRequest{}); err != nil {
				t.Fatal(err)
			}
			erased(t, e, "elsewhere", theirs.ID)
			erased(t, e, "school", mine.ID)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pe := newPrivacyEnv(t)
			tt.run(t, env{privacyEnv: pe, ctx: context.Background(), today: signal.Today(time.Now())})
		})
	}
}
