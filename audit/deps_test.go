package audit

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// engineOnly are packages that belong to the database's write engine
// (signal/sqlite), never to the audit log: the driver, and the engine itself.
var engineOnly = []string{
	"github.com/mattn/go-sqlite3",
	"github.com/signaal-nl/signaal/signal/sqlite",
}

// TestAuditIsNotTheWriteEngine guards the line between the audit log and
// the SQLite write engine: audit's own code (tests aside) imports no SQLite
// driver, directly or through another package, and registers no driver.
// The driver and its settings (PRAGMAs), group commit and the WAL's fsync live in
// signal/sqlite.
func TestAuditIsNotTheWriteEngine(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			for _, bad := range engineOnly {
				if path == bad {
					t.Errorf("%s imports %s", name, path)
				}
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok {
				if x, ok := sel.X.(*ast.Ident); ok && x.Name == "sql" && sel.Sel.Name == "Register" {
					t.Errorf("%s: sql.Register at %s: the SQLite driver belongs to signal/sqlite", name, fset.Position(sel.Pos()))
				}
			}
			return true
		})
	}
	if checked == 0 {
		t.Fatal("no source files found")
	}

	// Indirect imports, as the go command sees them (without tests).
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Logf("go command not found (%v): checked direct imports only", err)
		return
	}
	cmd := exec.Command(goCmd, "list", "-deps", ".")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, bad := range engineOnly {
			if dep == bad {
				t.Errorf("audit depends on %s", dep)
			}
		}
	}
}
