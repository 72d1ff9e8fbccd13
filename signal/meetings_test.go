package signal_test

import (
	"slices"
	"testing"

	"github.com/signaal-nl/signaal/signal"
)

// The access report reads back what an agenda view's audit entry lists:
// each signal shown and the fields shown of it.
func TestShownSignalCodeReadsBack(t *testing.T) {
	const id = "01kaz7q3n4m5p6r7s8t9u0v1ab"
	for _, tc := range []struct {
		name   string
		fields []signal.Field
		code   signal.Field
	}{
		{"identity, facts and opinions", []signal.Field{signal.FieldIdentity, signal.FieldFacts, signal.FieldOpinions}, id + ":identity:facts:opinions"},
		{"facts only (anonymous)", []signal.Field{signal.FieldFacts}, id + ":facts"},
		{"nothing but that it exists (on the projector)", nil, id},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code := signal.ShownSignal{ID: id, Fields: tc.fields}.Code()
			if code != tc.code {
				t.Fatalf("code %q, want %q", code, tc.code)
			}
			back, ok := signal.ParseShownSignal(string(code))
			if !ok || back.ID != id || !slices.Equal(back.Fields, tc.fields) {
				t.Errorf("read back %+v (%v), want %s %v", back, ok, id, tc.fields)
			}
		})
	}
	for _, bad := range []string{"", ":facts", id + ":name", id + ":facts:", "Sanne:facts", "signal/" + id} {
		if s, ok := signal.ParseShownSignal(bad); ok {
			t.Errorf("ParseShownSignal(%q) = %+v, want not a shown signal", bad, s)
		}
	}
}
