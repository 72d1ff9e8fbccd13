package textcheck

import (
	"go/ast"
	"go/parser"
	gotoken "go/token"
	"os"
	"strconv"
	"testing"
)

// TestDemoCopyIsCurrent checks that testdata/demo.txt holds every free text
// of the demo (the facts and opinions of demoSignals in
// signal/app/demo_meeting.go), so that TestDemoTexts counts the demo's
// real texts. It skips when the demo has moved; then move this test along.
func TestDemoCopyIsCurrent(t *testing.T) {
	const path = "../app/demo_meeting.go"
	if _, err := os.Stat(path); err != nil {
		t.Skipf("%s: %v (the demo moved: point this test at it)", path, err)
	}
	f, err := parser.ParseFile(gotoken.NewFileSet(), path, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var demo []string
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok || len(vs.Names) != 1 || vs.Names[0].Name != "demoSignals" || len(vs.Values) != 1 {
			return true
		}
		for _, el := range vs.Values[0].(*ast.CompositeLit).Elts {
			fields := el.(*ast.CompositeLit).Elts
			if len(fields) < 6 {
				t.Fatalf("demoSignals element has %d fields, want reporter, name, born, category, facts, opinions, ...", len(fields))
			}
			for _, e := range fields[4:6] { // facts, opinions
				if lit, ok := e.(*ast.BasicLit); ok && lit.Kind == gotoken.STRING {
					if s, err := strconv.Unquote(lit.Value); err == nil && s != "" {
						demo = append(demo, s)
					}
				}
			}
		}
		return false
	})
	if len(demo) == 0 {
		t.Skipf("no demoSignals texts in %s (the demo moved: point this test at it)", path)
	}
	copied := map[string]bool{}
	for _, c := range readCorpus(t, "testdata/demo.txt") {
		copied[c.text] = true
	}
	for _, s := range demo {
		if !copied[s] {
			t.Errorf("demo text %q is not in testdata/demo.txt", s)
		}
	}
	if len(copied) != len(demo) {
		t.Errorf("testdata/demo.txt has %d texts, the demo %d", len(copied), len(demo))
	}
}
