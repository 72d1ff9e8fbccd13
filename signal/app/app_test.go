package app_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signaal-nl/signaal/signal/app"
)

// An operator's command opens only the parts it uses: adding a user
// compiles no policy and creates no keys.
func TestOpenOnlyTheParts(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a, err := app.Open(ctx, app.Options{DB: filepath.Join(dir, "signaal.db"), Parts: app.Database})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if a.Accounts == nil || a.Privacy == nil {
		t.Fatal("the database part has no Accounts or Privacy")
	}
	if a.Signals != nil || a.Meetings != nil || a.Retention != nil || a.Issuer != nil || a.Engine != nil {
		t.Fatal("the database part built more than it was asked")
	}
	if _, err := os.Stat(filepath.Join(dir, "keys")); !os.IsNotExist(err) {
		t.Fatalf("the database part made the keys directory: %v", err)
	}
	var names []string
	for _, c := range a.Ready {
		names = append(names, c.Name)
	}
	if strings.Join(names, ",") != "database,writer,storage,mail" {
		t.Fatalf("readiness checks %v; want the database's, the writer's, the storage's and the mail queue's", names)
	}
}

// The hourly checkpoint is issued only when the log grew since the last.
func TestCheckpointOnlyWhenTheLogGrew(t *testing.T) {
	ctx := context.Background()
	a, err := app.Open(ctx, app.Options{DB: filepath.Join(t.TempDir(), "signaal.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	count := func() int {
		var n int
		if err := a.DB.Read().QueryRow(`SELECT count(*) FROM audit_checkpoints`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if err := a.RecordPolicyLoad(ctx); err != nil { // the log grows
		t.Fatal(err)
	}
	for range 2 {
		if err := a.Checkpoint(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := count(); n != 1 {
		t.Fatalf("%d checkpoints after two runs over one log; want 1", n)
	}
	for _, c := range a.Ready {
		if err := c.Check(ctx); err != nil {
			t.Errorf("readiness %s: %v", c.Name, err)
		}
	}
}
