package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/signaal-nl/signaal/signal"
)

var orgCommand = command{
	name:    "org",
	summary: "add a partner organisation, name its contact person and deputy, set its sign-in",
	run: dispatch("org", []subcommand{
		{name: "add", summary: "add a partner organisation to a cooperation", run: orgAdd},
		{name: "contacts", summary: "name an organisation's contact person and deputy", run: orgContacts},
		{name: "sso", summary: "let an organisation's people sign in through its OpenID Connect issuer (Entra ID, Entree Federatie)", run: orgSSO},
	}),
}

func personFlags(fs interface {
	StringVar(*string, string, string, string)
}, role string, p *signal.Person) {
	fs.StringVar(&p.Name, role+"-name", "", "the "+role+" person's `name`")
	fs.StringVar(&p.Email, role+"-email", "", "the "+role+" person's email `address`")
	fs.StringVar(&p.Phone, role+"-phone", "", "the "+role+" person's `phone` number (optional)")
}

func orgAdd(ctx context.Context, args []string, std stdio) error {
	fs := newFlagSet("org add", "org add --name NAME --kind KIND --cooperation NAME --contact-name … --contact-email … --deputy-name … --deputy-email …", std.err)
	db := dbFlag(fs)
	var o signal.Organisation
	var kind, coop string
	fs.StringVar(&o.Name, "name", "", "the organisation's `name`, unique")
	fs.StringVar(&kind, "kind", "", "`kind`: school, youth_work, municipality, jgz, wijkteam, leerplicht or police")
	fs.StringVar(&coop, "cooperation", "", "the cooperation's `name`; created with its signal meeting if new")
	personFlags(fs, "contact", &o.Contact)
	personFlags(fs, "deputy", &o.Deputy)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	o.Kind = signal.OrgKind(kind)
	d, accounts, err := openExisting(ctx, *db)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := accounts.CreateOrganisation(ctx, cliActor, &o, coop); err != nil {
		return fieldUsage(err)
	}
	fmt.Fprintf(std.out, "Added %s (%s) to %s: id %s, contact %s, deputy %s\n", o.Name, o.Kind, coop, o.ID, o.Contact.Email, o.Deputy.Email)
	return d.Close()
}

func orgContacts(ctx context.Context, args []string, std stdio) error {
	fs := newFlagSet("org contacts", "org contacts --org NAME|ID --contact-name … --contact-email … --deputy-name … --deputy-email …", std.err)
	db := dbFlag(fs)
	var contact, deputy signal.Person
	org := fs.String("org", "", "the organisation's `name or id`")
	personFlags(fs, "contact", &contact)
	personFlags(fs, "deputy", &deputy)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *org == "" {
		return usageError("--org: required")
	}
	d, accounts, err := openExisting(ctx, *db)
	if err != nil {
		return err
	}
	defer d.Close()
	o, err := accounts.SetContacts(ctx, cliActor, *org, contact, deputy)
	if err != nil {
		return fieldUsage(err)
	}
	fmt.Fprintf(std.out, "%s: contact %s, deputy %s\n", o.Name, contact.Email, deputy.Email)
	return d.Close()
}

// orgSSO: `signald org sso --org NAME|ID --issuer URL --client-id ID
// --secret-file PATH --claim email|sub`, or with --show only, the settings.
func orgSSO(ctx context.Context, args []string, std stdio) error {
	fs := newFlagSet("org sso", "org sso --org NAME|ID --issuer URL --client-id ID --secret-file PATH --claim email|sub  (or --org NAME|ID --show)", std.err)
	db := dbFlag(fs)
	org := fs.String("org", "", "the organisation's `name or id`")
	var s signal.OIDCSettings
	var claim string
	fs.StringVar(&s.Issuer, "issuer", "", "the issuer `URL` (its /.well-known/openid-configuration is read)")
	fs.StringVar(&s.ClientID, "client-id", "", "the client (application) `id` registered at the issuer")
	fs.StringVar(&s.SecretFile, "secret-file", "", "absolute `path` of a file holding the client secret (readable by signald only)")
	fs.StringVar(&claim, "claim", "email", "what names the account: email (an address the issuer verified) or sub (the subject id, linked with signald user link-sso)")
	show := fs.Bool("show", false, "show the organisation's settings instead")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *org == "" {
		return usageError("--org: required")
	}
	s.Claim = signal.IdentityClaim(claim)
	if !*show {
		if err := s.Validate(); err != nil {
			return ssoUsage(err)
		}
		if fi, err := os.Stat(s.SecretFile); err != nil || !fi.Mode().IsRegular() {
			return usageError("--secret-file: %s is not a readable file", s.SecretFile)
		} else if fi.Mode().Perm()&0o077 != 0 {
			return usageError("--secret-file: %s can be read by others (mode %o); chmod 600 it", s.SecretFile, fi.Mode().Perm())
		}
	}
	d, accounts, err := openExisting(ctx, *db)
	if err != nil {
		return err
	}
	defer d.Close()
	if *show {
		got, err := accounts.OrgOIDC(ctx, cliActor, *org)
		if err != nil {
			return err
		}
		fmt.Fprintf(std.out, "issuer %s\nclient id %s\nsecret file %s\nclaim %s\nset %s\n", got.Issuer, got.ClientID, got.SecretFile, got.Claim, got.UpdatedAt.Format(time.RFC3339))
		return d.Close()
	}
	set, err := accounts.SetOrgOIDC(ctx, cliActor, *org, s)
	if err != nil {
		return ssoUsage(err)
	}
	fmt.Fprintf(std.out, "%s signs in through %s (client %s, by %s); register the redirect URI https://<your host>/login/sso/terug there\n",
		*org, set.Issuer, set.ClientID, set.Claim)
	return d.Close()
}

// ssoUsage names the flags of the settings' fields.
func ssoUsage(err error) error {
	var se *signal.Error
	if errors.As(err, &se) && se.Code == signal.CodeInvalid {
		for i := range se.Fields {
			se.Fields[i].Field = strings.ReplaceAll(se.Fields[i].Field, "_", "-")
		}
	}
	return fieldUsage(err)
}
