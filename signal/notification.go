package signal

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Notifications tell people what they need to know (issue 16 item 5): a
// match (to both partners' contact persons, with each other's contact
// details only, as the reference index does), an action assigned, due
// and overdue, minutes ready, an escalation for the privacy officer. Each
// goes out once by e-mail through the Outbox and shows in the recipient's
// in-app list ("Meldingen"). A job finds them in what is stored (Run), so
// nothing is missed when a message could not be queued at the moment of
// the event, and the outbox's once-only keys make every run safe to repeat.

// ActionNotice is an open action as the job sees it.
type ActionNotice struct {
	ID, MeetingID string
	OwnerEmail    string
	OwnerRole     Role
	Due           Date
	// Reassigned is the owner's user id when a correction gave the action
	// to someone else than it was first given to ("" otherwise): the new
	// owner is told as the first was (the notices' keys name them).
	Reassigned string
}

// MinutesNotice is a held meeting and who is told its minutes are ready:
// those who may read them (the cooperation's coordinators, the member
// organisations' contact persons and deputies).
type MinutesNotice struct {
	MeetingID  string
	Recipients []string
}

// EscalationNotice is an open escalation and its cooperation's privacy
// officers.
type EscalationNotice struct {
	Seq        int64
	Recipients []string
}

// MatchNotice is a pair of partners with live signals about the same young
// person, each with its contact person. Pair is a digest of the young
// person and the two partners: the young person's pseudonym is not kept
// with the message.
type MatchNotice struct {
	Pair string
	A, B MailContact
	// AEmail, BEmail are the contact persons' addresses.
	AEmail, BEmail string
}

// Notification is one line of a user's in-app list.
type Notification struct {
	Kind MailKind
	Link string
	At   time.Time
	Sent bool // the e-mail went out
}

// NotificationStore reads what the job notifies about.
type NotificationStore interface {
	// OpenActions are the actions not done, with their owner's address.
	OpenActions(ctx context.Context) ([]ActionNotice, error)
	// HeldMeetings are the meetings held since since.
	HeldMeetings(ctx context.Context, since time.Time) ([]MinutesNotice, error)
	// OpenEscalations are the escalations with status open.
	OpenEscalations(ctx context.Context) ([]EscalationNotice, error)
	// MatchPairs are the pairs of partners of one cooperation with a
	// decided, unerased signal about the same young person that the
	// meeting may see at least exists.
	MatchPairs(ctx context.Context) ([]MatchNotice, error)
	// Inbox is what was queued for address, newest first, without
	// invitations and password resets.
	Inbox(ctx context.Context, address string, limit int) ([]Notification, error)
	// UserEmail is the address of user id.
	UserEmail(ctx context.Context, id string) (string, error)
}

// NotificationsDeps are what Notifications needs.
type NotificationsDeps struct {
	Store  NotificationStore
	Outbox *Outbox
	// ScanEscalations brings the escalation queue up to date with the
	// audit log (Privacy.ScanEscalations) before the job reads it.
	ScanEscalations func(ctx context.Context) error
	Now             func() time.Time // default time.Now
}

// Notifications is the service of notices.
type Notifications struct {
	d NotificationsDeps
}

// NewNotifications returns the service.
func NewNotifications(d NotificationsDeps) *Notifications {
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Notifications{d: d}
}

// NotifyRun counts what a run queued.
type NotifyRun struct {
	Assigned, Due, Overdue, Minutes, Escalations, Matches int
}

// MinutesWindow is how far back a held meeting still gets a "minutes
// ready" notice: a first run on an old database tells no one about last
// year's meetings.
const MinutesWindow = 14 * 24 * time.Hour

