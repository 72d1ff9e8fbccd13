package web

import (
	"fmt"
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

// TestHunks: a unified diff shows each change with three unchanged lines
// around it, joins changes closer than six lines, and numbers both sides.
func TestHunks(t *testing.T) {
	var a, b []string
	for i := 1; i <= 30; i++ {
		a = append(a, fmt.Sprintf("line %d", i))
	}
	b = append(b, a...)
	b[4] = "line 5 changed"       // one change near the top
	b[9] = "line 10 changed"      // 5 lines later: the same hunk
	b = append(b[:25], b[26:]...) // line 26 removed: a hunk of its own
	hs := Hunks(DiffLines(strings.Join(a, "\n"), strings.Join(b, "\n")), DiffContext)
	if len(hs) != 2 {
		t.Fatalf("%d hunks, want 2: %+v", len(hs), hs)
	}
	if got := hs[0].Header(); got != "@@ -2,12 +2,12 @@" {
		t.Errorf("first hunk %s, want @@ -2,12 +2,12 @@", got)
	}
	if hs[0].Lines[0] != (DiffLine{DiffSame, "line 2"}) || hs[0].Lines[len(hs[0].Lines)-1] != (DiffLine{DiffSame, "line 13"}) {
		t.Errorf("first hunk runs %v .. %v", hs[0].Lines[0], hs[0].Lines[len(hs[0].Lines)-1])
	}
	if got := hs[1].Header(); got != "@@ -23,7 +23,6 @@" {
		t.Errorf("second hunk %s, want @@ -23,7 +23,6 @@", got)
	}
}
