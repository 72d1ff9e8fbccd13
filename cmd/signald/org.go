package main

import (
	"context"
	"fmt"

	"github.com/signaal-nl/signaal/signal"
)

var orgCommand = command{
	name:    "org",
	summary: "add a partner organisation, or name its contact person and deputy",
	run: dispatch("org", []subcommand{
		{name: "add", summary: "add a partner organisation to a cooperation", run: orgAdd},
		{name: "contacts", summary: "name an organisation's contact person and deputy", run: orgContacts},
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
