package signal

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Agreement is a cooperation's privacy agreement (convenant) as data: the
// purposes it allows sharing for, with the data categories each may carry,
// the partner organisations that signed it, how long signals are kept, and
// the version and the day it was signed. What the policy is told about a
// recipient (recipient.in_agreement) and the purposes a reporter is offered
// come from it, not from the reporter.
type Agreement struct {
	CooperationID string
	Version       string
	SignedOn      Date
	// RetentionMonths is the retention period the agreement fixes.
	RetentionMonths int
	Purposes        []AgreedPurpose
	// Parties are the partner organisations that signed it (their ids; a
	// read fills in their names and kinds).
	Parties   []AgreementParty
	UpdatedAt time.Time
}

// AgreedPurpose is one purpose of the agreement and the data categories
// (the policy's fields) that may be shared for it.
type AgreedPurpose struct {
	Purpose Purpose
	Fields  []Field
}

// AgreementParty is an organisation that signed the agreement.
type AgreementParty struct {
	OrgID string
	Name  string
	Kind  OrgKind
}

// AgreedPurposes are the purposes an agreement may name: every purpose but
// "other", which is by definition outside it.
var AgreedPurposes = []Purpose{PurposeCoordinateSupport, PurposeSafetyRisk, PurposeRadicalisationConcern}

// Validate reports every problem with a as field errors, named as the
// console's form and `signald agreement set` name them.
func (a *Agreement) Validate() error {
	var fe FieldErrors
	switch v := strings.TrimSpace(a.Version); {
	case v == "":
		fe.Add("version", "required")
	case utf8.RuneCountInString(v) > 40:
		fe.Add("version", "at most 40 characters")
	}
	if a.SignedOn.IsZero() {
		fe.Add("signed_on", "required (YYYY-MM-DD)")
	}
	if a.RetentionMonths < 1 || a.RetentionMonths > 120 {
		fe.Add("retention_months", "must be a whole number of months from 1 to 120")
	}
	if len(a.Purposes) == 0 {
		fe.Add("purposes", "name at least one purpose")
	}
	seen := map[Purpose]bool{}
	for _, p := range a.Purposes {
		path := "purposes." + string(p.Purpose)
		switch {
		case !oneOf(p.Purpose, AgreedPurposes):
			fe.Add("purposes", unknownValue(p.Purpose, AgreedPurposes))
			continue
		case seen[p.Purpose]:
			fe.Add(path, "listed twice")
		}
		seen[p.Purpose] = true
		if len(p.Fields) == 0 {
			fe.Add(path+".fields", "name at least one data category")
		}
		for _, f := range p.Fields {
			if !oneOf(f, Fields) {
				fe.Add(path+".fields", unknownValue(f, Fields))
			}
		}
	}
	if len(a.Parties) == 0 {
		fe.Add("parties", "name at least one partner organisation")
	}
	return fe.Err()
}

// Covers returns the agreed purpose p, if the agreement names it.
func (a Agreement) Covers(p Purpose) (AgreedPurpose, bool) {
	for _, ap := range a.Purposes {
		if ap.Purpose == p {
			return ap, true
		}
	}
	return AgreedPurpose{}, false
}

// Party reports whether organisation orgID signed the agreement.
func (a Agreement) Party(orgID string) bool {
	return slices.ContainsFunc(a.Parties, func(p AgreementParty) bool { return p.OrgID == orgID })
}

// RecipientInAgreement is what the policy is told as recipient.in_agreement
// for a signal of a reporter of organisation reporterOrg, for purpose
// (nil: not chosen yet) and recipient role: the recipient is a party only
// when the reporter's organisation signed, the purpose (once chosen) is one
// of the agreement's, and the recipient is the cooperation's signal meeting,
// a partner's contact person, the reporter's own organisation, or the police
// when a police organisation signed. Veilig Thuis, a court's supervisor, a
// parent and anyone else never are.
func (a Agreement) RecipientInAgreement(reporterOrg string, purpose *Purpose, role RecipientRole) bool {
	if !a.Party(reporterOrg) {
		return false
	}
	if purpose != nil && *purpose != PurposeOther {
		if _, ok := a.Covers(*purpose); !ok {
			return false
		}
	}
	switch role {
	case RecipientSignalMeeting, RecipientPartnerContact, RecipientOwnOrganisation:
		return true
	case RecipientPolice:
		return slices.ContainsFunc(a.Parties, func(p AgreementParty) bool { return p.Kind == OrgPolice })
	}
	return false
}

