package app_test

import (
	"context"
	"database/sql"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/app"
)

// TestSecondFactorsStoredInTheClearAreSealedAtStart (issue 18): a TOTP
// secret stored in plain text by an older version is sealed in place at
// the next start, bound to its account, and gone from the database files
// after a clean close; running again changes nothing.
func TestSecondFactorsStoredInTheClearAreSealedAtStart(t *testing.T) {
	ctx := context.Background()
	dbPath := filepath.Join(t.TempDir(), "signaal.db")
	open := func() *app.App {
		t.Helper()
		a, err := app.Open(ctx, app.Options{DB: dbPath, PasswordParams: cheap})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	a := open()
	op := signal.Actor{Role: signal.RoleSystem}
	person := func(n string) signal.Person { return signal.Person{Name: n, Email: n + "@noord.example"} }
	org := signal.Organisation{Name: "Het Noorderlicht", Kind: signal.OrgSchool, Contact: person("ans"), Deputy: person("bert")}
	if err := a.Accounts.CreateOrganisation(ctx, op, &org, "Wijk Noord"); err != nil {
		t.Fatal(err)
	}
	u := signal.User{Email: "mentor@noord.example", Name: "Mentor", OrgID: org.ID, Role: signal.RoleCoordinator}
	if err := a.Accounts.CreateUser(ctx, op, &u, "een lang genoeg wachtwoord"); err != nil {
		t.Fatal(err)
	}
	a.Close()

	const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	raw, err := sql.Open("sqlite3", dbPath+"?_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`INSERT INTO second_factors (user_id, secret, confirmed, last_step, created_at) VALUES (?, ?, 1, 0, '2026-01-05T10:00:00Z')`, u.ID, secret); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	a = open() // seals it
	var stored string
	a.DB.Read().QueryRow(`SELECT secret FROM second_factors WHERE user_id = ?`, u.ID).Scan(&stored)
	rest, ok := strings.CutPrefix(stored, "sealed1:")
	if !ok {
		t.Fatalf("after a start the secret is stored as %q; want it sealed", stored)
	}
	ct, err := base64.RawStdEncoding.DecodeString(rest)
	if err != nil {
		t.Fatal(err)
	}
	pt, err := a.Keys.Unseal(ctx, "accounts/second-factors", []byte("second-factor/"+u.ID), ct)
	if err != nil || string(pt) != secret {
		t.Fatalf("the sealed secret opens to %q, %v; want the account's own", pt, err)
	}
	if _, err := a.Keys.Unseal(ctx, "accounts/second-factors", []byte("second-factor/usr_other"), ct); err == nil {
		t.Fatal("the sealed secret opens for another account")
	}
	if n, err := a.Accounts.SealStoredSecondFactors(ctx); err != nil || n != 0 {
		t.Fatalf("sealing again: %d, %v; want nothing to do", n, err)
	}
	a.Close() // a clean close writes the WAL back into the file
	for _, f := range []string{dbPath, dbPath + "-wal"} {
		b, err := os.ReadFile(f)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if strings.Contains(string(b), secret) {
			t.Errorf("%s holds the second factor's secret in plain text", filepath.Base(f))
		}
	}
}
