package signal

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// CooperationDirectory lists a cooperation's organisations and accounts.
type CooperationDirectory interface {
	// Organisations returns the partners of cooperation coopID by name.
	Organisations(ctx context.Context, coopID string) ([]Organisation, error)
	// Users returns the accounts of the partners of coopID.
	Users(ctx context.Context, coopID string) ([]User, error)
}

// OrganisationPartStore keeps what a partner does in the cooperation.
type OrganisationPartStore interface {
	// SetPart stores part for organisation orgID with events, in one unit.
	// CodeNotFound for an unknown organisation.
	SetPart(ctx context.Context, actor Actor, orgID, part string, events []AuditEvent) error
}

// AdministrationDeps are what NewAdministration needs; Now defaults to
// time.Now.
type AdministrationDeps struct {
	Accounts   *Accounts
	Directory  CooperationDirectory
	Agreements AgreementStore
	Parts      OrganisationPartStore
	Standing   MeetingStandingStore
	// Invitations and Sender make invitations by e-mail; without either,
	// Invite answers CodeUnavailable.
	Invitations InvitationStore
	Sender      InvitationSender
	// Factors resets an account's second factor (Accounts, once second
	// factors exist); nil: the console offers no reset.
	Factors interface {
		ResetSecondFactor(ctx context.Context, actor Actor, email string) error
	}
	Users interface {
		UserByID(ctx context.Context, id string) (User, error)
	}
	// Secrets keeps the client secrets the console records for a
	// partner's sign-in (SetPartnerSignIn); nil: the console cannot.
	Secrets SecretFiles
	Now     func() time.Time
}

// Administration is the administrator's console (functioneel beheer): the
// partners of the administrator's own cooperation and their contact
// persons, what each does, the privacy agreement, and the accounts. Every
// change is audited; it goes through the same Accounts use cases that
// signald's commands call.
type Administration struct {
	d AdministrationDeps
}

// NewAdministration returns the console's use cases.
func NewAdministration(d AdministrationDeps) *Administration {
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Administration{d: d}
}

// Partner is one organisation on the social map: who they are, what they
// do, whom to call, whether they signed the agreement, and (for an
// administrator only) their accounts.
type Partner struct {
	Organisation
	InAgreement bool
	// StandingMember: the partner takes part in every signal meeting.
	StandingMember bool
	Accounts       []User
}

// CooperationMap is the social map of a cooperation: "wie doet wat, wie
// bel ik", and its privacy agreement when one is recorded.
type CooperationMap struct {
	Cooperation Cooperation
	Partners    []Partner
	Agreement   *Agreement
	// Standing is when the signal meeting meets and who takes part, when
	// recorded.
	Standing *MeetingStanding
	// Invited holds, for the administrator, the accounts that have not
	// accepted their invitation yet: when the latest one expires (or
	// expired). Such an account cannot log in yet.
	Invited map[string]time.Time
}

// MaxPartLength is the longest description of what a partner does.
const MaxPartLength = 300

// Map returns the social map of actor's own cooperation. Accounts are
// filled in for an administrator only.
//
// Callers: anyone logged in (a newcomer looks up whom to call).
// Errors: CodeNotFound when actor's organisation is gone.
func (ad *Administration) Map(ctx context.Context, actor Actor) (CooperationMap, error) {
	_, coop, err := ad.d.Accounts.Membership(ctx, actor)
	if err != nil {
		return CooperationMap{}, err
	}
	orgs, err := ad.d.Directory.Organisations(ctx, coop.ID)
	if err != nil {
		return CooperationMap{}, err
	}
	m := CooperationMap{Cooperation: coop}
	ag, err := ad.d.Agreements.Agreement(ctx, coop.ID)
	switch {
	case err == nil:
		m.Agreement = &ag
	case ErrorCode(err) != CodeNotFound:
		return CooperationMap{}, err
	}
	if ad.d.Standing != nil {
		ms, err := ad.d.Standing.MeetingStanding(ctx, coop.ID)
		switch {
		case err == nil:
			m.Standing = &ms
		case ErrorCode(err) != CodeNotFound:
			return CooperationMap{}, err
		}
	}
	var users []User
	if actor.Role == RoleAdmin {
		if users, err = ad.d.Directory.Users(ctx, coop.ID); err != nil {
			return CooperationMap{}, err
		}
		if ad.d.Invitations != nil {
			if m.Invited, err = ad.d.Invitations.OpenInvitations(ctx, coop.ID); err != nil {
				return CooperationMap{}, err
			}
		}
	}
	for _, o := range orgs {
		p := Partner{Organisation: o, InAgreement: m.Agreement != nil && m.Agreement.Party(o.ID)}
		p.StandingMember = m.Standing != nil && slices.Contains(m.Standing.Members, o.ID)
		for _, u := range users {
			if u.OrgID == o.ID {
				p.Accounts = append(p.Accounts, u)
			}
		}
		m.Partners = append(m.Partners, p)
	}
	return m, nil
}