// AgreementStore keeps each cooperation's agreement.
type AgreementStore interface {
	// Agreement returns the agreement of cooperation coopID with its
	// parties' names and kinds; CodeNotFound when none is recorded.
	Agreement(ctx context.Context, coopID string) (Agreement, error)
	// SetAgreement replaces the agreement of a.CooperationID with a and
	// appends events, in one unit. CodeInvalid when a party is not an
	// organisation of that cooperation.
	SetAgreement(ctx context.Context, actor Actor, a Agreement, events []AuditEvent) error
}

// AgreementReader reads a cooperation's agreement (AgreementStore.Agreement).
type AgreementReader interface {
	Agreement(ctx context.Context, coopID string) (Agreement, error)
}

// withAgreement sets the policy's recipient.in_agreement from the
// agreement of the reporter's cooperation, whatever the reporter answered.
// A cooperation that has recorded no agreement yet keeps the answer (and
// the default recipient's), as before agreements were data.
func (s *Signals) withAgreement(ctx context.Context, actor Actor, in DecisionInput) (DecisionInput, error) {
	if s.agreements == nil {
		return in, nil
	}
	a, ok, err := s.agreementOf(ctx, actor)
	if err != nil || !ok {
		return in, err
	}
	role := RecipientSignalMeeting
	if in.Recipient.Role != nil {
		role = *in.Recipient.Role
	}
	yes := a.RecipientInAgreement(actor.OrgID, in.Purpose, role)
	in.Recipient.InAgreement = &yes
	return in, nil
}

func (s *Signals) agreementOf(ctx context.Context, actor Actor) (Agreement, bool, error) {
	coop, err := s.disclosure.cooperationOf(ctx, actor)
	if err != nil {
		return Agreement{}, false, err
	}
	a, err := s.agreements.Agreement(ctx, coop)
	switch {
	case ErrorCode(err) == CodeNotFound:
		return Agreement{}, false, nil
	case err != nil:
		return Agreement{}, false, err
	}
	return a, true, nil
}

// Offer is what the reporter's form offers under the cooperation's
// agreement: the purposes it names (then "other", outside it) and, per
// recipient role, whether that recipient is a party.
type Offer struct {
	// Recorded is false when the cooperation has recorded no agreement:
	// then everything is offered as before.
	Recorded  bool
	Version   string
	Purposes  []Purpose
	Recipient map[RecipientRole]bool
}

// Offer returns what the reporter's form offers under the agreement of
// the reporter's cooperation.
//
// Callers: a reporter.
// Errors: CodeForbidden for anyone else.
func (s *Signals) Offer(ctx context.Context, actor Actor) (Offer, error) {
	if actor.Role != RoleReporter {
		return Offer{}, Errorf(CodeForbidden, "only reporters submit signals")
	}
	out := Offer{Purposes: Purposes, Recipient: map[RecipientRole]bool{}}
	if s.agreements == nil {
		return out, nil
	}
	a, ok, err := s.agreementOf(ctx, actor)
	if err != nil || !ok {
		return out, err
	}
	out.Recorded, out.Version, out.Purposes = true, a.Version, nil
	for _, p := range AgreedPurposes {
		if _, ok := a.Covers(p); ok {
			out.Purposes = append(out.Purposes, p)
		}
	}
	out.Purposes = append(out.Purposes, PurposeOther)
	for _, r := range RecipientRoles {
		out.Recipient[r] = a.RecipientInAgreement(actor.OrgID, nil, r)
	}
	return out, nil
}

// ParseRetentionMonths reads a form's retention in months, naming the field.
func ParseRetentionMonths(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0, Invalid(FieldError{Field: "retention_months", Problem: "must be a whole number of months from 1 to 120"})
	}
	return n, nil
}
