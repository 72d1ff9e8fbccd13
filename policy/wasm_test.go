package policy_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
	"testing/fstest"

	"github.com/open-policy-agent/opa/v1/bundle"

	"github.com/signaal-nl/signaal/policy"
)

// wasmPolicy is the built-in policy compiled to WebAssembly by the shared
// engine, as the server will serve it.
func wasmPolicy(t testing.TB) policy.WasmPolicy {
	t.Helper()
	w, err := engine(t).Wasm()
	if err != nil {
		t.Fatalf("compile the policy to wasm: %v", err)
	}
	return w
}

// TestWasmVersionIsTheEngines holds the phone's policy to the server's: the
// module compiled from the same files carries the same policy_version, in
// the WasmPolicy and in its bundle's manifest, whether compiled by the
// engine or from the files; a changed file gives both a new one.
func TestWasmVersionIsTheEngines(t *testing.T) {
	t.Parallel()
	e := engine(t)
	w := wasmPolicy(t)
	if w.Version != e.Version() {
		t.Errorf("the engine's wasm has version %s, the engine %s", w.Version, e.Version())
	}
	again, err := e.Wasm()
	if err != nil || !bytes.Equal(again.Module, w.Module) {
		t.Errorf("a second Wasm() gave another module (err %v): it must be compiled once", err)
	}
	if !bytes.HasPrefix(w.Module, []byte("\x00asm")) {
		t.Errorf("the module does not start with the wasm magic number: % x", w.Module[:min(8, len(w.Module))])
	}
	t.Logf("policy.wasm %d bytes, bundle %d bytes (gzipped tar)", len(w.Module), len(w.Bundle))

	b, err := bundle.NewReader(bytes.NewReader(w.Bundle)).Read()
	if err != nil {
		t.Fatalf("read the bundle: %v", err)
	}
	if b.Manifest.Revision != e.Version() {
		t.Errorf("the bundle's revision is %q, want the policy_version %s", b.Manifest.Revision, e.Version())
	}
	if len(b.WasmModules) != 1 || !bytes.Equal(b.WasmModules[0].Raw, w.Module) {
		t.Errorf("the bundle holds %d wasm modules, want Module alone", len(b.WasmModules))
	}
	if eps := b.Manifest.WasmResolvers; len(eps) != 1 || eps[0].Entrypoint != policy.WasmEntrypoint {
		t.Errorf("the bundle's entrypoints are %+v, want %s alone", eps, policy.WasmEntrypoint)
	}

	// A privacy officer's copy in a directory (--policy DIR), with a test
	// file that must not count, compiles to the same version as it loads.
	dir := t.TempDir()
	files := copyFS(t)
	files["extra_test.rego"] = &fstest.MapFile{Data: []byte("package signaal_test\n\ntest_extra if true\n")}
	for name, f := range files {
		if err := os.WriteFile(filepath.Join(dir, name), f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	fromDir, err := policy.CompileWasm(context.Background(), os.DirFS(dir))
	if err != nil {
		t.Fatalf("compile the directory's policy: %v", err)
	}
	if fromDir.Version != e.Version() {
		t.Errorf("the same files in a directory compile to version %s, the engine has %s", fromDir.Version, e.Version())
	}

	changed := maps.Clone(copyFS(t))
	changed["reasons.rego"] = &fstest.MapFile{Data: append(slices.Clone(changed["reasons.rego"].Data), "\n# reviewed by the privacy officer\n"...)}
	adjusted, err := policy.CompileWasm(context.Background(), changed)
	if err != nil {
		t.Fatalf("compile the changed policy: %v", err)
	}
	if adjusted.Version == e.Version() {
		t.Errorf("a changed policy file kept version %s in wasm", adjusted.Version)
	}
	if want := load(t, changed).Version(); adjusted.Version != want {
		t.Errorf("the changed policy compiles to version %s, loads as %s", adjusted.Version, want)
	}
}

// TestWasmCompileErrors: a policy that cannot become a module says why.
func TestWasmCompileErrors(t *testing.T) {
	t.Parallel()
	if _, err := policy.CompileWasm(context.Background(), fstest.MapFS{"x_test.rego": {Data: []byte("package signaal_test\n")}}); err == nil {
		t.Error("a policy of only tests compiled")
	}
	noDecision := fstest.MapFS{"a.rego": {Data: []byte("package signaal\n\nquestions := []\n")}}
	if _, err := policy.CompileWasm(context.Background(), noDecision); err == nil {
		t.Error("a policy without signaal.decision compiled")
	}
	broken := copyFS(t)
	broken["rules.rego"] = &fstest.MapFile{Data: []byte("package signaal\n\nnot valid rego {\n")}
	if _, err := policy.CompileWasm(context.Background(), broken); err == nil {
		t.Error("a policy with a syntax error compiled")
	}
}

// TestWasmSDKVendoredAsDocumented keeps the README of the vendored SDK
// true: the checksum it states is the file's.
func TestWasmSDKVendoredAsDocumented(t *testing.T) {
	t.Parallel()
	dir := filepath.Join("..", "signal", "web", "static", "vendor")
	js, err := os.ReadFile(filepath.Join(dir, "opa-wasm-browser.esm.js"))
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(dir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("sha256 ([0-9a-f]{64})").FindSubmatch(readme)
	sum := sha256.Sum256(js)
	if m == nil || string(m[1]) != hex.EncodeToString(sum[:]) {
		t.Errorf("vendor/README.md does not state the sha256 of opa-wasm-browser.esm.js (%x)", sum)
	}
	for _, f := range []string{"LICENSE", "LICENSE-3RD-PARTY.txt"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("the vendored SDK's licence: %v", err)
		}
	}
}
