package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

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
