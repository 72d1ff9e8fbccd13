package policy

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/bundle"
	"github.com/open-policy-agent/opa/v1/compile"
)

// WasmEntrypoint is the one entrypoint of the compiled policy: the decision
// (decisionQuery), in the <package>/<rule> form OPA's compiler takes.
const WasmEntrypoint = "signaal/decision"

// WasmPolicy is the policy compiled to WebAssembly, so a phone can decide
// without a connection (issue 15): the page loads Module with OPA's
// JavaScript SDK (@open-policy-agent/opa-wasm, vendored in
// signal/web/static/vendor) and evaluates the same input document the
// server does. The server stays the authority: it decides again on receipt.
type WasmPolicy struct {
	// Module is policy.wasm (OPA's Wasm ABI 1.x), whose entrypoint 0 is
	// WasmEntrypoint. It answers the decision document without
	// policy_version; the page adds Version.
	Module []byte
	// Bundle is an OPA bundle (.tar.gz) holding Module, with Version as the
	// manifest's revision, for tools that take bundles.
	Bundle []byte
	// Version is the policy_version of the Go engine for the same files:
	// a decision made on the phone and one made by the server with the same
	// Version come from the same rules.
	Version string
}

// Wasm returns the engine's policy compiled to WebAssembly: the same files
// it loaded, under the same Version. It compiles on the first call (about a
// second) and returns that result ever after; a server calls it at start so
// a failure shows there and no phone waits for the compiler.
func (e *Engine) Wasm() (WasmPolicy, error) { return e.wasm() }

// CompileWasm compiles the policy in fsys (rego.FS, or os.DirFS of an
// adjusted copy) to WebAssembly, as Load reads it: every *.rego file except
// the tests. Its Version equals that of the Engine Load returns for fsys.
func CompileWasm(ctx context.Context, fsys fs.FS) (WasmPolicy, error) {
	files, err := readPolicy(fsys)
	if err != nil {
		return WasmPolicy{}, err
	}
	var policy []policyFile
	for _, f := range files {
		if !f.test {
			policy = append(policy, f)
		}
	}
	if len(policy) == 0 {
		return WasmPolicy{}, fmt.Errorf("compile policy to wasm: no .rego files (other than tests) found")
	}
	return compileWasm(ctx, policy, digest(policy))
}

// compileWasm builds the bundle from the files already read, so nothing
// but these files (no data.json, no tests) goes into the module.
func compileWasm(ctx context.Context, files []policyFile, version string) (WasmPolicy, error) {
	modules, err := parse(files)
	if err != nil {
		return WasmPolicy{}, err
	}
	b := &bundle.Bundle{Data: map[string]any{}}
	b.SetRegoVersion(ast.RegoV1)
	b.Manifest.Init()
	for _, f := range files {
		b.Modules = append(b.Modules, bundle.ModuleFile{URL: f.path, Path: f.path, Raw: f.content, Parsed: modules[f.path]})
	}
	var out bytes.Buffer
	c := compile.New().
		WithBundle(b).
		WithTarget(compile.TargetWasm).
		WithEntrypoints(WasmEntrypoint).
		WithRegoVersion(ast.RegoV1).
		WithRevision(version).
		WithOutput(&out)
	if err := c.Build(ctx); err != nil {
		return WasmPolicy{}, fmt.Errorf("compile policy %s to wasm: %w", version, err)
	}
	wasm := c.Bundle().WasmModules
	if len(wasm) != 1 {
		return WasmPolicy{}, fmt.Errorf("compile policy %s to wasm: %d modules, want 1", version, len(wasm))
	}
	return WasmPolicy{Module: wasm[0].Raw, Bundle: out.Bytes(), Version: version}, nil
}
