package app_test

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/app"
)

// TestOutboxKeyIsTheAccountsOwn: the key a phone encrypts its outbox with
// (issue 15 item 4) is the same for an account after a restart of the
// server (what was queued before it still opens), and differs, tag and
// key, between two accounts, so one worker's phone entries never open or
// match under another's login. Without a user there is none.
func TestOutboxKeyIsTheAccountsOwn(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	opts := app.Options{DB: filepath.Join(dir, "signaal.db"), Keys: filepath.Join(dir, "keys"), Parts: app.Database | app.Signing}
	a, err := app.Open(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	first := signal.Actor{UserID: "u-first", Role: signal.RoleReporter}
	second := signal.Actor{UserID: "u-second", Role: signal.RoleReporter}
	k1, err := a.Accounts.OutboxKey(first)
	if err != nil {
		t.Fatal(err)
	}
	k2, err := a.Accounts.OutboxKey(second)
	if err != nil {
		t.Fatal(err)
	}
	if len(k1.Key) != 32 || k1.Account == "" {
		t.Fatalf("outbox key %d bytes, account %q", len(k1.Key), k1.Account)
	}
	if bytes.Equal(k1.Key, k2.Key) || k1.Account == k2.Account {
		t.Fatal("two accounts share an outbox key or tag")
	}
	if k1.Account == first.UserID || bytes.Contains([]byte(k1.Account), []byte("first")) {
		t.Fatalf("the tag %q shows the user id", k1.Account)
	}
	if _, err := a.Accounts.OutboxKey(signal.Actor{}); signal.ErrorCode(err) != signal.CodeUnauthorized {
		t.Fatalf("without a user: %v, want unauthorized", err)
	}
	a.Close()

	a, err = app.Open(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	again, err := a.Accounts.OutboxKey(first)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.Key, k1.Key) || again.Account != k1.Account {
		t.Fatal("after a restart the account's outbox key changed: what was queued would not open")
	}
}
