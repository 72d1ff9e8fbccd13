package web

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/signal"
)

// abuseAnswers complete a draft with a suspicion of abuse: the answer a
// reporter least wants a stranger to read.
const abuseAnswers = `{"answers": {"consent": {"youth": "refused", "parents": "refused", "recorded": true},
	"risk": {"acute_danger": false, "harm": "likely", "asking_endangers": true},
	"abuse": {"suspected": true, "unsafe": false, "help_possible": true, "help_accepted": false}, "legal_duty": false}}`

// answerFragments are how answers look in JSON, wherever they would be
// stored: the policy input and the signal's answers.
var answerFragments = []string{`"suspected":`, `"abuse":{`, `"consent":{`, `"legal_duty":`, `"acute_danger":`, `"asking_endangers":`}

// TestAuditKeepsNoAnswers (issue 18 finding 6): a sharing decision's audit
// entry binds the decision to its input by a keyed digest, not the input:
// none of the answers, nor an unkeyed hash that the few possible answers
// could be tried against; different answers give different digests.
func TestAuditKeepsNoAnswers(t *testing.T) {
	se := newSignalsEnv(t)
	se.mustSubmit("school", signalBody("Anna de Vries", "Komt vaak te laat.", "", signal.OutcomeShareFull), signal.OutcomeShareFull)
	draft := se.mustSubmit("school", signalBody("Bram Bakker", "Blauwe plekken op de armen.", "", signal.OutcomeIncomplete), signal.OutcomeIncomplete)
	if res := se.do("PATCH", "/api/v1/signals/"+draft.ID, se.tokens["school"], strings.NewReader(abuseAnswers)); res.status != http.StatusOK {
		t.Fatalf("completing the draft with abuse answers: %d %s", res.status, res.body)
	}

	rows, err := se.app.DB.Read().Query(`SELECT object, decision FROM audit_entries WHERE action = ? ORDER BY seq`, string(signal.ActionShareDecide))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	digests := map[string]string{}
	n := 0
	for rows.Next() {
		var object, decision string
		if err := rows.Scan(&object, &decision); err != nil {
			t.Fatal(err)
		}
		n++
		var d struct {
			Input       json.RawMessage `json:"input"`
			InputDigest string          `json:"input_digest"`
		}
		if err := json.Unmarshal([]byte(decision), &d); err != nil {
			t.Fatal(err)
		}
		if d.Input != nil || !strings.HasPrefix(d.InputDigest, "hmac:") || len(d.InputDigest) != len("hmac:")+32 {
			t.Errorf("%s: decision %s; want a keyed input digest and no input", object, decision)
		}
		for _, f := range answerFragments {
			if strings.Contains(decision, f) {
				t.Errorf("%s: the audit entry holds the answer %s: %s", object, f, decision)
			}
		}
		digests[object+"#"+d.InputDigest] = d.InputDigest
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Fatalf("%d share.decide entries; want 3 (two submissions, one completion)", n)
	}
	seen := map[string]bool{}
	for _, d := range digests {
		if seen[d] {
			t.Errorf("two decisions on different answers share the digest %s", d)
		}
		seen[d] = true
	}
}

// TestDatabaseThiefFindsNoAnswers (issue 18 finding 6): the answers to the
// policy's questions are sealed under the young person's key like the
// other content. Whoever copies the database files finds no answer in
// them, neither of new signals nor of signals stored in the clear before
// (the service seals those at its next start); the reporter still reads
// her answers, after a restart too; an erasure takes them with the rest.
func TestDatabaseThiefFindsNoAnswers(t *testing.T) {
	se := newSignalsEnv(t)
	se.mustSubmit("school", signalBody("Anna de Vries", "Komt vaak te laat.", "", signal.OutcomeShareFull), signal.OutcomeShareFull)
	draft := se.mustSubmit("school", signalBody("Bram Bakker", "Blauwe plekken op de armen.", "", signal.OutcomeIncomplete), signal.OutcomeIncomplete)
	if res := se.do("PATCH", "/api/v1/signals/"+draft.ID, se.tokens["school"], strings.NewReader(abuseAnswers)); res.status != http.StatusOK {
		t.Fatalf("completing the draft with abuse answers: %d %s", res.status, res.body)
	}
	old := se.mustSubmit("school", signalBody("Cas Claassen", "Slaapt in de klas.", "", signal.OutcomeShareFull), signal.OutcomeShareFull)
	if n := se.count(`SELECT count(*) FROM signals WHERE answers <> '{}' OR answers_ct IS NULL`); n != 0 {
		t.Fatalf("%d signals keep answers in the clear or none sealed", n)
	}
	suspected := func(id string) bool {
		t.Helper()
		status, v := se.get("school", id)
		if status != 200 || v.Answers == nil {
			t.Fatalf("the reporter reads signal %s: %d, answers %v", id, status, v.Answers)
		}
		return v.Answers.Abuse.Suspected != nil && *v.Answers.Abuse.Suspected
	}
	if !suspected(draft.ID) {
		t.Fatal("the reporter does not read back her answer abuse.suspected")
	}

	// A signal as stored before answers were sealed: answers in the clear.
	raw, err := sql.Open("sqlite3", se.app.DB.Path()+"?_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`UPDATE signals SET answers = ?, answers_ct = NULL WHERE id = ?`,
		`{"purpose":"coordinate_support","abuse":{"suspected":true},"legal_duty":false}`, old.ID); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	se.restart() // seals it
	if n := se.count(`SELECT count(*) FROM signals WHERE answers <> '{}' OR answers_ct IS NULL`); n != 0 {
		t.Fatalf("after the restart %d signals keep answers in the clear", n)
	}
	if !suspected(old.ID) || !suspected(draft.ID) {
		t.Fatal("after the restart the reporter no longer reads her answers")
	}

	// An erasure takes the answers with the content.
	se.eraseByRequest("Bram Bakker", "2011-04-30", signal.ErasureObjection)
	if n := se.count(`SELECT count(*) FROM signals WHERE id = ? AND (answers_ct IS NOT NULL OR answers <> '{}')`, draft.ID); n != 0 {
		t.Fatal("the erased signal keeps its sealed answers")
	}

	se.restart() // a clean close writes the WAL back into the database file
	files := 0
	for _, f := range []string{se.app.DB.Path(), se.app.DB.Path() + "-wal"} {
		b, err := os.ReadFile(f)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		files++
		for _, frag := range answerFragments {
			if bytes.Contains(b, []byte(frag)) {
				i := bytes.Index(b, []byte(frag))
				t.Errorf("%s holds the answer %s in plain text: …%q…", filepath.Base(f), frag, b[max(0, i-80):min(len(b), i+80)])
			}
		}
	}
	if files == 0 {
		t.Fatal("no database file read; the check would prove nothing")
	}
}

