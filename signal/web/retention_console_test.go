package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/web/browsertest"
)

// retentionSite is a cooperation whose signals expire at known days: Bram
// (two signals, day 10), a group of 22 young people (day 20), Cas (day 40),
// Dirk (day 100, past the 90 days shown), Anna (in two years); and Eva in
// another cooperation (day 5). Each expires by the age limit: born 23 years
// before that day.
type retentionSite struct {
	*privacyEnv
	today signal.Date
	sigs  map[string][]string // name -> signal ids
}

func newRetentionSite(t *testing.T) *retentionSite {
	t.Helper()
	pe := newPrivacyEnv(t)
	rs := &retentionSite{privacyEnv: pe, today: signal.Today(pe.now()), sigs: map[string][]string{}}
	submit := func(who, name string, dueIn int) {
		birth := signal.DateOf(rs.today.Time().AddDate(-23, 0, dueIn))
		if dueIn < 0 {
			birth = signal.DateOf(rs.today.Time().AddDate(-15, 0, 0))
		}
		s := pe.mustSubmit(who, youthBody(name, birth.String(), rs.today.String(), signal.OutcomeShareFull), signal.OutcomeShareFull)
		rs.sigs[name] = append(rs.sigs[name], s.ID)
	}
	submit("school", "Bram Bee", 10)
	submit("youthwork", "Bram Bee", 10)
	for i := range 22 {
		submit("school", fmt.Sprintf("Groep Jongere %d", i), 20)
	}
	submit("school", "Cas Cee", 40)
	submit("school", "Dirk Dee", 100)
	submit("school", "Anna Aa", -1)
	submit("elsewhere", "Eva Elders", 5)
	return rs
}

func (rs *retentionSite) schedule() signal.RetentionSchedule {
	rs.t.Helper()
	var sch signal.RetentionSchedule
	rs.mustAPI("GET", "/api/v1/privacy/retention/schedule", nil, &sch)
	return sch
}

// due returns the young people of the schedule by pseudonym.
func (rs *retentionSite) due(sch signal.RetentionSchedule) map[string]signal.YouthDue {
	out := map[string]signal.YouthDue{}
	for _, y := range sch.Youths {
		out[y.Youth] = y
	}
	return out
}

