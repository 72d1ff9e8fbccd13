package web

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/signaal-nl/signaal/signal"
)

// TestConsoleRefusalsInTheReadersLanguage: an administrator who gets a
// form wrong reads what is wrong in the page's language, each problem
// naming its field by the form's label; a Dutch page shows no English.
// Nothing of a refused form is kept.
func TestConsoleRefusalsInTheReadersLanguage(t *testing.T) {
	se := newSignalsEnv(t)
	b := newBrowserClient(t, se.url)
	b.login(se.users[signal.RoleAdmin].Email)
	bad := url.Values{"name": {""}, "kind": {"school"}, "part": {""},
		"contact.name": {"Els Bakker"}, "contact.email": {"els@"}, "deputy.name": {"Piet Smit"}, "deputy.email": {"piet@buurtteam.nl"}}
	b.get("/beheer/partners/nieuw")
	res := b.post("/beheer/partners", bad)
	if res.status != http.StatusBadRequest {
		t.Fatalf("a partner without name: %d; want 400", res.status)
	}
	body := html.UnescapeString(res.body)
	for _, want := range []string{"Naam van de organisatie: vul dit in", ": vul in wat deze partner doet in de samenwerking", ": dit is geen geldig e-mailadres"} {
		if !strings.Contains(body, want) {
			t.Errorf("the Dutch page does not say %q", want)
		}
	}
	for _, english := range []string{"required", "not a valid email", "say what this partner does"} {
		if strings.Contains(body, english) {
			t.Errorf("the Dutch page shows the domain's English %q", english)
		}
	}
	if m := b.get("/beheer"); strings.Contains(m.body, "Els Bakker") {
		t.Error("a refused partner is on the map")
	}

	// A name that is taken: said in Dutch, under the name.
	good := cloneValues(bad)
	good.Set("name", "Buurtteam Oost")
	good.Set("part", "Hulp thuis bij opvoeden")
	good.Set("contact.email", "els@buurtteam.nl")
	b.get("/beheer/partners/nieuw")
	if res := b.post("/beheer/partners", good); res.status != http.StatusSeeOther {
		t.Fatalf("a good partner: %d\n%s", res.status, res.body)
	}
	b.get("/beheer/partners/nieuw")
	res = b.post("/beheer/partners", good)
	if body := html.UnescapeString(res.body); res.status != http.StatusBadRequest || !strings.Contains(body, "Naam van de organisatie: er is al een organisatie met deze naam") || strings.Contains(body, "exists already") {
		t.Errorf("a taken name: %d; want it said in Dutch under the name", res.status)
	}

	// In English, the same refusal in English.
	b.get("/taal?lang=en&next=%2Fbeheer")
	b.get("/beheer/partners/nieuw")
	res = b.post("/beheer/partners", bad)
	body = html.UnescapeString(res.body)
	for _, want := range []string{"Name of the organisation: fill this in", ": this is not a valid email address"} {
		if !strings.Contains(body, want) {
			t.Errorf("the English page does not say %q", want)
		}
	}
}