// TestDatabaseThiefFindsNoRisks (issue 18: the remaining free text
// encrypted at rest): the meeting's risks and bottlenecks, and every
// earlier version of a corrected one, are sealed under the cooperation's
// key. Whoever copies the database files reads none of them, neither new
// ones nor those stored in the clear before (the service seals those at
// its next start), while the chair still reads each text and its history,
// after restarts too.
func TestDatabaseThiefFindsNoRisks(t *testing.T) {
	s := newTextsSite(t)
	s.write(t) // among them the risk "Wachtlijst jeugd-GGZ is twaalf weken."
	base := "/api/v1/meetings/" + s.meeting
	risks := func() []signal.RiskNote {
		t.Helper()
		var ag struct {
			Risks []signal.RiskNote `json:"risks"`
		}
		s.json("coordinator", "GET", base+"/agenda", nil, http.StatusOK, &ag)
		return ag.Risks
	}
	var waiting *signal.RiskNote
	rs := risks()
	for i := range rs {
		if strings.Contains(rs[i].Text, "twaalf weken") {
			waiting = &rs[i]
		}
	}
	if waiting == nil {
		t.Fatalf("the agenda's risks: %+v; want the one written", rs)
	}
	s.json("coordinator", "POST", base+"/risks/"+waiting.ID+"/corrections",
		map[string]any{"text": "Wachtlijst jeugd-GGZ is nu zestien weken.", "reason": "changed", "version": 1}, http.StatusOK, nil)

	// A risk as stored before risks were sealed, corrected once then: its
	// text and its earlier version in the clear.
	raw, err := sql.Open("sqlite3", s.app.DB.Path()+"?_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Format(time.RFC3339Nano)
	for _, q := range []string{
		`INSERT INTO meeting_risks (id, meeting_id, text, created_by, created_at, checked, text_version, text_revised_by, text_revised_at, text_revision_reason)
			VALUES ('rsk_from_before', ?1, 'Vervoer naar de dagbesteding ontbreekt.', 'usr_chair', ?2, 1, 2, 'usr_chair', ?2, 'changed')`,
		`INSERT INTO risk_text_versions (risk_id, version, text, checked, written_by, written_at, reason)
			VALUES ('rsk_from_before', 1, 'Vervoer ontbreekt op woensdag.', 1, 'usr_chair', ?2, '')`,
	} {
		if _, err := raw.Exec(q, s.meeting, now); err != nil {
			t.Fatal(err)
		}
	}
	raw.Close()
	s.restart() // seals them

	if n := s.count(`SELECT (SELECT count(*) FROM meeting_risks WHERE text_ct IS NULL OR text <> '-')
		+ (SELECT count(*) FROM risk_text_versions WHERE text_ct IS NULL OR text <> '-')`); n != 0 {
		t.Fatalf("after the restart %d risk texts are kept in the clear", n)
	}
	texts := func(stage string) {
		t.Helper()
		got := map[string][]string{}
		for _, r := range risks() {
			got[r.Text] = nil
			for _, v := range r.Versions {
				got[r.Text] = append(got[r.Text], v.Text)
			}
		}
		want := map[string][]string{
			"Wachtlijst jeugd-GGZ is nu zestien weken.":     {"Wachtlijst jeugd-GGZ is twaalf weken."},
			"Vervoer naar de dagbesteding ontbreekt.":       {"Vervoer ontbreekt op woensdag."},
			"Wachtlijst bij Accare voor Zuidhaven is lang.": nil,
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%s the chair reads the risks %v; want %v", stage, got, want)
		}
	}
	texts("after the restart")
	s.restart() // a clean close writes the WAL back into the database file
	texts("after a second restart")

	files := 0
	for _, f := range []string{s.app.DB.Path(), s.app.DB.Path() + "-wal"} {
		b, err := os.ReadFile(f)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		files++
		for _, w := range []string{"twaalf weken", "zestien weken", "dagbesteding", "ontbreekt op woensdag"} {
			if i := bytes.Index(b, []byte(w)); i >= 0 {
				t.Errorf("%s holds the risk text %q in plain text: …%q…", filepath.Base(f), w, b[max(0, i-80):min(len(b), i+80)])
			}
		}
	}
	if files == 0 {
		t.Fatal("no database file read; the check would prove nothing")
	}
}
