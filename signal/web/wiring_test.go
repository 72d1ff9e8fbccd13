package web

import (
	"testing"

	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/auth"
	"github.com/signaal-nl/signaal/signal/sqlite"
	"golang.org/x/mod/sumdb/note"
)

// The tests wire the services over a real database as signald serve does
// (cmd/signald/wire.go).

// cliActor is the operator at the shell, who sets up the tests' accounts.
var cliActor = signal.Actor{UserID: "cli", Role: signal.RoleSystem}

// testDeps are the server's Deps with the database the tests' services
// are wired over, and the cost of their password hashes.
type testDeps struct {
	Deps
	DB             *sqlite.DB
	PasswordParams auth.PasswordParams
}

func testAccounts(t testing.TB, db *sqlite.DB, params auth.PasswordParams) *signal.Accounts {
	t.Helper()
	store := db.Accounts()
	a, err := signal.NewAccounts(store, db, store, auth.Passwords{Params: params}, signal.AccountsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// privacyParts are the privacy console's parts besides the database.
type privacyParts struct {
	retention  *signal.Retention
	pseudonyms signal.Pseudonyms
	content    signal.ContentOpener
	signer     note.Signer
	verifier   note.Verifier
}

func testPrivacy(db *sqlite.DB, parts privacyParts) *signal.Privacy {
	store := db.Privacy()
	return signal.NewPrivacy(signal.PrivacyDeps{
		Log: store, Integrity: db.Integrity(parts.signer, parts.verifier), Recorder: store, Store: store,
		Policies: store, Escalations: store, Directory: db, Retention: parts.retention,
		Pseudonyms: parts.pseudonyms, Content: parts.content,
	})
}

// writerStats reports db's writer to /metrics.
func writerStats(db *sqlite.DB) func() WriterStats {
	return func() WriterStats {
		st := db.Writer().Stats()
		return WriterStats{Batches: st.Batches, Units: st.Units, Syncs: st.Syncs, Busy: st.Busy, Syncing: st.Syncing}
	}
}
