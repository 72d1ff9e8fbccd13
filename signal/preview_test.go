package signal

import (
	"encoding/json"
	"testing"
)

func TestSetAnswerEveryPath(t *testing.T) {
	values := map[string]string{
		"purpose": "coordinate_support", "recipient.role": "signal_meeting", "consent.youth": "given",
		"consent.parents": "not_applicable", "risk.harm": "likely", "abuse.help_effective": "pending",
	}
	var a Answers
	for _, p := range AnswerPaths {
		v, ok := values[p]
		if !ok {
			v = "true"
		}
		if err := SetAnswer(&a, p, v); err != nil {
			t.Fatalf("SetAnswer(%s, %s): %v", p, v, err)
		}
	}
	// Every path set means every answer of the wire format is present.
	data, _ := json.Marshal(a)
	var back map[string]any
	json.Unmarshal(data, &back)
	count := 0
	var walk func(m map[string]any)
	walk = func(m map[string]any) {
		for _, v := range m {
			if sub, ok := v.(map[string]any); ok {
				walk(sub)
				continue
			}
			count++
		}
	}
	walk(back)
	if count != len(AnswerPaths) {
		t.Fatalf("%d answers set, want %d: %s", count, len(AnswerPaths), data)
	}
}

func TestSetAnswerRefusesBadValues(t *testing.T) {
	for _, c := range []struct{ path, value string }{
		{"risk.acute_danger", "yes"},
		{"risk.acute_danger", "1"},
		{"consent.youth", "not_applicable"}, // parents only
		{"purpose", "gossip"},
		{"youth.name", "x"}, // not a question
	} {
		var a Answers
		err := SetAnswer(&a, c.path, c.value)
		if ErrorCode(err) != CodeInvalid {
			t.Errorf("SetAnswer(%s, %q) = %v, want invalid", c.path, c.value, err)
			continue
		}
		if e := err.(*Error); e.Fields[0].Field != c.path {
			t.Errorf("error names %q, want %q", e.Fields[0].Field, c.path)
		}
		if a != (Answers{}) {
			t.Errorf("SetAnswer(%s, %q) changed the answers", c.path, c.value)
		}
	}
}