// MeetingPartners names the partners "het signaleringsoverleg" is for a
// reporter (issue 15 item 6): the standing members when recorded, else the
// partners that signed the privacy agreement, else every partner.
func (m CooperationMap) MeetingPartners() []string {
	var standing, signed, all []string
	for _, p := range m.Partners {
		all = append(all, p.Name)
		if p.StandingMember {
			standing = append(standing, p.Name)
		}
		if p.InAgreement {
			signed = append(signed, p.Name)
		}
	}
	switch {
	case len(standing) > 0:
		return standing
	case len(signed) > 0:
		return signed
	}
	return all
}

// ownCooperation is the administrator's cooperation; only an admin passes.
func (ad *Administration) ownCooperation(ctx context.Context, actor Actor) (Cooperation, error) {
	if actor.Role != RoleAdmin {
		return Cooperation{}, Errorf(CodeForbidden, "only an administrator manages the cooperation")
	}
	_, coop, err := ad.d.Accounts.Membership(ctx, actor)
	return coop, err
}

// partnerOf returns organisation orgID when it is a partner of coop;
// CodeNotFound otherwise (another cooperation's partners are not shown).
func (ad *Administration) partnerOf(ctx context.Context, coop Cooperation, orgID string) (Organisation, error) {
	o, err := ad.d.Accounts.dir.Organisation(ctx, orgID)
	if err == nil && o.CooperationID != coop.ID {
		err = Errorf(CodeNotFound, "no organisation %q", orgID)
	}
	return o, err
}

func validatePart(fe *FieldErrors, part string) {
	switch {
	case strings.TrimSpace(part) == "":
		fe.Add("part", "required: say what this partner does in the cooperation")
	case utf8.RuneCountInString(part) > MaxPartLength:
		fe.Add("part", "at most 300 characters")
	}
}

// AddPartner adds organisation o, with what it does (o.Part), to the
// administrator's cooperation, and audits org.create (and org.part).
//
// Callers: an admin.
// Errors: CodeForbidden, CodeInvalid (every field: name, kind, part,
// contact.*, deputy.*), CodeConflict (the name is taken).
func (ad *Administration) AddPartner(ctx context.Context, actor Actor, o *Organisation) error {
	coop, err := ad.ownCooperation(ctx, actor)
	if err != nil {
		return err
	}
	var fe FieldErrors
	validatePart(&fe, o.Part)
	addFields(&fe, o.Validate())
	if err := fe.Err(); err != nil {
		return err
	}
	o.Part = strings.TrimSpace(o.Part)
	return ad.d.Accounts.CreateOrganisation(ctx, actor, o, coop.Name)
}

