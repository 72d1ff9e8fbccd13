package main

import (
	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/auth"
	"github.com/signaal-nl/signaal/signal/sqlite"
	"golang.org/x/mod/sumdb/note"
)

// newAccounts returns the account and session use cases over db. loginKey
// keys the pseudonym of unknown login addresses (nil: random).
func newAccounts(db *sqlite.DB, loginKey []byte) (*signal.Accounts, error) {
	store := db.Accounts()
	return signal.NewAccounts(store, db, store, auth.Passwords{}, signal.AccountsOptions{LoginKey: loginKey})
}

// privacyParts are the parts of the privacy console besides the database;
// nil ones leave their use cases unavailable.
type privacyParts struct {
	retention  *signal.Retention
	pseudonyms signal.Pseudonyms
	content    signal.ContentOpener
	signer     note.Signer   // signs the checkpoints issued from the console
	verifier   note.Verifier // checks stored checkpoints when verifying
}

// newPrivacy returns the privacy officer's use cases over db.
func newPrivacy(db *sqlite.DB, parts privacyParts) *signal.Privacy {
	store := db.Privacy()
	return signal.NewPrivacy(signal.PrivacyDeps{
		Log: store, Integrity: db.Integrity(parts.signer, parts.verifier), Recorder: store, Store: store,
		Policies: store, Escalations: store, Directory: db, Retention: parts.retention,
		Pseudonyms: parts.pseudonyms, Content: parts.content,
	})
}
