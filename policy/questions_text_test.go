package policy_test

import (
	"testing"
)

// TestEveryQuestionExplainsItself (issue 15 item 7): every question the
// policy can ask has its text and a help text in Dutch and English, every
// answer a label in both, and no two questions share a help text: each
// conflict-of-duties question (consent, harm, asking endangers, the legal
// duty) explains itself, not a general paragraph.
func TestEveryQuestionExplainsItself(t *testing.T) {
	qs := engine(t).Questions()
	if len(qs) == 0 {
		t.Fatal("the policy asks no questions")
	}
	helps := map[string]string{}
	for _, q := range qs {
		if q.Text.NL == "" || q.Text.EN == "" {
			t.Errorf("%s: no question text in both languages: %+v", q.ID, q.Text)
		}
		if q.Help.NL == "" || q.Help.EN == "" {
			t.Errorf("%s: no help text in both languages: %+v", q.ID, q.Help)
		}
		if other, ok := helps[q.Help.NL]; ok {
			t.Errorf("%s and %s share one help text: %q", q.ID, other, q.Help.NL)
		}
		helps[q.Help.NL] = q.ID
		for _, a := range q.Answers {
			if a.Label.NL == "" || a.Label.EN == "" {
				t.Errorf("%s: answer %q has no label in both languages", q.ID, a.Value)
			}
		}
	}
	t.Logf("%d questions, each with its own help text in Dutch and English", len(qs))
}
