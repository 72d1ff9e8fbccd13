package web

import (
	"github.com/signaal-nl/signaal/signal"
	"os"
	"regexp"
	"testing"
)

// Every reason the policy can give has a sentence for the young person's
// copy in both languages: a reason a newer policy adds would otherwise
// reach a 14-year-old in the professional's words ("deel de noodzakelijke
// gegevens").
func TestEveryPolicyReasonHasWordsForTheYoungPerson(t *testing.T) {
	src, err := os.ReadFile("../../rego/reasons.rego")
	if err != nil {
		t.Fatal(err)
	}
	codes := regexp.MustCompile(`(?m)^\t"([a-z0-9_]+)": \{`).FindAllStringSubmatch(string(src), -1)
	if len(codes) < 30 {
		t.Fatalf("found %d reason codes in rego/reasons.rego: the pattern no longer matches the file", len(codes))
	}
	cat, err := loadCatalogue(messageFiles)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range codes {
		key := "youth.ground." + c[1]
		if !cat.Has(key) {
			t.Errorf("%s: no text for the young person's copy", key)
			continue
		}
		for _, lang := range []Lang{LangNL, LangEN} {
			if got := cat.Get(lang, key); got == "" || got == key {
				t.Errorf("%s: empty in %s", key, lang)
			}
		}
	}
	for _, k := range signal.DecisionKinds {
		if !cat.Has("youth.kind." + string(k)) {
			t.Errorf("youth.kind.%s: no words for the young person's copy", k)
		}
	}
}
