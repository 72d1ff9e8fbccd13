package policy

import (
	"context"
	"testing"

	"github.com/signaal-nl/signaal/rego"
)

func TestReasonTextsCoverEveryReasonOfADecision(t *testing.T) {
	e, err := Load(context.Background(), rego.FS)
	if err != nil {
		t.Fatal(err)
	}
	texts := e.ReasonTexts()
	if len(texts) == 0 {
		t.Fatal("the built-in policy has no reason texts")
	}
	for code, txt := range texts {
		if txt.NL == "" || txt.EN == "" {
			t.Errorf("reason %s lacks a sentence in nl or en", code)
		}
	}
	if _, ok := texts["acute_danger"]; !ok {
		t.Error("acute_danger has no text")
	}
}
