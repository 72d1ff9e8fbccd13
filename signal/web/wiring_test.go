package web

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/app"
	"github.com/signaal-nl/signaal/signal/auth"
)

// The tests run the application as signald serve does: signal/app wires
// it, over a real database and key store in a temporary directory.

// cliActor is the operator at the shell, who sets up the tests' accounts.
var cliActor = signal.Actor{UserID: "cli", Role: signal.RoleSystem}

// testDeps are the server's Deps and the options of the application whose
// services fill them. A test's tweak sets either; the Deps it leaves zero
// come from the application.
type testDeps struct {
	Deps
	Options app.Options
}

// openApp opens the whole application in dir with d's options: the
// package's one policy engine and cheap password hashes unless set. It runs
// in demo mode, as the tests' server listens on loopback: the accounts the
// tests seed (SeedUser, the demo's way) log in without a second factor;
// accounts made by CreateUser need theirs. openRealApp is a real set-up.
func openApp(t testing.TB, dir string, opts app.Options) *app.App {
	t.Helper()
	opts.Demo = true
	return openRealApp(t, dir, opts)
}

// openRealApp is openApp without demo mode: every account needs its second
// factor.
func openRealApp(t testing.TB, dir string, opts app.Options) *app.App {
	t.Helper()
	if opts.DB == "" {
		opts.DB = filepath.Join(dir, "signaal.db")
	}
	if opts.Engine == nil {
		engine, err := loadPolicy()
		if err != nil {
			t.Fatalf("load policy: %v", err)
		}
		opts.Engine = engine
	}
	if opts.PasswordParams == (auth.PasswordParams{}) {
		opts.PasswordParams = testParams
	}
	if opts.CheckpointKeyName == "" {
		opts.CheckpointKeyName = "signaal-audit/test"
	}
	a, err := app.Open(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// withApp fills what d leaves zero from a, as signald serve does (FromApp);
// the tests' readiness checks come after the application's.
func (d *testDeps) withApp(a *app.App) Deps { return FromApp(a, d.Deps) }

var _ Application = (*app.App)(nil)
