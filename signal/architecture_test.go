package signal_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/signaal-nl/signaal"

// imports maps each package directory of the module (relative, "signal/web")
// to the import paths of its non-test files, and of its test files.
func imports(t *testing.T) (prod, test map[string][]string) {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	prod, test = map[string][]string{}, map[string][]string{}
	fset := token.NewFileSet()
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		rel = filepath.ToSlash(rel)
		into := prod
		switch {
		case strings.HasSuffix(path, "_bench_test.go"):
			// A benchmark may fill the store in bulk, below the services,
			// to reach a million signals in seconds; it still runs the
			// application through the wiring.
			return nil
		case strings.HasSuffix(path, "_test.go"):
			into = test
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if !slices.Contains(into[rel], p) {
				into[rel] = append(into[rel], p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(prod) < 8 {
		t.Fatalf("found only %d packages under %s: is the test run from signal/?", len(prod), root)
	}
	return prod, test
}

func standard(path string) bool { return !strings.Contains(strings.Split(path, "/")[0], ".") }

func inModule(path, pkg string) bool { return path == module+"/"+pkg }

// rule is one arrow of the architecture: broken says whether the package
// in directory pkg may not import path.
type rule struct {
	name   string
	broken func(pkg, path string) bool
}

// rules are the directions the dependencies must point (README,
// "Architecture"): the domain depends on nothing, storage and OPA stay
// behind their one package each, and the web layer sees services only.
var rules = []rule{
	{"signal (the domain) imports only the standard library", func(pkg, path string) bool {
		return pkg == "signal" && !standard(path)
	}},
	{"only cmd/signald and the wiring (signal/app) import the SQLite store", func(pkg, path string) bool {
		return inModule(path, "signal/sqlite") && pkg != "cmd/signald" && pkg != "signal/app"
	}},
	{"only the SQLite store imports the SQLite driver", func(pkg, path string) bool {
		return strings.HasPrefix(path, "github.com/mattn/go-sqlite3") && pkg != "signal/sqlite"
	}},
	{"signal/web imports no store, no database, not the audit log, the policy engine or the wiring", func(pkg, path string) bool {
		return strings.HasPrefix(pkg, "signal/web") && (path == "database/sql" ||
			inModule(path, "signal/sqlite") || inModule(path, "signal/keystore") || inModule(path, "audit") ||
			inModule(path, "policy") || inModule(path, "signal/app"))
	}},
	{"OPA is imported only by policy", func(pkg, path string) bool {
		return strings.HasPrefix(path, "github.com/open-policy-agent/opa") && pkg != "policy"
	}},
	{"policy and audit never import each other", func(pkg, path string) bool {
		return pkg == "policy" && inModule(path, "audit") || pkg == "audit" && inModule(path, "policy")
	}},
	{"audit depends on neither storage, the web layer nor the wiring", func(pkg, path string) bool {
		return pkg == "audit" && (inModule(path, "signal/sqlite") || inModule(path, "signal/web") || inModule(path, "signal/app"))
	}},
}

// testRule is the arrow for test files: tests that need the whole
// application reuse the one wiring instead of assembling the store
// themselves.
var testRule = rule{"tests outside the store, the wiring and cmd/signald do not open the store; they use signal/app",
	func(pkg, path string) bool {
		return inModule(path, "signal/sqlite") && pkg != "signal/sqlite" && pkg != "signal/app" && pkg != "cmd/signald"
	}}

// violations lists every import that breaks a rule, as "rule: pkg imports path".
func violations(prod, test map[string][]string) []string {
	var out []string
	check := func(r rule, imports map[string][]string) {
		for pkg, paths := range imports {
			for _, p := range paths {
				if r.broken(pkg, p) {
					out = append(out, r.name+": "+pkg+" imports "+p)
				}
			}
		}
	}
	for _, r := range rules {
		check(r, prod)
	}
	check(testRule, test)
	slices.Sort(out)
	return out
}

// TestArchitecture fails when a dependency of the code points the wrong way.
func TestArchitecture(t *testing.T) {
	prod, test := imports(t)
	for _, v := range violations(prod, test) {
		t.Error(v)
	}
}

// TestArchitectureReportsEachWrongArrow shows the guard is not vacuous: each
// wrong import is reported, and the allowed ones are not.
func TestArchitectureReportsEachWrongArrow(t *testing.T) {
	m := func(p string) string { return module + "/" + p }
	for _, tc := range []struct {
		name      string
		pkg, path string
		test      bool
		wrong     bool
	}{
		{"domain imports the store", "signal", m("signal/sqlite"), false, true},
		{"domain imports a third-party module", "signal", "github.com/labstack/echo/v4", false, true},
		{"domain imports the standard library", "signal", "context", false, false},
		{"web imports the store", "signal/web", m("signal/sqlite"), false, true},
		{"web imports database/sql", "signal/web", "database/sql", false, true},
		{"web imports audit", "signal/web", m("audit"), false, true},
		{"web imports the domain", "signal/web", m("signal"), false, false},
		{"web's tests open the store", "signal/web", m("signal/sqlite"), true, true},
		{"web's tests use the wiring", "signal/web", m("signal/app"), true, false},
		{"web imports the wiring", "signal/web", m("signal/app"), false, true},
		{"web imports the key store", "signal/web", m("signal/keystore"), false, true},
		{"web imports the policy engine", "signal/web", m("policy"), false, true},
		{"a test outside the store opens the store", "signal", m("signal/sqlite"), true, true},
		{"the wiring imports the store", "signal/app", m("signal/sqlite"), false, false},
		{"cmd imports the store", "cmd/signald", m("signal/sqlite"), false, false},
		{"audit imports the driver", "audit", "github.com/mattn/go-sqlite3", false, true},
		{"web imports the driver", "signal/web", "github.com/mattn/go-sqlite3", false, true},
		{"the store imports the driver", "signal/sqlite", "github.com/mattn/go-sqlite3", false, false},
		{"the key store imports the driver", "signal/keystore", "github.com/mattn/go-sqlite3", false, true},
		{"the key store's tests open the store", "signal/keystore", m("signal/sqlite"), true, true},
		{"web imports OPA", "signal/web", "github.com/open-policy-agent/opa/v1/rego", false, true},
		{"policy imports OPA", "policy", "github.com/open-policy-agent/opa/v1/rego", false, false},
		{"policy imports audit", "policy", m("audit"), false, true},
		{"audit imports the store", "audit", m("signal/sqlite"), false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			prod, test := map[string][]string{}, map[string][]string{}
			if tc.test {
				test[tc.pkg] = []string{tc.path}
			} else {
				prod[tc.pkg] = []string{tc.path}
			}
			if got := len(violations(prod, test)) > 0; got != tc.wrong {
				t.Errorf("%s importing %s (test file: %v): reported %v, want %v", tc.pkg, tc.path, tc.test, got, tc.wrong)
			}
		})
	}
}
