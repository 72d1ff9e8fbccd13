package signal_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/signal"
)

// Fakes of the account stores: structs of function fields.

type fakeAccountStore struct {
	setDisabled func(userID string, disabled bool, events []signal.AuditEvent) error
}

func (f fakeAccountStore) CreateOrganisation(context.Context, signal.Actor, *signal.Organisation, signal.Cooperation, []signal.AuditEvent, []signal.AuditEvent) error {
	return errors.New("not expected")
}

func (f fakeAccountStore) SetContacts(context.Context, signal.Actor, string, signal.Person, signal.Person, []signal.AuditEvent) error {
	return errors.New("not expected")
}

func (f fakeAccountStore) CreateUser(context.Context, signal.Actor, signal.User, string, []signal.AuditEvent) error {
	return errors.New("not expected")
}

func (f fakeAccountStore) SetUserDisabled(_ context.Context, _ signal.Actor, userID string, disabled bool, events []signal.AuditEvent) error {
	return f.setDisabled(userID, disabled, events)
}

type fakeAccountDirectory struct {
	users map[string]signal.User // by email; the hash is "hash:" + the password
	org   signal.Organisation
}

func (f fakeAccountDirectory) Organisation(context.Context, string) (signal.Organisation, error) {
	return f.org, nil
}

func (f fakeAccountDirectory) CooperationOf(context.Context, string) (signal.Cooperation, error) {
	return signal.Cooperation{ID: f.org.CooperationID}, nil
}

func (f fakeAccountDirectory) UserByEmail(_ context.Context, email string) (signal.User, string, error) {
	u, ok := f.users[email]
	if !ok {
		return u, "", signal.Errorf(signal.CodeNotFound, "no such account")
	}
	return u, "hash:right", nil
}

type fakeSessions struct {
	session  func(userID, tokenID string) (signal.User, bool, error)
	recorded []signal.AuditEvent
	logins   []signal.AuditEvent
}

func (f *fakeSessions) Session(_ context.Context, userID, tokenID string) (signal.User, bool, error) {
	return f.session(userID, tokenID)
}

func (f *fakeSessions) RecordLogin(_ context.Context, _ signal.Actor, _, _ string, events []signal.AuditEvent) error {
	f.logins = append(f.logins, events...)
	return nil
}

func (f *fakeSessions) EndSessions(context.Context, signal.Actor, string, []signal.AuditEvent) error {
	return nil
}

func (f *fakeSessions) RevokeToken(context.Context, signal.Actor, string, string, time.Time, []signal.AuditEvent) error {
	return nil
}

func (f *fakeSessions) Record(_ context.Context, _ signal.Actor, events []signal.AuditEvent) error {
	f.recorded = append(f.recorded, events...)
	return nil
}

// fakePasswords: the hash of p is "hash:" + p.
type fakePasswords struct{}

func (fakePasswords) Hash(pw string) (string, error) { return "hash:" + pw, nil }
func (fakePasswords) Verify(hash, pw string) error {
	if hash != "hash:"+pw {
		return signal.ErrPasswordMismatch
	}
	return nil
}
func (fakePasswords) NeedsRehash(string) bool { return false }

var operator = signal.Actor{UserID: "cli", Role: signal.RoleSystem}

func newAccounts(t *testing.T, store signal.AccountStore, dir signal.AccountDirectory, sessions signal.SessionStore) *signal.Accounts {
	t.Helper()
	a, err := signal.NewAccounts(store, dir, sessions, fakePasswords{}, signal.AccountsOptions{LoginKey: []byte("k"), Demo: true})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestContactPersonCannotBeDisabled: an organisation's contact person and
// deputy stay reachable; anyone else can be disabled, and is audited.
func TestContactPersonCannotBeDisabled(t *testing.T) {
	org := signal.Organisation{ID: "org_1", Name: "School", Contact: signal.Person{Email: "contact@school.nl"}, Deputy: signal.Person{Email: "deputy@school.nl"}}
	dir := fakeAccountDirectory{org: org, users: map[string]signal.User{
		"contact@school.nl": {ID: "usr_c", OrgID: "org_1"},
		"deputy@school.nl":  {ID: "usr_d", OrgID: "org_1"},
		"other@school.nl":   {ID: "usr_o", OrgID: "org_1"},
	}}
	var audited []signal.AuditAction
	store := fakeAccountStore{setDisabled: func(_ string, _ bool, events []signal.AuditEvent) error {
		for _, e := range events {
			audited = append(audited, e.Action)
		}
		return nil
	}}
	a := newAccounts(t, store, dir, &fakeSessions{})
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		actor    signal.Actor
		email    string
		disabled bool
		want     signal.Code
	}{
		{"the contact person", operator, "Contact@School.nl", true, signal.CodeConflict},
		{"the deputy", operator, "deputy@school.nl", true, signal.CodeConflict},
		{"re-enabling the contact person", operator, "contact@school.nl", false, ""},
		{"someone else", operator, "other@school.nl", true, ""},
		{"an unknown account", operator, "nobody@school.nl", true, signal.CodeNotFound},
		{"not an address", operator, "nobody", true, signal.CodeInvalid},
		{"by a reporter", signal.Actor{Role: signal.RoleReporter}, "other@school.nl", true, signal.CodeForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := a.SetUserDisabled(ctx, tc.actor, tc.email, tc.disabled); signal.ErrorCode(err) != tc.want {
				t.Fatalf("SetUserDisabled: %v; want %q", err, tc.want)
			}
		})
	}
	if !slices.Equal(audited, []signal.AuditAction{signal.ActionUserEnable, signal.ActionUserDisable}) {
		t.Fatalf("audited %v", audited)
	}
}

