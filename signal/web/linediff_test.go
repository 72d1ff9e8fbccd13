package web

import (
	"strings"
	"testing"

	"github.com/signaal-nl/signaal/signal"
)

func TestDiffLines(t *testing.T) {
	render := func(ls []DiffLine) string {
		var b strings.Builder
		for _, l := range ls {
			b.WriteString(string(l.Op) + l.Text + "\n")
		}
		return b.String()
	}
	tests := []struct {
		name, a, b, want string
	}{
		{"identical", "a\nb\n", "a\nb\n", " a\n b\n"},
		{"a changed line", "a\nb\nc\n", "a\nB\nc\n", " a\n-b\n+B\n c\n"},
		{"an added line", "a\nc\n", "a\nb\nc\n", " a\n+b\n c\n"},
		{"a removed line", "a\nb\nc\n", "a\nc\n", " a\n-b\n c\n"},
		{"from nothing", "", "a\n", "+a\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := render(DiffLines(tt.a, tt.b)); got != tt.want {
				t.Fatalf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
	files := DiffPolicies(
		[]signal.PolicyFile{{Path: "a.rego", Content: "x\n"}, {Path: "gone.rego", Content: "y\n"}},
		[]signal.PolicyFile{{Path: "a.rego", Content: "x\nz\n"}, {Path: "new.rego", Content: "n\n"}})
	var got []string
	for _, f := range files {
		got = append(got, f.Path+":"+f.Status)
	}
	if strings.Join(got, " ") != "a.rego:changed new.rego:added gone.rego:removed" || files[0].Added != 1 {
		t.Fatalf("DiffPolicies = %v (%+v)", got, files[0])
	}
}