// SetPartner changes what partner orgID does and names its contact person
// and deputy (both required, see Accounts.SetContacts); each change is
// audited (org.part, org.contacts).
//
// Callers: an admin, for a partner of their own cooperation.
// Errors: CodeForbidden, CodeInvalid (part, contact.*, deputy.*),
// CodeNotFound (not a partner of this cooperation).
func (ad *Administration) SetPartner(ctx context.Context, actor Actor, orgID, part string, contact, deputy Person) error {
	coop, err := ad.ownCooperation(ctx, actor)
	if err != nil {
		return err
	}
	o, err := ad.partnerOf(ctx, coop, orgID)
	if err != nil {
		return err
	}
	var fe FieldErrors
	validatePart(&fe, part)
	check := Organisation{Name: o.Name, Kind: o.Kind, Contact: contact, Deputy: deputy}
	addFields(&fe, check.Validate())
	if err := fe.Err(); err != nil {
		return err
	}
	if part = strings.TrimSpace(part); part != o.Part {
		if err := ad.d.Parts.SetPart(ctx, actor, o.ID, part, []AuditEvent{{Action: ActionOrgPart, Object: "org/" + o.ID}}); err != nil {
			return err
		}
	}
	_, err = ad.d.Accounts.SetContacts(ctx, actor, o.ID, contact, deputy)
	return err
}

// SetAgreement records the privacy agreement of the administrator's
// cooperation (replacing the one before) and audits agreement.set. From
// then on recipient.in_agreement and the purposes offered to reporters
// come from it.
//
// Callers: an admin.
// Errors: CodeForbidden, CodeInvalid (Agreement.Validate; a party that is
// not a partner of this cooperation).
func (ad *Administration) SetAgreement(ctx context.Context, actor Actor, a *Agreement) error {
	coop, err := ad.ownCooperation(ctx, actor)
	if err != nil {
		return err
	}
	return ad.setAgreement(ctx, actor, coop, a)
}

// operatorCooperation is the cooperation of organisation org (id or name)
// for the operator at the server's shell.
func (ad *Administration) operatorCooperation(ctx context.Context, actor Actor, org string) (Cooperation, error) {
	if actor.Role != RoleSystem {
		return Cooperation{}, Errorf(CodeForbidden, "only the operator names a cooperation by one of its organisations")
	}
	if strings.TrimSpace(org) == "" {
		return Cooperation{}, Invalid(FieldError{Field: "org", Problem: "required"})
	}
	o, err := ad.d.Accounts.dir.Organisation(ctx, strings.TrimSpace(org))
	if err != nil {
		return Cooperation{}, err
	}
	return ad.d.Accounts.dir.CooperationOf(ctx, o.ID)
}

// SetAgreementOf is SetAgreement for scripted set-ups: the agreement of
// the cooperation of organisation org (its id or name), recorded by the
// operator. Parties may be named by id or name. The same checks and audit
// (agreement.set) as the console's.
//
// Callers: the operator (RoleSystem, signald agreement set).
// Errors: CodeForbidden, CodeInvalid (org, Agreement.Validate, parties),
// CodeNotFound (no such organisation).
func (ad *Administration) SetAgreementOf(ctx context.Context, actor Actor, org string, a *Agreement) error {
	coop, err := ad.operatorCooperation(ctx, actor, org)
	if err != nil {
		return err
	}
	for i, p := range a.Parties {
		o, err := ad.d.Accounts.dir.Organisation(ctx, strings.TrimSpace(p.OrgID))
		if ErrorCode(err) == CodeNotFound || (err == nil && o.CooperationID != coop.ID) {
			return Invalid(FieldError{Field: "parties", Problem: p.OrgID + " is no partner of " + coop.Name})
		} else if err != nil {
			return err
		}
		a.Parties[i].OrgID = o.ID
	}
	return ad.setAgreement(ctx, actor, coop, a)
}

// AgreementOf returns the agreement of the cooperation of organisation
// org (id or name).
//
// Callers: the operator (RoleSystem, signald agreement show).
// Errors: CodeForbidden, CodeInvalid (org), CodeNotFound (no such
// organisation, or no agreement recorded).
func (ad *Administration) AgreementOf(ctx context.Context, actor Actor, org string) (Agreement, error) {
	coop, err := ad.operatorCooperation(ctx, actor, org)
	if err != nil {
		return Agreement{}, err
	}
	return ad.d.Agreements.Agreement(ctx, coop.ID)
}

