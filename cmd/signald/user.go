package main

import (
	"context"
	"fmt"

	"github.com/signaal-nl/signaal/signal"
)

var userCommand = command{
	name:    "user",
	summary: "add an account (password from stdin), disable or enable one",
	run: dispatch("user", []subcommand{
		{name: "add", summary: "add an account; the password is read from stdin", run: userAdd},
		{name: "disable", summary: "disable an account: no login, its sessions end at once", run: userSetDisabled(true)},
		{name: "enable", summary: "enable a disabled account", run: userSetDisabled(false)},
		{name: "link-sso", summary: "link the subject id an organisation's issuer gives a person to their account (--claim sub)", run: userLinkSSO},
		{name: "reset-second-factor", summary: "remove an account's second factor (a lost phone): it sets one up at its next login; its sessions end", run: userResetSecondFactor},
	}),
}

func userAdd(ctx context.Context, args []string, std stdio) error {
	fs := newFlagSet("user add", "user add --email ADDRESS --name NAME --org NAME|ID --role ROLE  < password", std.err)
	db := dbFlag(fs)
	var u signal.User
	var org, role string
	fs.StringVar(&u.Email, "email", "", "email `address`, the login name")
	fs.StringVar(&u.Name, "name", "", "display `name`")
	fs.StringVar(&org, "org", "", "the organisation's `name or id`")
	fs.StringVar(&role, "role", "", "`role`: reporter, coordinator, privacy_officer or admin")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	u.Role = signal.Role(role)
	u.OrgID = org // validated as present; resolved below
	if err := u.Validate(); err != nil {
		return fieldUsage(err)
	}
	pw, err := readPassword(std)
	if err != nil {
		return err
	}
	if err := signal.CheckPassword(pw); err != nil {
		return usageError("password (stdin): %s", err.(*signal.Error).Fields[0].Problem)
	}
	d, accounts, err := openExisting(ctx, *db)
	if err != nil {
		return err
	}
	defer d.Close()
	o, err := accounts.Organisation(ctx, cliActor, org)
	if err != nil {
		return usageError("--org: %v", err)
	}
	u.OrgID = o.ID
	if err := accounts.CreateUser(ctx, cliActor, &u, pw); err != nil {
		return fieldUsage(err)
	}
	fmt.Fprintf(std.out, "Added %s (%s, %s): id %s\n", u.Email, u.Role, o.Name, u.ID)
	return d.Close()
}

// userByEmail is a `signald user VERB --email ADDRESS` command: it opens
// the database, runs do on the account named and prints done.
func userByEmail(verb string, do func(ctx context.Context, accounts *signal.Accounts, email string) error, done func(email string) string) func(ctx context.Context, args []string, std stdio) error {
	return func(ctx context.Context, args []string, std stdio) error {
		fs := newFlagSet("user "+verb, "user "+verb+" --email ADDRESS", std.err)
		db := dbFlag(fs)
		email := fs.String("email", "", "the account's email `address`")
		if err := parseFlags(fs, args); err != nil {
			return err
		}
		if *email == "" {
			return usageError("--email: required")
		}
		d, accounts, err := openExisting(ctx, *db)
		if err != nil {
			return err
		}
		defer d.Close()
		if err := do(ctx, accounts, *email); err != nil {
			return fieldUsage(err)
		}
		fmt.Fprintln(std.out, done(*email))
		return d.Close()
	}
}

func userSetDisabled(disabled bool) func(ctx context.Context, args []string, std stdio) error {
	verb := "enable"
	if disabled {
		verb = "disable"
	}
	return userByEmail(verb, func(ctx context.Context, accounts *signal.Accounts, email string) error {
		return accounts.SetUserDisabled(ctx, cliActor, email, disabled)
	}, func(email string) string { return verb + "d " + email })
}

// userResetSecondFactor: `signald user reset-second-factor --email ADDRESS`.
var userResetSecondFactor = userByEmail("reset-second-factor", func(ctx context.Context, accounts *signal.Accounts, email string) error {
	return accounts.ResetSecondFactor(ctx, cliActor, email)
}, func(email string) string {
	return "Second factor of " + email + " reset: it sets up a new one at its next login; its sessions have ended"
})

// userLinkSSO: `signald user link-sso --email ADDRESS --subject ID`.
func userLinkSSO(ctx context.Context, args []string, std stdio) error {
	fs := newFlagSet("user link-sso", "user link-sso --email ADDRESS --subject ID", std.err)
	db := dbFlag(fs)
	email := fs.String("email", "", "the account's email `address`")
	subject := fs.String("subject", "", "the subject `id` (the sub claim) the organisation's issuer gives the person")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	d, accounts, err := openExisting(ctx, *db)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := accounts.LinkSubject(ctx, cliActor, *email, *subject); err != nil {
		return fieldUsage(err)
	}
	fmt.Fprintf(std.out, "Linked %s to subject %s of its organisation's issuer\n", *email, *subject)
	return d.Close()
}
