package main

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/app"
	"github.com/signaal-nl/signaal/signal/sqlite"
)

// The promise of signald agreement to whoever scripts a set-up: the
// agreement it records is the one the console shows and the reporters'
// form offers (the same use case), bad input names the flag and records
// nothing, and it is on record under the operator.
func TestAgreementCommandRecordsTheConsolesAgreement(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "signaal.db")
	d, err := sqlite.Open(ctx, db, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	orgAdd := func(name, kind, coop, contact string) {
		t.Helper()
		if code, _, errs := runCmd(t, "", "org", "add", "--db", db, "--name", name, "--kind", kind, "--cooperation", coop,
			"--contact-name", "A", "--contact-email", contact+"@a.nl", "--deputy-name", "B", "--deputy-email", contact+"@b.nl"); code != 0 {
			t.Fatalf("org add %s: %d %s", name, code, errs)
		}
	}
	orgAdd("Het Lyceum", "school", "Samenwerking Noord", "lyceum")
	orgAdd("Jongerenwerk Noord", "youth_work", "Samenwerking Noord", "jw")
	orgAdd("School Elders", "school", "Samenwerking Zuid", "elders")

	set := []string{"agreement", "set", "--db", db, "--org", "Jongerenwerk Noord", "--version", "Noord-2026", "--signed-on", "2026-09-01",
		"--retention-months", "24", "--purpose", "coordinate_support=identity,facts", "--purpose", "safety_risk=facts",
		"--party", "Het Lyceum", "--party", "Jongerenwerk Noord"}
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"nothing", []string{"agreement", "set", "--db", db, "--org", "Het Lyceum"}, "--version: required; --signed-on: required (YYYY-MM-DD); --retention-months: must be a whole number"},
		{"a bad date and months", append(slices.Clone(set), "--signed-on", "1 september", "--retention-months", "twee jaar"), "--signed-on: not a date"},
		{"an unknown purpose", append(slices.Clone(set), "--purpose", "curiosity=facts"), "--purpose: unknown value \"curiosity\"; allowed: coordinate_support"},
		{"a purpose without data", append(slices.Clone(set), "--purpose", "radicalisation_concern"), "--purpose: \"radicalisation_concern\": write purpose=field,field"},
		{"a party of another cooperation", append(slices.Clone(set), "--party", "School Elders"), "--party: School Elders is no partner of Samenwerking Noord"},
		{"no organisation", []string{"agreement", "set", "--db", db, "--version", "x"}, "--org: required"},
	} {
		if code, _, errs := runCmd(t, "", c.args...); code != 2 || !strings.Contains(errs, c.want) {
			t.Errorf("%s: %d %q; want 2 and %q", c.name, code, errs, c.want)
		}
	}
	if code, _, errs := runCmd(t, "", "agreement", "show", "--db", db, "--org", "Het Lyceum"); code == 0 || !strings.Contains(errs, "no agreement recorded") {
		t.Fatalf("show before any was recorded (a refused one recorded nothing): %d %q", code, errs)
	}
	if code, out, errs := runCmd(t, "", set...); code != 0 || !strings.Contains(out, "Recorded agreement Noord-2026") {
		t.Fatalf("agreement set: %d %q %q", code, out, errs)
	}
	code, out, errs := runCmd(t, "", "agreement", "show", "--db", db, "--org", "Het Lyceum")
	for _, want := range []string{"version Noord-2026, signed 2026-09-01, retention 24 months", "purpose coordinate_support: identity, facts", "purpose safety_risk: facts", "party Het Lyceum (school", "party Jongerenwerk Noord (youth_work"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("agreement show: %d %q %q; want %q", code, out, errs, want)
		}
	}

	// The same agreement is what the reporter's form offers, and the
	// console's map shows; the other cooperation has none.
	a, err := app.Open(ctx, app.Options{DB: db})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	lyceum, err := a.Accounts.Organisation(ctx, cliActor, "Het Lyceum")
	if err != nil {
		t.Fatal(err)
	}
	offer, err := a.Services.Signals.Offer(ctx, signal.Actor{UserID: "usr_x", OrgID: lyceum.ID, Role: signal.RoleReporter})
	if err != nil || !offer.Recorded || offer.Version != "Noord-2026" || len(offer.Purposes) != 3 || offer.Purposes[1] != signal.PurposeSafetyRisk || offer.Recipient[signal.RecipientPolice] {
		t.Errorf("the reporter's offer: %+v, %v; want the agreement's two purposes and other, no police", offer, err)
	}
	m, err := a.Admin.Map(ctx, signal.Actor{UserID: "usr_x", OrgID: lyceum.ID, Role: signal.RoleAdmin})
	if err != nil || m.Agreement == nil || m.Agreement.Version != "Noord-2026" {
		t.Errorf("the console's map: %+v, %v", m.Agreement, err)
	}
	elders, _ := a.Accounts.Organisation(ctx, cliActor, "School Elders")
	if offer, err := a.Services.Signals.Offer(ctx, signal.Actor{UserID: "usr_y", OrgID: elders.ID, Role: signal.RoleReporter}); err != nil || offer.Recorded {
		t.Errorf("another cooperation's offer: %+v, %v; want none recorded", offer, err)
	}
	var n int
	a.DB.Read().QueryRow(`SELECT count(*) FROM audit_entries WHERE action = ? AND actor_user = 'cli'`, signal.ActionAgreementSet).Scan(&n)
	if n != 1 {
		t.Errorf("%d agreement.set entries by cli; want 1", n)
	}
	// Only the operator names a cooperation this way.
	if err := a.Admin.SetAgreementOf(ctx, signal.Actor{UserID: "usr_x", OrgID: lyceum.ID, Role: signal.RoleAdmin}, "School Elders", &signal.Agreement{}); signal.ErrorCode(err) != signal.CodeForbidden {
		t.Errorf("an administrator naming another cooperation: %v; want forbidden", err)
	}
}
