package app

import (
	"context"
	"errors"
	"fmt"
	"slices"

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
	if err := seedDemoAgreement(ctx, a.Admin); err != nil {
		return fmt.Errorf("seed the demo agreement: %w", err)
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

// seedDemoAgreement records the demo cooperation's privacy agreement
// unless one is recorded: every purpose with every data category, all
// three partners party to it. The demo reporters' purposes and whether a
// recipient is a party then come from it, as in a real cooperation (no
// police partner: the police is no party).
func seedDemoAgreement(ctx context.Context, admin *signal.Administration) error {
	org := sqlite.DemoOrganisations[0].Name
	switch _, err := admin.AgreementOf(ctx, demoActor, org); {
	case err == nil:
		return nil
	case signal.ErrorCode(err) != signal.CodeNotFound:
		return err
	}
	signed, _ := signal.ParseDate("2026-01-15")
	ag := signal.Agreement{Version: "Demo-2026", SignedOn: signed, RetentionMonths: 24}
	for _, p := range signal.AgreedPurposes {
		ag.Purposes = append(ag.Purposes, signal.AgreedPurpose{Purpose: p, Fields: slices.Clone(signal.Fields)})
	}
	for _, o := range sqlite.DemoOrganisations {
		ag.Parties = append(ag.Parties, signal.AgreementParty{OrgID: o.Name})
	}
	return admin.SetAgreementOf(ctx, demoActor, org, &ag)
}