// Run queues every notice that is due by the clock and not queued before:
// an action assigned (once), due (on its due day, once), overdue (from the
// day after, once, unless done), minutes ready (once per person who may
// read them, for meetings held in the last MinutesWindow), an escalation (once per officer), a match (once per pair and
// partner). A run repeated, after a restart or with a clock moved back
// and forth, queues nothing twice.
//
// Callers: the job of signal/app (as the system), and tests. Errors:
// CodeInternal; a notice that fails is counted in the error, the others
// still go.
func (n *Notifications) Run(ctx context.Context) (NotifyRun, error) {
	var run NotifyRun
	var errs []error
	today := Today(n.d.Now())
	send := func(count *int, m Mail) {
		stored, err := n.d.Outbox.Enqueue(ctx, m)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", m.Kind, err))
		} else if stored {
			*count++
		}
	}
	actions, err := n.d.Store.OpenActions(ctx)
	if err != nil {
		errs = append(errs, err)
	}
	for _, a := range actions {
		if a.OwnerEmail == "" {
			continue
		}
		// A reporter finds their actions with the feedback on their
		// signals; a coordinator in the minutes.
		link := "/signalen/terugkoppeling"
		if a.OwnerRole == RoleCoordinator {
			link = "/overleg/" + a.MeetingID + "/verslag"
		}
		owner := "" // the first owner's keys are as they always were
		if a.Reassigned != "" {
			owner = "/" + a.Reassigned
		}
		send(&run.Assigned, Mail{Key: "action-assigned/" + a.ID + owner, To: a.OwnerEmail, Kind: MailActionAssigned, Link: link})
		switch {
		case a.Due == today:
			send(&run.Due, Mail{Key: "action-due/" + a.ID + "/" + a.Due.String() + owner, To: a.OwnerEmail, Kind: MailActionDue, Link: link})
		case a.Due.Before(today):
			send(&run.Overdue, Mail{Key: "action-overdue/" + a.ID + "/" + a.Due.String() + owner, To: a.OwnerEmail, Kind: MailActionOverdue, Link: link})
		}
	}
	held, err := n.d.Store.HeldMeetings(ctx, n.d.Now().Add(-MinutesWindow))
	if err != nil {
		errs = append(errs, err)
	}
	for _, h := range held {
		for _, to := range h.Recipients {
			send(&run.Minutes, Mail{Key: "minutes/" + h.MeetingID + "/" + MailKeyDigest(to), To: to, Kind: MailMinutesReady,
				Link: "/overleg/" + h.MeetingID + "/verslag"})
		}
	}
	if n.d.ScanEscalations != nil {
		if err := n.d.ScanEscalations(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	escs, err := n.d.Store.OpenEscalations(ctx)
	if err != nil {
		errs = append(errs, err)
	}
	for _, e := range escs {
		for _, to := range e.Recipients {
			send(&run.Escalations, Mail{Key: fmt.Sprintf("escalation/%d/%s", e.Seq, MailKeyDigest(to)), To: to, Kind: MailEscalation,
				Link: "/privacy/escalaties"})
		}
	}
	pairs, err := n.d.Store.MatchPairs(ctx)
	if err != nil {
		errs = append(errs, err)
	}
	for _, p := range pairs {
		a, b := p.A, p.B
		if p.AEmail != "" {
			send(&run.Matches, Mail{Key: "match/" + p.Pair + "/a", To: p.AEmail, Kind: MailMatch, Link: "/signalen/terugkoppeling", Contact: &b})
		}
		if p.BEmail != "" {
			send(&run.Matches, Mail{Key: "match/" + p.Pair + "/b", To: p.BEmail, Kind: MailMatch, Link: "/signalen/terugkoppeling", Contact: &a})
		}
	}
	return run, errors.Join(errs...)
}

// List is the logged-in user's notices ("Meldingen"), newest first: the
// same as was e-mailed to their address, without invitations and password
// resets.
//
// Callers: any logged-in user, for themselves. Errors: CodeUnauthorized
// without a user; CodeInternal.
func (n *Notifications) List(ctx context.Context, actor Actor) ([]Notification, error) {
	if strings.TrimSpace(actor.UserID) == "" {
		return nil, Errorf(CodeUnauthorized, "log in to see your notices")
	}
	email, err := n.d.Store.UserEmail(ctx, actor.UserID)
	if err != nil {
		return nil, err
	}
	return n.d.Store.Inbox(ctx, email, 100)
}
