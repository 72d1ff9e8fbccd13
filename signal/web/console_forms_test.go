package web

import (
	"bufio"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/signal"
)

// TestPseudonymReadsTheSameEverywhere: the console shows a young person's
// pseudonym in one form on every page (the review, the access report, the
// request): all of it, in groups of eight; never a shortened one. Pasted
// back into the review's filter, the readable form finds the same entries.
func TestPseudonymReadsTheSameEverywhere(t *testing.T) {
	pe := newPrivacyEnv(t)
	today := signal.Today(time.Now()).String()
	pe.mustSubmit("school", youthBody("Sanne de Vries", "2011-04-30", today, signal.OutcomeShareFull), signal.OutcomeShareFull)
	subject := pe.lookup("Sanne de Vries", "2011-04-30")
	req := pe.register("Sanne de Vries", "2011-04-30")
	readable := ReadablePseudonym(subject)
	if len(readable) != 64+7 || strings.ReplaceAll(readable, " ", "") != subject {
		t.Fatalf("readable form %q of %s", readable, subject)
	}
	b := newBrowserClient(t, pe.url)
	b.login(pe.users[signal.RolePrivacyOfficer].Email)
	for _, path := range []string{"/privacy/audit?subject=" + subject, "/privacy/inzage/" + subject, "/privacy/verzoeken/" + req.ID} {
		res := b.get(path)
		if res.status != http.StatusOK {
			t.Fatalf("GET %s: %d", path, res.status)
		}
		if !strings.Contains(res.body, ">"+readable+"<") {
			t.Errorf("GET %s does not show the pseudonym as %q", path, readable)
		}
		if strings.Contains(res.body, subject[:12]+"…") {
			t.Errorf("GET %s shows a shortened pseudonym", path)
		}
	}
	// The readable form, pasted into the filter.
	var whole, pasted struct{ Entries []entryJSON }
	pe.mustAPI("GET", "/api/v1/privacy/audit?subject="+subject, nil, &whole)
	pe.mustAPI("GET", "/api/v1/privacy/audit?subject="+strings.ReplaceAll(readable, " ", "+"), nil, &pasted)
	if len(whole.Entries) == 0 || len(pasted.Entries) != len(whole.Entries)+1 { // +1: the first search itself
		t.Fatalf("the readable form finds %d entries, the pseudonym %d", len(pasted.Entries), len(whole.Entries))
	}
}

// TestAuditExportReadsOldestFirst: the export of a selection runs in the
// order of the log, oldest first, across more entries than one page of the
// review holds, and ends with the export's own entry.
func TestAuditExportReadsOldestFirst(t *testing.T) {
	pe := newPrivacyEnv(t)
	for range signal.MaxAuditPage + 40 {
		pe.mustAPI("GET", "/api/v1/privacy/audit?limit=1&action=policy.load", nil, nil)
	}
	res := pe.api("GET", "/api/v1/privacy/audit/export?format=jsonl&action=audit.", nil)
	if res.status != http.StatusOK {
		t.Fatalf("export: %d %s", res.status, res.body)
	}
	var rows []signal.AuditExportRow
	sc := bufio.NewScanner(strings.NewReader(string(res.body)))
	for sc.Scan() {
		var r signal.AuditExportRow
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		rows = append(rows, r)
	}
	searches := 0
	for _, r := range rows {
		if r.Action == string(signal.ActionAuditSearch) {
			searches++
		}
	}
	if searches != signal.MaxAuditPage+40 {
		t.Fatalf("%d searches of %d rows exported, want %d", searches, len(rows), signal.MaxAuditPage+40)
	}
	for i := 1; i < len(rows); i++ {
		if rows[i].Seq <= rows[i-1].Seq {
			t.Fatalf("row %d (seq %d) follows seq %d: not oldest first", i, rows[i].Seq, rows[i-1].Seq)
		}
	}
	if last := rows[len(rows)-1]; last.Action != string(signal.ActionAuditExport) {
		t.Fatalf("the last row is %s, want the export itself", last.Action)
	}
}