// TestLoginAuditsBothOutcomes: one answer for a wrong address, a wrong
// password and a disabled account, each audited as login.fail (an unknown
// address by its pseudonym only); a login is on record as login.ok.
func TestLoginAuditsBothOutcomes(t *testing.T) {
	dir := fakeAccountDirectory{users: map[string]signal.User{
		"a@school.nl":   {ID: "usr_a", Role: signal.RoleReporter, Demo: true},
		"off@school.nl": {ID: "usr_off", Disabled: true},
		"b@school.nl":   {ID: "usr_b", Role: signal.RoleReporter},
	}}
	ctx := context.Background()
	for _, tc := range []struct {
		name, email, password string
		wantErr               bool
		wantObject            string
	}{
		{"right", "a@school.nl", "right", false, "user/usr_a"},
		{"a wrong password", "a@school.nl", "wrong", true, "user/usr_a"},
		{"a disabled account", "off@school.nl", "right", true, "user/usr_off"},
		{"an unknown address", "who@school.nl", "right", true, "email/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sessions := &fakeSessions{}
			a := newAccounts(t, fakeAccountStore{}, dir, sessions)
			_, err := a.Login(ctx, signal.Actor{IP: "192.0.2.1"}, tc.email, tc.password, "")
			if tc.wantErr != (err != nil) || (err != nil && !errors.Is(err, signal.ErrWrongLogin)) {
				t.Fatalf("Login: %v", err)
			}
			events, action := sessions.logins, signal.ActionLoginOK
			if tc.wantErr {
				events, action = sessions.recorded, signal.ActionLoginFail
			}
			if len(events) != 1 || events[0].Action != action || events[0].Object[:len(tc.wantObject)] != tc.wantObject {
				t.Fatalf("audited %+v; want %s of %s", events, action, tc.wantObject)
			}
			if tc.wantObject == "email/" && events[0].Object != "email/"+a.LoginRef(tc.email) {
				t.Fatalf("an unknown address audited as %q", events[0].Object)
			}
		})
	}
}

// TestLoginWithoutSecondFactorStoreFailsClosed: an account that is not a
// demo account needs a second factor even in demo mode; without the store
// that keeps them there is no login at all, and none is on record.
func TestLoginWithoutSecondFactorStoreFailsClosed(t *testing.T) {
	dir := fakeAccountDirectory{users: map[string]signal.User{"b@school.nl": {ID: "usr_b", Role: signal.RoleReporter}}}
	sessions := &fakeSessions{}
	a := newAccounts(t, fakeAccountStore{}, dir, sessions)
	res, err := a.Login(context.Background(), signal.Actor{}, "b@school.nl", "right", "")
	if signal.ErrorCode(err) != signal.CodeUnavailable || res.User.ID != "" {
		t.Fatalf("Login = %+v, %v; want CodeUnavailable", res, err)
	}
	if len(sessions.logins) != 0 {
		t.Fatalf("audited %+v as a login", sessions.logins)
	}
}

func TestSessionUserRefusesEndedSessions(t *testing.T) {
	for _, tc := range []struct {
		name    string
		user    signal.User
		revoked bool
		err     error
		want    signal.Code
	}{
		{"a valid session", signal.User{ID: "usr_a"}, false, nil, ""},
		{"a disabled account", signal.User{ID: "usr_a", Disabled: true}, false, nil, signal.CodeUnauthorized},
		{"a revoked token", signal.User{ID: "usr_a"}, true, nil, signal.CodeUnauthorized},
		{"a deleted account", signal.User{}, false, signal.Errorf(signal.CodeNotFound, "no such account"), signal.CodeUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sessions := &fakeSessions{session: func(string, string) (signal.User, bool, error) { return tc.user, tc.revoked, tc.err }}
			a := newAccounts(t, fakeAccountStore{}, fakeAccountDirectory{}, sessions)
			if _, err := a.SessionUser(context.Background(), "usr_a", "jti", 0); signal.ErrorCode(err) != tc.want {
				t.Fatalf("SessionUser: %v; want %q", err, tc.want)
			}
		})
	}
}