// TestEveryConsoleProblemHasWords: every problem the console's use cases
// can name for a field, and every refusal without a field, has words in
// the catalogue, so none reaches a Dutch page in English.
func TestEveryConsoleProblemHasWords(t *testing.T) {
	cat, err := loadCatalogue(messageFiles)
	if err != nil {
		t.Fatal(err)
	}
	v := &View{Lang: LangNL, cat: cat}
	addRE := regexp.MustCompile(`fe\.Add\([^,]+,\s*"([^"]+)"\)`)
	refusalRE := regexp.MustCompile(`Errorf\(signal\.CodeConflict, "([^"]+)"|Errorf\(CodeConflict, "([^"]+)"|Errorf\(CodeInvalid, "([^"]+)"`)
	verbRE := regexp.MustCompile(`%[qsvd]`)
	files := []string{"account.go", "accounts.go", "administration.go", "admin_signin.go", "agreement.go", "meeting_standing.go", "invitations.go", "sso.go", "sqlite/accounts.go"}
	problems, refusals := 0, 0
	for _, f := range files {
		src, err := os.ReadFile(filepath.Join("..", f))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range addRE.FindAllStringSubmatch(string(src), -1) {
			problems++
			if adminProblem(v, m[1]) == "" {
				t.Errorf("%s: no words for the problem %q", f, m[1])
			}
		}
		for _, m := range refusalRE.FindAllStringSubmatch(string(src), -1) {
			msg := verbRE.ReplaceAllString(m[1]+m[2]+m[3], "X")
			refusals++
			errs := adminErrors(v, signal.Errorf(signal.CodeConflict, "%s", msg))
			if len(errs) != 1 || errs[0].Message == v.T("admin.error.generic") {
				t.Errorf("%s: no words for the refusal %q", f, m[1]+m[2]+m[3])
			}
		}
	}
	// The store's refusal of a new invitation for an account that
	// accepted (sqlite/invitations.go, whose other refusals reach only
	// the invitee's own page).
	if errs := adminErrors(v, signal.Errorf(signal.CodeConflict, "account usr_x accepted its invitation already")); len(errs) != 1 || errs[0].Message == v.T("admin.error.generic") {
		t.Errorf("no words for the refusal of a new invitation after acceptance")
	}
	if problems < 30 || refusals < 4 {
		t.Fatalf("found %d problems and %d refusals; the scan no longer reads the sources", problems, refusals)
	}
}

// TestReinviteRefusedInWords: a new invitation for an invitee whose
// account was disabled meanwhile is refused on the console in the page's
// language, and nothing is stored; an account that was never invited is
// not found.
func TestReinviteRefusedInWords(t *testing.T) {
	se := newSignalsEnv(t)
	b := newBrowserClient(t, se.url)
	admin := se.users[signal.RoleAdmin]
	b.login(admin.Email)
	b.get("/beheer/accounts")
	if res := b.post("/beheer/accounts", url.Values{"name": {"Noor Visser"}, "email": {"noor@school.example"},
		"org": {se.users[signal.RoleReporter].OrgID}, "role": {"reporter"}}); res.status != http.StatusSeeOther {
		t.Fatalf("invite: %d\n%s", res.status, res.body)
	}
	m, err := se.app.Admin.Map(context.Background(), signal.Actor{UserID: admin.ID, OrgID: admin.OrgID, Role: admin.Role})
	if err != nil {
		t.Fatal(err)
	}
	var id string
	for _, p := range m.Partners {
		for _, u := range p.Accounts {
			if u.Email == "noor@school.example" {
				id = u.ID
			}
		}
	}
	if _, open := m.Invited[id]; id == "" || !open {
		t.Fatalf("the invitee %q is not listed as invited", id)
	}
	b.get("/beheer/accounts")
	if res := b.post("/beheer/accounts/"+id+"/status", url.Values{"disabled": {"1"}}); res.status != http.StatusSeeOther {
		t.Fatalf("disable: %d", res.status)
	}
	rows := func() (n int) {
		se.app.DB.Read().QueryRow(`SELECT count(*) FROM invitations`).Scan(&n)
		return n
	}
	before := rows()
	b.get("/beheer/accounts")
	res := b.post("/beheer/accounts/"+id+"/uitnodiging", url.Values{})
	if body := html.UnescapeString(res.body); res.status != http.StatusConflict || !strings.Contains(body, "Dit account staat uit. Zet het eerst aan.") || strings.Contains(body, "enable it") {
		t.Errorf("a new invitation for a disabled account: %d; want 409 said in Dutch", res.status)
	}
	if rows() != before {
		t.Errorf("a refused new invitation was stored")
	}
	b.get("/beheer/accounts")
	if res := b.post("/beheer/accounts/"+se.users[signal.RoleReporter].ID+"/uitnodiging", url.Values{}); res.status != http.StatusNotFound {
		t.Errorf("a new invitation for an account that was never invited: %d; want 404", res.status)
	}
}
