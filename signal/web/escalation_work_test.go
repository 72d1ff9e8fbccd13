package web

import (
	"bytes"
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/signal"
)

// TestEscalationIsASmallWorkflow: the officer takes an escalation, gives
// advice, decides and keeps a note; the work is there after a restart,
// with the owner by name and its age; closing without a decision or
// giving it to someone who is no privacy officer is refused naming the
// field; the advice and the note never reach the audit log, and are wiped
// when the young person is erased.
func TestEscalationIsASmallWorkflow(t *testing.T) {
	pe := newPrivacyEnv(t)
	today := signal.Today(time.Now()).String()
	radical := fmt.Sprintf(`{"youth": {"name": "Rami", "birth_date": "2009-02-02"}, "category": "radicalisation",
		"facts": "Deelt filmpjes.", "observed_on": %q, "answers": {"purpose": "radicalisation_concern",
		"consent": {"youth": "not_asked", "parents": "not_applicable", "recorded": false},
		"risk": {"acute_danger": false, "harm": "possible", "asking_endangers": false},
		"abuse": {"suspected": false}, "legal_duty": false}}`, today)
	res, _ := pe.submit("school", radical)
	if res.status != http.StatusCreated {
		t.Fatalf("radicalisation signal: %d %s", res.status, res.body)
	}
	var q struct{ Escalations []signal.Escalation }
	pe.mustAPI("GET", "/api/v1/privacy/escalations?status=open", nil, &q)
	if len(q.Escalations) != 1 {
		t.Fatalf("open escalations: %+v", q.Escalations)
	}
	seq := q.Escalations[0].Seq
	if q.Escalations[0].AgeDays != 0 || q.Escalations[0].Overdue {
		t.Fatalf("a new escalation: age %d overdue %v", q.Escalations[0].AgeDays, q.Escalations[0].Overdue)
	}
	path := fmt.Sprintf("/privacy/escalaties/%d", seq)
	advice := "Bespreek eerst met ouders; Rami zit in groep 8b."
	note := "Gebeld met de school, 12 minuten; moeder heet Fatima."

	b := newBrowserClient(t, pe.url)
	b.login(pe.users[signal.RolePrivacyOfficer].Email)
	page := b.get("/privacy/escalaties")
	if page.status != 200 {
		t.Fatalf("queue: %d", page.status)
	}
	form := func(extra url.Values) url.Values {
		v := url.Values{"status": {"in_progress"}, "owner": {pe.ids["privacy"]}, "decision": {""}, "advice": {advice}, "note": {note}}
		for k, vs := range extra {
			v[k] = vs
		}
		return v
	}
	// Refusals name the field and change nothing.
	for _, tc := range []struct {
		extra url.Values
		field string
	}{
		{url.Values{"status": {"done"}}, "decision"},
		{url.Values{"owner": {pe.ids["school"]}}, "owner"},
		{url.Values{"decision": {"maybe"}}, "decision"},
		{url.Values{"note": {strings.Repeat("x", 2001)}}, "note"},
	} {
		r := b.post(path, form(tc.extra))
		if r.status != http.StatusBadRequest || !strings.Contains(r.body, "error-summary") {
			t.Errorf("%v: %d, want 400 with the problem", tc.extra, r.status)
		}
		if !strings.Contains(r.body, (&View{Lang: LangNL, cat: pe.srv.pages.cat}).T("privacy.field."+tc.field)) {
			t.Errorf("%v: the problem does not name %s", tc.extra, tc.field)
		}
		// The summary's link leads to that field of that escalation, which
		// is marked invalid and described by its message.
		id := fmt.Sprintf("f-esc-%d-%s", seq, tc.field)
		if !strings.Contains(r.body, `href="#`+id+`"`) {
			t.Errorf("%v: the error summary does not link to #%s", tc.extra, id)
		}
		if !regexp.MustCompile(`<(select|textarea) id="` + id + `"[^>]*aria-describedby="[^"]*` + id + `-error"[^>]*aria-invalid="true"`).MatchString(r.body) {
			t.Errorf("%v: field #%s is not there, or not marked invalid with its message", tc.extra, id)
		}
	}
	pe.mustAPI("GET", "/api/v1/privacy/escalations", nil, &q)
	if e := q.Escalations[0]; e.Owner != "" || e.Note != "" || e.Status != signal.EscalationOpen {
		t.Fatalf("a refused change was stored: %+v", e)
	}

	if r := b.post(path, form(nil)); r.status != http.StatusSeeOther {
		t.Fatalf("take it: %d %s", r.status, r.body)
	}
	if r := b.post(path, form(url.Values{"status": {"done"}, "decision": {"changed"}})); r.status != http.StatusSeeOther {
		t.Fatalf("close it: %d %s", r.status, r.body)
	}

	// After a restart: the work is there, the owner by name.
	pe.restart()
	b = newBrowserClient(t, pe.url)
	b.login(pe.users[signal.RolePrivacyOfficer].Email)
	pe.mustAPI("GET", "/api/v1/privacy/escalations", nil, &q)
	e := q.Escalations[0]
	officer := pe.users[signal.RolePrivacyOfficer]
	if e.Status != signal.EscalationDone || e.Decision != signal.EscalationChanged || e.Owner != officer.ID ||
		e.OwnerName != officer.Name || e.Advice != advice || e.Note != note || e.Overdue {
		t.Fatalf("after a restart: %+v", e)
	}
	page = b.get("/privacy/escalaties")
	for _, want := range []string{officer.Name, "Anders gedeeld op advies", "Bespreek eerst met ouders", "0 dagen geleden"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the queue page does not show %q", want)
		}
	}
	// Sealed at rest (issue 18): after a clean close (the WAL written
	// back) the database files hold neither text.
	for _, f := range []string{pe.app.DB.Path(), pe.app.DB.Path() + "-wal"} {
		raw, err := os.ReadFile(f)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		for _, w := range []string{"Fatima", "groep 8b", "Bespreek eerst"} {
			if bytes.Contains(raw, []byte(w)) {
				t.Errorf("%s holds %q of the advice or note in plain text", filepath.Base(f), w)
			}
		}
	}
	// A note stored in the clear before notes were sealed is sealed at
	// the next start, and still read.
	func() {
		db, err := sql.Open("sqlite3", pe.app.DB.Path()+"?_busy_timeout=10000")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Exec(`UPDATE escalations SET note = 'Oude notitie: vader belt terug.', note_ct = NULL WHERE seq = ?`, seq); err != nil {
			t.Fatal(err)
		}
	}()
	pe.restart()
	b = newBrowserClient(t, pe.url)
	b.login(pe.users[signal.RolePrivacyOfficer].Email)
	if n := pe.count(`SELECT count(*) FROM escalations WHERE advice <> '' OR note <> ''`); n != 0 {
		t.Fatalf("after a restart %d escalations keep advice or a note in the clear", n)
	}
	q.Escalations = nil
	pe.mustAPI("GET", "/api/v1/privacy/escalations", nil, &q)
	if e := q.Escalations[0]; e.Note != "Oude notitie: vader belt terug." || e.Advice != advice {
		t.Fatalf("after sealing the old note: advice %q, note %q", e.Advice, e.Note)
	}
	// Codes in the log, never the texts.
	if n := pe.count(`SELECT count(*) FROM audit_entries WHERE action = ? AND object = ?`, signal.ActionEscalationUpdate,
		fmt.Sprintf("escalation/%d/done/changed", seq)); n != 1 {
		t.Errorf("%d entries of the decision", n)
	}
	if n := pe.count(`SELECT count(*) FROM audit_entries WHERE object LIKE '%groep 8b%' OR object LIKE '%Fatima%' OR decision LIKE '%Fatima%'`); n != 0 {
		t.Errorf("the advice or note is in the audit log (%d entries)", n)
	}
	// The erasure of the young person wipes the texts.
	pe.eraseByRequest("Rami", "2009-02-02", signal.ErasureDataSubjectRequest)
	q.Escalations = nil
	pe.mustAPI("GET", "/api/v1/privacy/escalations", nil, &q)
	if e := q.Escalations[0]; e.Advice != "" || e.Note != "" || e.Decision != signal.EscalationChanged {
		t.Fatalf("after the erasure: %+v", e)
	}
	if n := pe.count(`SELECT count(*) FROM escalations WHERE note LIKE '%Fatima%' OR advice LIKE '%8b%'`); n != 0 {
		t.Fatalf("the texts are still in the database")
	}
}
