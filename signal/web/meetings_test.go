package web

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/signal"
)

// newMeetingsEnv is the signals environment with the meeting's use cases
// wired in too (real policy, real key store, real database, loopback).
func newMeetingsEnv(t *testing.T) *signalsEnv {
	t.Helper()
	se := &signalsEnv{keysDir: filepath.Join(t.TempDir(), "keys"), tokens: map[string]string{}, ids: map[string]string{}}
	se.testEnv = newEnv(t, func(d *testDeps) { d.Options.Keys = se.keysDir; d.Options.Now, d.Now = se.now, se.now })
	se.keys = se.app.Keys
	for name, r := range map[string]signal.Role{
		"school": signal.RoleReporter, "coordinator": signal.RoleCoordinator,
		"privacy": signal.RolePrivacyOfficer, "admin": signal.RoleAdmin,
	} {
		se.tokens[name] = se.token(r)
		se.ids[name] = se.users[r].ID
	}
	se.addPerson("youthwork", "Jongerenwerk Test", "Samenwerking Test", signal.OrgYouthWork, signal.RoleReporter)
	se.addPerson("elsewhere-coordinator", "Gemeente Elders", "Samenwerking Elders", signal.OrgMunicipality, signal.RoleCoordinator)
	return se
}

func (se *signalsEnv) json(who, method, path string, body any, want int, out any) response {
	se.t.Helper()
	var r *strings.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = strings.NewReader(string(b))
	}
	var res response
	if r != nil {
		res = se.do(method, path, se.tokens[who], r)
	} else {
		res = se.do(method, path, se.tokens[who], nil)
	}
	if res.status != want {
		se.t.Fatalf("%s %s as %s: %d %s, want %d", method, path, who, res.status, res.body, want)
	}
	if out != nil {
		if err := json.Unmarshal(res.body, out); err != nil {
			se.t.Fatalf("%s %s: %v in %s", method, path, err, res.body)
		}
	}
	return res
}

