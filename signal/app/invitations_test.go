package app_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/app"
)

// letterbox keeps the invitations sent, as the invitee's mailbox would.
type letterbox struct {
	mu   sync.Mutex
	sent map[string]string // address -> token
}

func (l *letterbox) SendInvitation(_ context.Context, u signal.User, _ signal.Organisation, token string, _ time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sent[u.Email] = token
	return nil
}

// invitationApp returns how to open (and, after Close, reopen) the app on
// one database file of the test, with clock and the invitations going to
// box.
func invitationApp(t *testing.T, clock func() time.Time, box *letterbox) func() *app.App {
	dbPath := filepath.Join(t.TempDir(), "signaal.db")
	return func() *app.App {
		a, err := app.Open(context.Background(), app.Options{DB: dbPath, PasswordParams: cheap, Now: clock, Invitations: box})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
}

// The promise of an invitation: the link works once, not after it
// expired (a clock that moved on, across a restart), and before it is
// used the account cannot log in; every step is on record.
func TestInvitationWorksOnceAndExpires(t *testing.T) {
	ctx := context.Background()
	var mu sync.Mutex
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	box := &letterbox{sent: map[string]string{}}
	open := invitationApp(t, clock, box)
	a := open()
	defer func() { a.Close() }()
	op := signal.Actor{Role: signal.RoleSystem}
	org := signal.Organisation{Name: "Het Noorderlicht", Kind: signal.OrgSchool,
		Contact: signal.Person{Name: "Ans", Email: "ans@noord.example"}, Deputy: signal.Person{Name: "Bert", Email: "bert@noord.example"}}
	if err := a.Accounts.CreateOrganisation(ctx, op, &org, "Wijk Noord"); err != nil {
		t.Fatal(err)
	}
	adm := signal.User{Email: "beheer@noord.example", Name: "Beheer", OrgID: org.ID, Role: signal.RoleAdmin}
	if err := a.Accounts.CreateUser(ctx, op, &adm, "een lang genoeg wachtwoord"); err != nil {
		t.Fatal(err)
	}
	admin := signal.Actor{UserID: adm.ID, OrgID: org.ID, Role: signal.RoleAdmin}

	// Bad input names the field; nothing is stored or sent.
	bad := signal.User{Name: "", Email: "geen adres", OrgID: org.ID, Role: "chef"}
	if _, err := a.Admin.Invite(ctx, admin, &bad); signal.ErrorCode(err) != signal.CodeInvalid {
		t.Fatalf("a bad invitation: %v; want invalid", err)
	}
	if len(box.sent) != 0 {
		t.Fatalf("a refused invitation was sent: %v", box.sent)
	}

	for _, who := range []string{"ans@noord.example", "late@noord.example"} {
		u := signal.User{Name: "Nieuw", Email: who, OrgID: org.ID, Role: signal.RoleReporter}
		if _, err := a.Admin.Invite(ctx, admin, &u); err != nil {
			t.Fatal(err)
		}
	}
	dup := signal.User{Name: "Nog eens", Email: "ANS@noord.example", OrgID: org.ID, Role: signal.RoleReporter}
	if _, err := a.Admin.Invite(ctx, admin, &dup); signal.ErrorCode(err) != signal.CodeInvalid {
		t.Fatalf("inviting an address that has an account: %v; want invalid (email)", err)
	}
	token := box.sent["ans@noord.example"]
	if token == "" {
		t.Fatal("no invitation sent")
	}
	// Before the link is used, nobody logs in as the invitee.
	if _, err := a.Accounts.Login(ctx, signal.Actor{}, "ans@noord.example", "", ""); err == nil {
		t.Fatal("an invited account logged in before choosing a password")
	}
	// The token is not in the database: only its hash.
	var n int
	a.DB.Read().QueryRow(`SELECT count(*) FROM invitations WHERE token_hash = ?`, token).Scan(&n)
	if n != 0 {
		t.Fatal("the invitation's token is stored as given")
	}

	if _, err := a.Admin.AcceptInvitation(ctx, signal.Actor{}, token, "kort"); signal.ErrorCode(err) != signal.CodeInvalid {
		t.Fatalf("a weak password: %v; want invalid", err)
	}
	// A restart between sending and using changes nothing.
	a.Close()
	a = open()
	if _, err := a.Admin.AcceptInvitation(ctx, signal.Actor{}, token, "fietsen langs de gracht"); err != nil {
		t.Fatalf("accept: %v", err)
	}
	// The password is right; the first login then sets up the second
	// factor (issue 19, item 3).
	if res, err := a.Accounts.Login(ctx, signal.Actor{}, "ans@noord.example", "fietsen langs de gracht", ""); err != nil || res.Next != signal.LoginNeedsEnrolment {
		t.Fatalf("login after accepting: %+v, %v; want the password right and the second factor set up next", res, err)
	}
	if _, err := a.Admin.AcceptInvitation(ctx, signal.Actor{}, token, "een ander wachtwoord kiezen"); err != signal.ErrInvitationInvalid {
		t.Fatalf("the link used twice: %v; want invalid link", err)
	}

	// Eight days on, the other link has expired.
	mu.Lock()
	now = now.Add(8 * 24 * time.Hour)
	mu.Unlock()
	if _, err := a.Admin.Invitation(ctx, box.sent["late@noord.example"]); err != signal.ErrInvitationInvalid {
		t.Fatalf("an expired link: %v; want invalid link", err)
	}

	a.DB.Read().QueryRow(`SELECT (SELECT count(*) FROM audit_entries WHERE action = ? AND actor_user = ?) * 10 + (SELECT count(*) FROM audit_entries WHERE action = ?)`,
		signal.ActionUserInvite, adm.ID, signal.ActionInviteAccept).Scan(&n)
	if n != 21 {
		t.Fatalf("audit: %d; want 2 invitations by the admin and 1 acceptance (21)", n)
	}
}

// The promise of a new invitation: an invitee whose link expired (or whose
// mail was lost) gets a new one from the administrator; only the newest
// link works, it works once, across a restart and with the clock moved
// back; an account that accepted, a disabled one, one of another
// cooperation, or one never invited gets none, and then nothing is stored,
// sent or audited.
func TestReinvitationGivesOneWorkingLink(t *testing.T) {
	ctx := context.Background()
	var mu sync.Mutex
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	setNow := func(t time.Time) { mu.Lock(); defer mu.Unlock(); now = t }
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	box := &letterbox{sent: map[string]string{}}
	open := invitationApp(t, clock, box)
	a := open()
	defer func() { a.Close() }()
	op := signal.Actor{Role: signal.RoleSystem}
	admins := map[string]signal.Actor{}
	for _, coop := range []string{"Wijk Noord", "Wijk Zuid"} {
		org := signal.Organisation{Name: "School " + coop, Kind: signal.OrgSchool,
			Contact: signal.Person{Name: "Ans", Email: "ans@" + coop[5:] + ".example"}, Deputy: signal.Person{Name: "Bert", Email: "bert@" + coop[5:] + ".example"}}
		if err := a.Accounts.CreateOrganisation(ctx, op, &org, coop); err != nil {
			t.Fatal(err)
		}
		adm := signal.User{Email: "beheer@" + coop[5:] + ".example", Name: "Beheer", OrgID: org.ID, Role: signal.RoleAdmin}
		if err := a.Accounts.CreateUser(ctx, op, &adm, "een lang genoeg wachtwoord"); err != nil {
			t.Fatal(err)
		}
		admins[coop] = signal.Actor{UserID: adm.ID, OrgID: org.ID, Role: signal.RoleAdmin}
	}
	admin := admins["Wijk Noord"]
	invite := func(email string) signal.User {
		u := signal.User{Name: "Nieuw", Email: email, OrgID: admin.OrgID, Role: signal.RoleReporter}
		if _, err := a.Admin.Invite(ctx, admin, &u); err != nil {
			t.Fatal(err)
		}
		return u
	}
	late, done, off := invite("late@noord.example"), invite("klaar@noord.example"), invite("uit@noord.example")
	first := box.sent[late.Email]
	if _, err := a.Admin.AcceptInvitation(ctx, signal.Actor{}, box.sent[done.Email], "fietsen langs de gracht"); err != nil {
		t.Fatal(err)
	}
	if err := a.Admin.SetAccountDisabled(ctx, admin, off.ID, true); err != nil {
		t.Fatal(err)
	}
	audited := func() int {
		var n int
		a.DB.Read().QueryRow(`SELECT count(*) FROM audit_entries WHERE action = ?`, signal.ActionUserInvite).Scan(&n)
		return n
	}
	invitations := func() int {
		var n int
		a.DB.Read().QueryRow(`SELECT count(*) FROM invitations`).Scan(&n)
		return n
	}

	// Eight days on, the first link has expired; the administrator sees it.
	setNow(now.Add(8 * 24 * time.Hour))
	if _, err := a.Admin.Invitation(ctx, first); err != signal.ErrInvitationInvalid {
		t.Fatalf("the expired link: %v", err)
	}
	m, err := a.Admin.Map(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	if exp, ok := m.Invited[late.ID]; !ok || clock().Before(exp) {
		t.Fatalf("the console does not show the expired invitation: %v %v", exp, ok)
	}

	// Refused: nothing stored, sent or audited.
	beforeAudit, beforeRows, beforeSent := audited(), invitations(), len(box.sent)
	for _, tc := range []struct {
		name  string
		actor signal.Actor
		id    string
		code  signal.Code
	}{
		{"accepted", admin, done.ID, signal.CodeConflict},
		{"disabled", admin, off.ID, signal.CodeConflict},
		{"never invited", admin, admin.UserID, signal.CodeNotFound},
		{"unknown", admin, "usr_nobody", signal.CodeNotFound},
		{"another cooperation's admin", admins["Wijk Zuid"], late.ID, signal.CodeNotFound},
		{"not an admin", signal.Actor{UserID: late.ID, OrgID: admin.OrgID, Role: signal.RoleReporter}, late.ID, signal.CodeForbidden},
	} {
		if _, err := a.Admin.Reinvite(ctx, tc.actor, tc.id); signal.ErrorCode(err) != tc.code {
			t.Errorf("%s: %v; want %s", tc.name, err, tc.code)
		}
	}
	if audited() != beforeAudit || invitations() != beforeRows || len(box.sent) != beforeSent {
		t.Fatalf("a refused re-invitation left something: audit %d→%d, invitations %d→%d, mails %d→%d",
			beforeAudit, audited(), beforeRows, invitations(), beforeSent, len(box.sent))
	}

	// Twice again: only the newest link works.
	inv, err := a.Admin.Reinvite(ctx, admin, late.ID)
	if err != nil {
		t.Fatal(err)
	}
	second := box.sent[late.Email]
	if inv.Expires != clock().Add(signal.InvitationTTL) || second == first {
		t.Fatalf("new invitation: until %v, new link %v", inv.Expires, second != first)
	}
	if _, err := a.Admin.Reinvite(ctx, admin, late.ID); err != nil {
		t.Fatal(err)
	}
	third := box.sent[late.Email]
	m, _ = a.Admin.Map(ctx, admin)
	if got := m.Invited[late.ID]; !got.Equal(clock().Add(signal.InvitationTTL)) {
		t.Fatalf("the console shows the invitation until %v", got)
	}
	// A restart, and a clock set back a month: the older links stay dead.
	a.Close()
	a = open()
	setNow(now.Add(-30 * 24 * time.Hour))
	for name, tok := range map[string]string{"first": first, "second": second} {
		if _, err := a.Admin.Invitation(ctx, tok); err != signal.ErrInvitationInvalid {
			t.Errorf("the %s link after a new one was sent: %v", name, err)
		}
	}
	setNow(now.Add(30 * 24 * time.Hour))
	if _, err := a.Admin.AcceptInvitation(ctx, signal.Actor{}, third, "fietsen langs de gracht"); err != nil {
		t.Fatalf("the newest link: %v", err)
	}
	if _, err := a.Admin.AcceptInvitation(ctx, signal.Actor{}, third, "een ander wachtwoord kiezen"); err != signal.ErrInvitationInvalid {
		t.Fatalf("the newest link used twice: %v", err)
	}
	if _, err := a.Admin.Reinvite(ctx, admin, late.ID); signal.ErrorCode(err) != signal.CodeConflict {
		t.Fatalf("re-inviting after acceptance: %v", err)
	}
	m, _ = a.Admin.Map(ctx, admin)
	if _, ok := m.Invited[late.ID]; ok {
		t.Fatal("the console still shows an accepted invitation as open")
	}
	if n := audited(); n != beforeAudit+2 {
		t.Fatalf("audit: %d invitations, want %d", n, beforeAudit+2)
	}
}