// TestRetentionConsoleAcrossTime: the privacy officer's retention page
// shows what becomes due in the next 90 days per young person (pseudonym,
// count, day, why: no name), in their own cooperation only; as the clock
// moves past a due date and the hourly job runs, the young person leaves
// the list and the run shows in the log (the job, when, how many); when
// the share due at once is too large the job stops, and so does the
// officer's own run, each on the log with the safeguard; the officer's
// confirmation erases and is on the log as confirmed by them; the log
// survives a restart.
func TestRetentionConsoleAcrossTime(t *testing.T) {
	rs := newRetentionSite(t)
	ctx := context.Background()
	bram, cas, dirk, eva := rs.lookup("Bram Bee", rs.today.Time().AddDate(-23, 0, 10).Format("2006-01-02")),
		rs.lookup("Cas Cee", rs.today.Time().AddDate(-23, 0, 40).Format("2006-01-02")),
		rs.lookup("Dirk Dee", rs.today.Time().AddDate(-23, 0, 100).Format("2006-01-02")),
		rs.lookup("Eva Elders", rs.today.Time().AddDate(-23, 0, 5).Format("2006-01-02"))

	sch := rs.schedule()
	due := rs.due(sch)
	if len(sch.Youths) != 24 || sch.Signals != 25 {
		t.Fatalf("due in 90 days: %d young people, %d signals; want 24 (Bram, the group, Cas) and 25", len(sch.Youths), sch.Signals)
	}
	if b := due[bram]; b.Signals != 2 || len(b.Days) != 1 || b.Days[0].On != signal.DateOf(rs.today.Time().AddDate(0, 0, 10)) ||
		b.Days[0].Reason != signal.ErasureAgeLimit || b.Now {
		t.Fatalf("Bram's due: %+v", b)
	}
	if c := due[cas]; c.Signals != 1 || c.Days[0].On != signal.DateOf(rs.today.Time().AddDate(0, 0, 40)) {
		t.Fatalf("Cas's due: %+v", c)
	}
	if _, ok := due[dirk]; ok {
		t.Fatal("Dirk (day 100) is listed within 90 days")
	}
	if _, ok := due[eva]; ok {
		t.Fatal("another cooperation's young person is listed")
	}
	if sch.Youths[0].Youth != bram {
		t.Fatalf("the list does not start with the earliest due: %+v", sch.Youths[0])
	}
	b := newBrowserClient(t, rs.url)
	b.login(rs.users[signal.RolePrivacyOfficer].Email)
	page := b.get("/privacy/bewaren")
	if page.status != http.StatusOK || !strings.Contains(page.body, ReadablePseudonym(bram)) {
		t.Fatalf("the page (%d) does not list Bram by pseudonym", page.status)
	}
	for _, never := range []string{"Bram", "Cas Cee", "Groep Jongere", "Komt al weken", rs.today.Time().AddDate(-23, 0, 10).Format("2006-01-02")} {
		if strings.Contains(page.body, never) {
			t.Errorf("the retention page shows %q", never)
		}
	}

	// The clock moves; the job runs every three days (a run more than four
	// days after the last stops: the clock safeguard).
	job := func(stage string) error {
		t.Helper()
		_, err := rs.app.Retention.Run(ctx, signal.RetentionActor, signal.RetentionRequest{})
		return err
	}
	for day := 3; day <= 18; day += 3 {
		rs.setClock(rs.now().Add(72 * time.Hour))
		if err := job(fmt.Sprintf("day %d", day)); err != nil {
			t.Fatalf("day %d: the job: %v", day, err)
		}
	}
	sch = rs.schedule()
	due = rs.due(sch)
	if _, ok := due[bram]; ok {
		t.Fatalf("day 18: Bram (due day 10) is still listed: %+v", due[bram])
	}
	if len(sch.Runs) != 1 || !sch.Runs[0].ByJob() || sch.Runs[0].Erased != 2 || sch.Runs[0].YoungPeople != 1 || sch.Runs[0].KeysErased != 1 || sch.Runs[0].Held != "" {
		t.Fatalf("day 18: the run log %+v; want the job's run of day 12 that erased Bram's 2 signals and key", sch.Runs)
	}
	if want := signal.DateOf(rs.today.Time().AddDate(0, 0, 12)); signal.DateOf(sch.Runs[0].At.In(time.Local)) != want && signal.DateOf(sch.Runs[0].At) != want {
		t.Errorf("the run is logged at %s, want day 12 (%s)", sch.Runs[0].At, want)
	}
	for _, id := range rs.sigs["Bram Bee"] {
		if _, v := rs.get("coordinator", id); !v.Erased {
			t.Fatalf("Bram's signal %s is not erased", id)
		}
	}
	if sch.LastRun == nil || sch.LastRun.Before(rs.now().Add(-time.Minute)) {
		t.Errorf("the last run %v is not the job's of today", sch.LastRun)
	}

	// Day 21: the group of 22 is due at once, more than a tenth of the
	// content: the job stops, and so does the officer's run; nothing goes.
	rs.setClock(rs.now().Add(72 * time.Hour))
	if err := job("day 21"); signal.ErrorCode(err) != signal.CodeConflict {
		t.Fatalf("day 21: the job: %v; want it stopped by the share", err)
	}
	if r := b.post("/privacy/bewaren", url.Values{}); r.status != http.StatusSeeOther {
		t.Fatalf("the officer's run: %d", r.status)
	}
	sch = rs.schedule()
	if sch.NextRun.Held != signal.HoldShare || sch.NextErases != 22 {
		t.Fatalf("day 21: a run now %+v (%d); want 22 held by the share", sch.NextRun, sch.NextErases)
	}
	if len(sch.Runs) != 3 {
		t.Fatalf("day 21: %d runs logged, want the job's erasure, its stop and the officer's stop: %+v", len(sch.Runs), sch.Runs)
	}
	officerStop, jobStop := sch.Runs[0], sch.Runs[1]
	if !jobStop.ByJob() || jobStop.Held != signal.HoldShare || jobStop.Erased != 0 || jobStop.YoungPeople != 0 || jobStop.Due != 22 || jobStop.Confirmed {
		t.Errorf("the job's stop: %+v", jobStop)
	}
	if officerStop.ByUser != rs.ids["privacy"] || officerStop.ByName == "" || officerStop.Held != signal.HoldShare || officerStop.Erased != 0 {
		t.Errorf("the officer's stop: %+v", officerStop)
	}
	for _, id := range rs.sigs["Groep Jongere 0"] {
		if _, v := rs.get("school", id); v.Erased {
			t.Fatal("a stopped run erased")
		}
	}
	page = b.get("/privacy/bewaren")
	for _, want := range []string{"te groot deel van de inhoud", "Een veiligheidsgrens houdt het wissen tegen", `name="confirm"`} {
		if !strings.Contains(page.body, want) {
			t.Errorf("day 21: the page lacks %q", want)
		}
	}

	// The officer confirms: the group goes, on the log as confirmed by them.
	if r := b.post("/privacy/bewaren", url.Values{"confirm": {"yes"}}); r.status != http.StatusSeeOther {
		t.Fatalf("the confirmed run: %d", r.status)
	}
	rs.restart()
	sch = rs.schedule()
	if len(sch.Runs) != 4 {
		t.Fatalf("after a restart %d runs logged, want 4", len(sch.Runs))
	}
	confirmed := sch.Runs[0]
	if confirmed.ByUser != rs.ids["privacy"] || !confirmed.Confirmed || confirmed.Held != signal.HoldShare || confirmed.Erased != 22 || confirmed.YoungPeople != 22 {
		t.Fatalf("the confirmed run: %+v", confirmed)
	}
	// Day 21: the 90 days now reach Dirk's day 100.
	due = rs.due(sch)
	if len(due) != 2 || due[cas].Signals != 1 || due[dirk].Signals != 1 {
		t.Fatalf("after the confirmed run the list is %+v; want Cas, and Dirk now within 90 days", sch.Youths)
	}
	b = newBrowserClient(t, rs.url)
	b.login(rs.users[signal.RolePrivacyOfficer].Email)
	page = b.get("/privacy/bewaren")
	if !strings.Contains(page.body, "bevestigd voorbij de grens") || !strings.Contains(page.body, "het automatische wissen") {
		t.Errorf("the page after a restart does not show the confirmed run and the job's")
	}
	// Every run and stop is in the audit log too, by who started it.
	for action, want := range map[signal.AuditAction]int{signal.ActionRetentionHold: 2, signal.ActionRetentionConfirm: 1} {
		if n := rs.count(`SELECT count(*) FROM audit_entries WHERE action = ? AND object LIKE 'cooperation/%/share'`, string(action)); n != want {
			t.Errorf("%d %s entries, want %d", n, action, want)
		}
	}
}

