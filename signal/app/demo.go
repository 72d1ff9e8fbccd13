package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/auth"
	"github.com/signaal-nl/signaal/signal/sqlite"
)

// demoActor is who the audit log names for the demo's set-up.
var demoActor = signal.Actor{UserID: "demo", Role: signal.RoleSystem}

// SeedDemo creates what is missing of the demo (signald serve --demo): the
// cooperation, its partners and the sqlite.DemoAccounts with the password
// sqlite.DemoPassword, then signals at every level the meeting can see and
// a meeting to look at (seedDemoMeeting). Running it again creates nothing
// twice. It goes through the use cases, so it is decided, sealed and
// audited like any set-up; it needs every part (All).
func (a *App) SeedDemo(ctx context.Context) error {
	if a.Signals == nil || a.Meetings == nil {
		return errors.New("app: the demo needs the signals and the meeting")
	}
	params := a.opts.PasswordParams
	if params == (auth.PasswordParams{}) {
		params = auth.DefaultPasswordParams
	}
	hash, err := auth.HashPassword(sqlite.DemoPassword, params)
	if err != nil {
		return err
	}
	if err := seedDemoAccounts(ctx, a.Accounts, hash); err != nil {
		return fmt.Errorf("seed the demo: %w", err)
	}
	if err := a.seedDemoMeeting(ctx, a.opts.Now()); err != nil {
		return fmt.Errorf("seed the demo meeting: %w", err)
	}
	return nil
}

// seedDemoAccounts creates what is missing of the demo cooperation: its
// partners and the sqlite.DemoAccounts with passwordHash.
func seedDemoAccounts(ctx context.Context, accounts *signal.Accounts, passwordHash string) error {
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