func (ad *Administration) setAgreement(ctx context.Context, actor Actor, coop Cooperation, a *Agreement) error {
	if err := a.Validate(); err != nil {
		return err
	}
	a.CooperationID = coop.ID
	a.Version = strings.TrimSpace(a.Version)
	a.UpdatedAt = ad.d.Now().UTC()
	slices.SortFunc(a.Purposes, func(x, y AgreedPurpose) int {
		return slices.Index(AgreedPurposes, x.Purpose) - slices.Index(AgreedPurposes, y.Purpose)
	})
	return ad.d.Agreements.SetAgreement(ctx, actor, *a, []AuditEvent{{Action: ActionAgreementSet, Object: "agreement/" + coop.ID}})
}

// AddAccount adds an account with password to partner u.OrgID of the
// administrator's cooperation (Accounts.CreateUser, audited user.create).
// An account belongs to exactly one organisation.
//
// Callers: an admin.
// Errors: CodeForbidden, CodeInvalid, CodeNotFound (not a partner of this
// cooperation), CodeConflict (the address has an account).
func (ad *Administration) AddAccount(ctx context.Context, actor Actor, u *User, password string) error {
	coop, err := ad.ownCooperation(ctx, actor)
	if err != nil {
		return err
	}
	if u.OrgID == "" {
		return Invalid(FieldError{Field: "org", Problem: "required"})
	}
	if _, err := ad.partnerOf(ctx, coop, u.OrgID); err != nil {
		return err
	}
	return ad.d.Accounts.CreateUser(ctx, actor, u, password)
}

// SetAccountDisabled disables or enables account userID of the
// administrator's cooperation (Accounts.SetUserDisabled: a contact person
// or deputy is refused until their role is handed over).
//
// Callers: an admin.
// Errors: CodeForbidden, CodeNotFound (no such account in this
// cooperation), CodeConflict (a contact person or deputy; one's own account).
func (ad *Administration) SetAccountDisabled(ctx context.Context, actor Actor, userID string, disabled bool) error {
	coop, err := ad.ownCooperation(ctx, actor)
	if err != nil {
		return err
	}
	u, err := ad.accountIn(ctx, coop, userID)
	if err != nil {
		return err
	}
	if disabled && userID == actor.UserID {
		return Errorf(CodeConflict, "you cannot disable your own account")
	}
	return ad.d.Accounts.SetUserDisabled(ctx, actor, u.Email, disabled)
}

// accountIn returns account userID of cooperation coop; CodeNotFound when
// the cooperation has no such account.
func (ad *Administration) accountIn(ctx context.Context, coop Cooperation, userID string) (User, error) {
	users, err := ad.d.Directory.Users(ctx, coop.ID)
	if err != nil {
		return User{}, err
	}
	i := slices.IndexFunc(users, func(u User) bool { return u.ID == userID })
	if i < 0 {
		return User{}, Errorf(CodeNotFound, "no account %s", userID)
	}
	return users[i], nil
}

// addFields adds the field problems of err, when it has any, to fe.
func addFields(fe *FieldErrors, err error) {
	var se *Error
	if errors.As(err, &se) {
		*fe = append(*fe, se.Fields...)
	}
}

// CanResetSecondFactor reports whether the console offers a second-factor
// reset.
func (ad *Administration) CanResetSecondFactor() bool { return ad.d.Factors != nil }

// ResetSecondFactor resets the second factor of account userID of the
// administrator's cooperation (a lost phone): its owner sets one up again
// at the next login, and its sessions end. Audited by the second factor's
// own use case (second_factor.reset).
//
// Callers: an admin.
// Errors: CodeForbidden, CodeNotFound (no such account in this
// cooperation), CodeUnavailable (no second factors on this server).
func (ad *Administration) ResetSecondFactor(ctx context.Context, actor Actor, userID string) error {
	coop, err := ad.ownCooperation(ctx, actor)
	if err != nil {
		return err
	}
	if ad.d.Factors == nil {
		return Errorf(CodeUnavailable, "second factors are not available on this server")
	}
	u, err := ad.accountIn(ctx, coop, userID)
	if err != nil {
		return err
	}
	return ad.d.Factors.ResetSecondFactor(ctx, actor, u.Email)
}