func TestMeetingAPIFromAgendaToMinutesAndEvaluation(t *testing.T) {
	se := newMeetingsEnv(t)
	se.mustSubmit("school", signalBody("Sanne de Vries", "vaak te laat", "lijkt moe", signal.OutcomeShareFull), signal.OutcomeShareFull)
	exist := se.mustSubmit("youthwork", signalBody("Sanne de Vries", "rondhangen 's nachts", "", signal.OutcomeDoNotShare), signal.OutcomeDoNotShare)
	anon := se.mustSubmit("youthwork", signalBody("Sanne de Vries", "zorgen over thuis", "", signal.OutcomeAskConsent), signal.OutcomeAskConsent)

	var mt signal.Meeting
	se.json("coordinator", "POST", "/api/v1/meetings", map[string]any{
		"title": "Signaleringsoverleg december", "starts_at": time.Now().Add(48 * time.Hour).Format(time.RFC3339),
	}, http.StatusCreated, &mt)
	base := "/api/v1/meetings/" + mt.ID

	t.Run("planning names every bad field", func(t *testing.T) {
		res := se.json("coordinator", "POST", "/api/v1/meetings", map[string]any{"title": "", "starts_at": "morgen", "members": []string{"org_nope"}}, http.StatusBadRequest, nil)
		for _, f := range []string{`"title"`, `"starts_at"`, `"members[0]"`} {
			if !strings.Contains(string(res.body), f) {
				t.Errorf("error does not name %s: %s", f, res.body)
			}
		}
	})

	var ag signal.Agenda
	se.json("coordinator", "GET", base+"/agenda", nil, http.StatusOK, &ag)
	if len(ag.Items) != 2 {
		t.Fatalf("agenda items %d, want 2 (Sanne with two partners, and the anonymous signal alone)", len(ag.Items))
	}
	sanne, alone := ag.Items[0], ag.Items[1]
	if !sanne.Match || sanne.Youth == nil || sanne.Youth.Name != "Sanne de Vries" || len(sanne.Signals) != 2 {
		t.Errorf("combined item: %+v", sanne)
	}
	if !alone.Anonymous || alone.Youth != nil || alone.Signals[0].ID != anon.ID || alone.Signals[0].Facts != "zorgen over thuis" {
		t.Errorf("anonymous item: %+v", alone)
	}
	for _, v := range sanne.Signals {
		if v.ID == exist.ID && (v.Facts != "" || v.Category != "") {
			t.Errorf("the existence signal shows content: %+v", v)
		}
	}

	t.Run("the projector hides who is not shared in full", func(t *testing.T) {
		var pj signal.Agenda
		se.json("coordinator", "GET", base+"/agenda?view=projector", nil, http.StatusOK, &pj)
		if pj.Items[0].Youth == nil || pj.Items[0].Youth.Name != "Sanne de Vries" {
			t.Errorf("a young person shared in full is hidden on the projector: %+v", pj.Items[0])
		}
		se.json("coordinator", "GET", base+"/agenda?view=wall", nil, http.StatusBadRequest, nil)
	})

	t.Run("who may open the agenda", func(t *testing.T) {
		se.json("school", "GET", base+"/agenda", nil, http.StatusForbidden, nil)
		se.json("elsewhere-coordinator", "GET", base+"/agenda", nil, http.StatusNotFound, nil)
		se.json("admin", "GET", base+"/agenda", nil, http.StatusForbidden, nil)
	})

	t.Run("both reporters see the match with contact details only", func(t *testing.T) {
		for _, who := range []string{"school", "youthwork"} {
			res := se.json(who, "GET", "/api/v1/matches", nil, http.StatusOK, nil)
			var ml struct{ Matches []signal.Match }
			json.Unmarshal(res.body, &ml)
			if len(ml.Matches) != 1 || ml.Matches[0].With.Contact.Email == "" {
				t.Errorf("%s: matches %s", who, res.body)
			}
			for _, leak := range []string{"vaak te laat", "rondhangen", "lijkt moe", "wellbeing"} {
				if strings.Contains(string(res.body), leak) {
					t.Errorf("%s's match discloses %q", who, leak)
				}
			}
		}
	})

	ref := sanne.Ref
	se.json("coordinator", "POST", base+"/items/"+ref+"/lead", map[string]string{"user_id": se.ids["youthwork"]}, http.StatusOK, nil)
	var act signal.ActionView
	se.json("coordinator", "POST", base+"/items/"+ref+"/actions", map[string]string{
		"owner_id": se.ids["school"], "description": "gesprek met ouders plannen", "due_on": signal.Today(time.Now().Add(7 * 24 * time.Hour)).String(),
	}, http.StatusCreated, &act)
	se.json("coordinator", "POST", base+"/items/"+ref+"/decisions", map[string]string{"kind": "act", "text": "jongerenwerk begeleidt"}, http.StatusCreated, nil)
	se.json("coordinator", "POST", base+"/items/"+alone.Ref+"/decisions", map[string]string{"kind": "no_action", "text": "eerst toestemming vragen"}, http.StatusCreated, nil)
	se.json("coordinator", "POST", base+"/risks", map[string]string{"text": "wachtlijst jeugdhulp"}, http.StatusCreated, nil)

	t.Run("refused writes say what to fix", func(t *testing.T) {
		res := se.json("coordinator", "POST", base+"/items/"+ref+"/decisions", map[string]string{"kind": "no_action", "text": " "}, http.StatusBadRequest, nil)
		if !strings.Contains(string(res.body), "say why") {
			t.Errorf("no reason not to act: %s", res.body)
		}
		se.json("coordinator", "POST", base+"/items/y-nobody/lead", map[string]string{"user_id": se.ids["school"]}, http.StatusNotFound, nil)
		se.json("coordinator", "POST", base+"/items/"+ref+"/close", map[string]string{"reason": "bored"}, http.StatusBadRequest, nil)
		se.json("coordinator", "PATCH", "/api/v1/actions/"+act.ID, map[string]any{}, http.StatusBadRequest, nil)
	})

	// The owner marks the action done; another reporter cannot.
	se.json("youthwork", "PATCH", "/api/v1/actions/"+act.ID, map[string]bool{"done": true}, http.StatusNotFound, nil)
	se.json("school", "PATCH", "/api/v1/actions/"+act.ID, map[string]bool{"done": true}, http.StatusOK, nil)

	se.json("coordinator", "POST", base+"/held", nil, http.StatusOK, nil)
	se.json("coordinator", "POST", base+"/held", nil, http.StatusConflict, nil)
	se.json("coordinator", "POST", base+"/items/"+ref+"/decisions", map[string]string{"kind": "act", "text": "te laat"}, http.StatusConflict, nil)

	var mn signal.Minutes
	se.json("coordinator", "GET", base+"/minutes", nil, http.StatusOK, &mn)
	if !mn.Final || len(mn.Items) != 2 || len(mn.Risks) != 1 {
		t.Errorf("minutes: final %v, %d items, %d risks", mn.Final, len(mn.Items), len(mn.Risks))
	}
	// A reporter who is not a member's contact person does not get them.
	se.json("youthwork", "GET", base+"/minutes", nil, http.StatusNotFound, nil)

	var work signal.MyWork
	se.json("school", "GET", "/api/v1/outcomes", nil, http.StatusOK, &work)
	if len(work.Outcomes) != 1 || work.Outcomes[0].Lead == nil || len(work.Actions) != 1 || work.Actions[0].DoneOn == nil {
		t.Errorf("the school's feedback: %+v", work)
	}

	t.Run("evaluation and its CSV publish no small numbers", func(t *testing.T) {
		// The running quarter has no figures yet: its figures change with
		// every signal.
		q := signal.QuarterOf(se.now())
		res := se.json("coordinator", "GET", "/api/v1/evaluation?quarter="+q.String(), nil, http.StatusBadRequest, nil)
		if !strings.Contains(string(res.body), `"quarter"`) {
			t.Errorf("the refusal names no field: %s", res.body)
		}
		se.json("privacy", "GET", "/api/v1/evaluation.csv?quarter="+q.String(), nil, http.StatusBadRequest, nil)
		// Once it has ended, it is the default.
		se.ahead.Store(int64(q.End().Time().Add(time.Hour).Sub(time.Now())))
		for _, who := range []string{"coordinator", "privacy", "school"} {
			se.tokens[who] = se.token(map[string]signal.Role{"coordinator": signal.RoleCoordinator,
				"privacy": signal.RolePrivacyOfficer, "school": signal.RoleReporter}[who])
		}
		res = se.json("coordinator", "GET", "/api/v1/evaluation", nil, http.StatusOK, nil)
		var ev map[string]any
		json.Unmarshal(res.body, &ev)
		if ev["quarter"] != q.String() || ev["signals"] != "<5" || ev["young_people"] != "<5" {
			t.Errorf("3 signals about 1 young person in %v published as %v / %v", ev["quarter"], ev["signals"], ev["young_people"])
		}
		csv := se.json("privacy", "GET", "/api/v1/evaluation.csv?quarter="+q.String(), nil, http.StatusOK, nil)
		if ct := csv.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") || !strings.Contains(string(csv.body), "<5") {
			t.Errorf("csv %s: %s", ct, csv.body)
		}
		se.json("coordinator", "GET", "/api/v1/evaluation?quarter=2026-13", nil, http.StatusBadRequest, nil)
		se.json("school", "GET", "/api/v1/evaluation", nil, http.StatusForbidden, nil)
	})

	var n int
	se.app.DB.Read().QueryRow(`SELECT count(*) FROM audit_entries WHERE action IN (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		signal.ActionAgendaView, signal.ActionAgendaProject, signal.ActionMeetingCreate, signal.ActionCaseLead,
		signal.ActionCaseAction, signal.ActionCaseDecide, signal.ActionMeetingRisk, signal.ActionActionUpdate, signal.ActionMeetingHeld,
		signal.ActionMinutesView, signal.ActionMatchesView, signal.ActionOutcomesView,
		signal.ActionEvaluationView, signal.ActionEvaluationCSV).Scan(&n)
	if n < 20 {
		t.Errorf("only %d audit entries of the meeting", n)
	}
}