// TestBrowserRetentionPage: the retention page in Chromium, Dutch and
// English, with a run stopped by a safeguard on its log: axe finds nothing.
func TestBrowserRetentionPage(t *testing.T) {
	if testing.Short() {
		t.Skip("a real browser; skipped with -short")
	}
	rs := newRetentionSite(t)
	for day := 3; day <= 21; day += 3 {
		rs.setClock(rs.now().Add(72 * time.Hour))
		rs.app.Retention.Run(context.Background(), signal.RetentionActor, signal.RetentionRequest{}) // day 21 stops
	}
	p := browserLogin(t, rs.url, rs.users[signal.RolePrivacyOfficer].Email, browsertest.Laptop)
	p.ClickAndWait(browsertest.Name("Bewaren en wissen"), browsertest.CSS("#due-title"))
	text := p.Text(browsertest.CSS("main"))
	for _, want := range []string{"Een veiligheidsgrens houdt het wissen tegen", "tegengehouden: te groot deel van de inhoud; niets gewist (er zouden 22 meldingen weggaan)", "het automatische wissen", "jongere wordt 23"} {
		if !strings.Contains(text, want) {
			t.Errorf("the page reads %.400q…, lacks %q", text, want)
		}
	}
	p.AssertAccessible()
	p.Screenshot("retention-nl")
	p.ClickAndWait(browsertest.Name("English"), browsertest.CSS("#due-title"))
	if text := p.Text(browsertest.CSS("main")); !strings.Contains(text, "A safeguard stops the erasure") || !strings.Contains(text, "young person turns 23") {
		t.Errorf("the English page reads %.400q", text)
	}
	p.AssertAccessible()
	p.Screenshot("retention-en")
	// The dashboard links to it.
	p.Goto(rs.url+"/privacy", browsertest.CSS("#esc-overdue"))
	p.AssertAccessible()
	p.Screenshot("dashboard-en")
}
