package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/signaal-nl/signaal/signal"
)

// signald agreement: the cooperation's privacy agreement for scripted
// set-ups, through the same use case as the console's /beheer/convenant
// (signal.Administration), audited agreement.set with actor cli.
var agreementCommand = command{
	name:    "agreement",
	summary: "record or show a cooperation's privacy agreement (convenant)",
	run: dispatch("agreement", []subcommand{
		{name: "set", summary: "record the agreement as signed: version, date, retention, purposes with their data, parties", run: agreementSet},
		{name: "show", summary: "show the recorded agreement", run: agreementShow},
	}),
}

// repeated is a flag that may be given more than once.
type repeated []string

func (r *repeated) String() string     { return strings.Join(*r, " ") }
func (r *repeated) Set(v string) error { *r = append(*r, v); return nil }

func agreementSet(ctx context.Context, args []string, std stdio) error {
	fs := newFlagSet("agreement set", "agreement set --org NAME|ID --version V --signed-on YYYY-MM-DD --retention-months N --purpose PURPOSE=FIELD,FIELD… (repeat) --party NAME|ID (repeat)", std.err)
	db := dbFlag(fs)
	org := fs.String("org", "", "an organisation of the cooperation (`name or id`)")
	var a signal.Agreement
	var signed, months string
	var purposes, parties repeated
	fs.StringVar(&a.Version, "version", "", "the agreement's `version` as signed")
	fs.StringVar(&signed, "signed-on", "", "the `date` it was signed, YYYY-MM-DD")
	fs.StringVar(&months, "retention-months", "", "the retention it fixes, in `months` (1 to 120)")
	fs.Var(&purposes, "purpose", "a purpose and the data that may be shared for it, `purpose=field,field`: purposes coordinate_support, safety_risk, radicalisation_concern; fields as the policy's (identity, facts, …)")
	fs.Var(&parties, "party", "a partner that signed (`name or id`); repeat for each")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var fe signal.FieldErrors
	if signed != "" {
		d, err := signal.ParseDate(signed)
		if err != nil {
			fe.Add("signed_on", "not a date (YYYY-MM-DD)")
		}
		a.SignedOn = d
	}
	if months != "" {
		n, err := strconv.Atoi(strings.TrimSpace(months))
		if err != nil {
			fe.Add("retention_months", "must be a whole number of months from 1 to 120")
		}
		a.RetentionMonths = n
	}
	for _, p := range purposes {
		name, fields, ok := strings.Cut(p, "=")
		if !ok || strings.TrimSpace(fields) == "" {
			fe.Add("purpose", fmt.Sprintf("%q: write purpose=field,field", p))
			continue
		}
		ap := signal.AgreedPurpose{Purpose: signal.Purpose(strings.TrimSpace(name))}
		for _, f := range strings.Split(fields, ",") {
			ap.Fields = append(ap.Fields, signal.Field(strings.TrimSpace(f)))
		}
		a.Purposes = append(a.Purposes, ap)
	}
	for _, p := range parties {
		a.Parties = append(a.Parties, signal.AgreementParty{OrgID: p})
	}
	if err := fe.Err(); err != nil {
		return agreementUsage(err)
	}
	d, _, err := openExisting(ctx, *db)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Admin.SetAgreementOf(ctx, cliActor, *org, &a); err != nil {
		return agreementUsage(err)
	}
	fmt.Fprintf(std.out, "Recorded agreement %s (signed %s, retention %d months): %d purposes, %d parties\n",
		a.Version, a.SignedOn, a.RetentionMonths, len(a.Purposes), len(a.Parties))
	return d.Close()
}

func agreementShow(ctx context.Context, args []string, std stdio) error {
	fs := newFlagSet("agreement show", "agreement show --org NAME|ID", std.err)
	db := dbFlag(fs)
	org := fs.String("org", "", "an organisation of the cooperation (`name or id`)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	d, _, err := openExisting(ctx, *db)
	if err != nil {
		return err
	}
	defer d.Close()
	a, err := d.Admin.AgreementOf(ctx, cliActor, *org)
	if signal.ErrorCode(err) == signal.CodeNotFound {
		return fmt.Errorf("no agreement recorded for the cooperation of %s (or no such organisation)", *org)
	}
	if err != nil {
		return agreementUsage(err)
	}
	fmt.Fprintf(std.out, "version %s, signed %s, retention %d months\n", a.Version, a.SignedOn, a.RetentionMonths)
	for _, p := range a.Purposes {
		var fields []string
		for _, f := range p.Fields {
			fields = append(fields, string(f))
		}
		fmt.Fprintf(std.out, "purpose %s: %s\n", p.Purpose, strings.Join(fields, ", "))
	}
	for _, p := range a.Parties {
		fmt.Fprintf(std.out, "party %s (%s, %s)\n", p.Name, p.Kind, p.OrgID)
	}
	return d.Close()
}

// agreementUsage names the flags of a refused agreement: the use case's
// fields (purposes.<purpose>.fields, parties, signed_on) as this
// command's (--purpose, --party, --signed-on).
func agreementUsage(err error) error {
	var se *signal.Error
	if !errors.As(err, &se) || se.Code != signal.CodeInvalid {
		return err
	}
	out := *se
	out.Fields = nil
	for _, f := range se.Fields {
		switch {
		case f.Field == "purposes" || strings.HasPrefix(f.Field, "purposes."):
			f.Problem = strings.TrimPrefix(strings.TrimPrefix(f.Field, "purposes"), ".") + " " + f.Problem
			f.Field = "purpose"
		case f.Field == "parties":
			f.Field = "party"
		}
		f.Field = strings.ReplaceAll(f.Field, "_", "-")
		f.Problem = strings.TrimSpace(f.Problem)
		out.Fields = append(out.Fields, f)
	}
	return fieldUsage(&out)
}
