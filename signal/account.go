package signal

import (
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"
)

// Role is what a person may do in Signaal. A person has exactly one role;
// someone who both reports and chairs the meeting gets two accounts, so every
// audit entry says in which capacity something was done.
type Role string

// The roles of the issue. Reporters record signals; coordinators prepare and
// chair the signal meeting; privacy officers (functionaris
// gegevensbescherming) review the audit log; admins manage accounts.
const (
	RoleReporter       Role = "reporter"
	RoleCoordinator    Role = "coordinator"
	RolePrivacyOfficer Role = "privacy_officer"
	RoleAdmin          Role = "admin"
)

// Roles lists every role, in the order a form shows them.
var Roles = []Role{RoleReporter, RoleCoordinator, RolePrivacyOfficer, RoleAdmin}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool { return oneOf(r, Roles) }

// OrgKind is the kind of partner organisation in a cooperation.
type OrgKind string

// The partners of a Dutch signal cooperation (see domain.md).
const (
	OrgSchool       OrgKind = "school"
	OrgYouthWork    OrgKind = "youth_work"
	OrgMunicipality OrgKind = "municipality"
	OrgJGZ          OrgKind = "jgz"        // jeugdgezondheidszorg, youth health care
	OrgWijkteam     OrgKind = "wijkteam"   // neighbourhood team
	OrgLeerplicht   OrgKind = "leerplicht" // school attendance officer
	OrgPolice       OrgKind = "police"     // wijkagent
)

// OrgKinds lists every organisation kind.
var OrgKinds = []OrgKind{OrgSchool, OrgYouthWork, OrgMunicipality, OrgJGZ, OrgWijkteam, OrgLeerplicht, OrgPolice}

// Valid reports whether k is one of OrgKinds.
func (k OrgKind) Valid() bool { return oneOf(k, OrgKinds) }

// Cooperation (samenwerking) is a set of partner organisations bound by one
// privacy agreement (convenant), with one periodic signal meeting where the
// partners' signals are combined.
type Cooperation struct {
	ID      string
	Name    string
	Meeting SignalMeeting
}

// SignalMeeting (signaleringsoverleg / ZAT) is the default recipient of a
// signal: the partners of the cooperation meeting periodically.
type SignalMeeting struct {
	ID   string
	Name string
}

// Person is someone a partner can be reached through. Contact persons need no
// account: a municipality's aanspreekpunt may never log in, yet must be known.
type Person struct {
	Name  string
	Email string
	Phone string
}

// Organisation is a partner in a cooperation. It always has a contact person
// (aanspreekpunt) and a deputy, so the role is never empty when someone
// leaves: both are required, and an account that is one of them cannot be
// disabled before another person is named.
type Organisation struct {
	ID            string
	Name          string
	Kind          OrgKind
	CooperationID string
	// Part is what the partner does in the cooperation, in a line a
	// newcomer understands ("jongerenwerk in de wijk, ook 's avonds").
	Part      string
	Contact   Person
	Deputy    Person
	CreatedAt time.Time
}

// Validate reports every problem with o as field errors, using the names of
// `signald org add`'s flags and the API's fields.
func (o *Organisation) Validate() error {
	var fe FieldErrors
	if strings.TrimSpace(o.Name) == "" {
		fe.Add("name", "required")
	} else if utf8.RuneCountInString(o.Name) > 200 {
		fe.Add("name", "at most 200 characters")
	}
	if o.Kind == "" {
		fe.Add("kind", "required")
	} else if !o.Kind.Valid() {
		fe.Add("kind", "must be one of school, youth_work, municipality, jgz, wijkteam, leerplicht, police")
	}
	validatePerson(&fe, "contact", o.Contact)
	validatePerson(&fe, "deputy", o.Deputy)
	if o.Contact.Email != "" && o.Contact.Email == o.Deputy.Email {
		fe.Add("deputy.email", "must be another person than the contact person")
	}
	return fe.Err()
}

func validatePerson(fe *FieldErrors, prefix string, p Person) {
	if strings.TrimSpace(p.Name) == "" {
		fe.Add(prefix+".name", "required")
	}
	if p.Email == "" {
		fe.Add(prefix+".email", "required")
	} else if _, err := NormaliseEmail(p.Email); err != nil {
		fe.Add(prefix+".email", "not a valid email address")
	}
}

// User is a person with an account. The email address is the login name,
// stored normalised (see NormaliseEmail) and unique.
type User struct {
	ID        string
	Email     string
	Name      string
	OrgID     string
	Role      Role
	Disabled  bool
	CreatedAt time.Time
	// SessionGen is the account's session generation: a session token
	// carries the one it was issued under and ends when this moves on
	// (disabling the account moves it). A counter, not a time, so no clock
	// that runs ahead or behind revives a session.
	SessionGen int64
	// SecondFactorGen moves on when the account's second factor is reset:
	// a remembered device and a pending login of before are refused.
	SecondFactorGen int64
	// Demo marks the demo's public accounts (SeedUser), which log in
	// without a second factor in demo mode only.
	Demo bool
}

// Validate reports every problem with u as field errors.
func (u *User) Validate() error {
	var fe FieldErrors
	if u.Email == "" {
		fe.Add("email", "required")
	} else if _, err := NormaliseEmail(u.Email); err != nil {
		fe.Add("email", "not a valid email address")
	}
	if strings.TrimSpace(u.Name) == "" {
		fe.Add("name", "required")
	} else if utf8.RuneCountInString(u.Name) > 200 {
		fe.Add("name", "at most 200 characters")
	}
	if u.OrgID == "" {
		fe.Add("org", "required")
	}
	if u.Role == "" {
		fe.Add("role", "required")
	} else if !u.Role.Valid() {
		fe.Add("role", "must be one of reporter, coordinator, privacy_officer, admin")
	}
	return fe.Err()
}

// NormaliseEmail returns the address as Signaal stores and compares it:
// trimmed and lower-cased. Lower-casing the local part is not what RFC 5321
// allows in general, but every mail system our partners use treats it as
// case-insensitive, and two accounts differing only in case would be a trap.
func NormaliseEmail(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || !strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") {
		return "", Errorf(CodeInvalid, "%q is not a valid email address", s)
	}
	return s, nil
}

// MinPasswordLength is the shortest password Signaal accepts (NIST SP 800-63B
// asks at least 8; the accounts here open sensitive data, so we ask more and
// prefer long passphrases over composition rules).
const MinPasswordLength = 12

// CheckPassword reports why pw is not acceptable as a new password, or nil.
func CheckPassword(pw string) error {
	switch {
	case strings.TrimSpace(pw) == "":
		return Invalid(FieldError{Field: "password", Problem: "required"})
	case utf8.RuneCountInString(pw) < MinPasswordLength:
		return Invalid(FieldError{Field: "password", Problem: "at least 12 characters; a passphrase of a few words is easiest"})
	case utf8.RuneCountInString(pw) > 256:
		return Invalid(FieldError{Field: "password", Problem: "at most 256 characters"})
	}
	lower := strings.ToLower(pw)
	for _, weak := range []string{"password", "wachtwoord", "welkom", "signaal", "123456", "qwerty"} {
		if strings.Contains(lower, weak) && utf8.RuneCountInString(pw) < 2*MinPasswordLength {
			return Invalid(FieldError{Field: "password", Problem: "too easy to guess: it contains " + weak})
		}
	}
	return nil
}
