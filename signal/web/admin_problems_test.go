package web

import (
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
	if problems < 30 || refusals < 4 {
		t.Fatalf("found %d problems and %d refusals; the scan no longer reads the sources", problems, refusals)
	}
}
