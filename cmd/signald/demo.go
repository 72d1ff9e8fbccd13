package main

import (
	"context"
	"fmt"

	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/sqlite"
)

// demoActor is who the audit log names for the demo's set-up.
var demoActor = signal.Actor{UserID: "demo", Role: signal.RoleSystem}

// seedDemo creates what is missing of the demo cooperation: its partners and
// the sqlite.DemoAccounts with passwordHash (the hash of
// sqlite.DemoPassword). Running it again creates nothing twice. It is
// audited like any set-up.
func seedDemo(ctx context.Context, accounts *signal.Accounts, passwordHash string) error {
	for _, o := range sqlite.DemoOrganisations {
		err := accounts.CreateOrganisation(ctx, demoActor, &o, sqlite.DemoCooperation)
		if err != nil && signal.ErrorCode(err) != signal.CodeConflict {
			return fmt.Errorf("create demo organisation %s: %w", o.Name, err)
		}
	}
	for _, a := range sqlite.DemoAccounts {
		u := &signal.User{Email: a.Email, Name: a.Name, OrgID: a.Org, Role: a.Role}
		err := accounts.SeedUser(ctx, demoActor, u, passwordHash)
		if err != nil && signal.ErrorCode(err) != signal.CodeConflict {
			return fmt.Errorf("create demo account %s: %w", a.Email, err)
		}
	}
	return nil
}
