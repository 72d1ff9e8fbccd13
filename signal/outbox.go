package signal

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/mail"
	"strings"
	"time"
)

// MailKind is what an outgoing message is about. Its subject and body are
// fixed texts per kind (Dutch first, then English) with a link into the
// app: a message never carries a young person's name or anything of a
// signal, whoever enqueues it.
type MailKind string

// The kinds of outgoing message.
const (
	MailMatch          MailKind = "match"           // another partner has a signal about the same young person
	MailActionAssigned MailKind = "action_assigned" // an action was assigned to the recipient
	MailActionDue      MailKind = "action_due"      // an action of the recipient is due
	MailActionOverdue  MailKind = "action_overdue"  // an action of the recipient is overdue
	MailMinutesReady   MailKind = "minutes_ready"   // minutes are ready to read or approve
	MailEscalation     MailKind = "escalation"      // an escalation for the privacy officer
	MailInvitation     MailKind = "invitation"      // an account was made for the recipient
	MailPasswordReset  MailKind = "password_reset"  // the recipient asked to set a new password
)

// mailTexts are each kind's subject and opening sentences, Dutch then
// English (B1). Only these texts, the link and, for a match, the other
// partner's contact details ever go out.
var mailTexts = map[MailKind]struct{ subjectNL, subjectEN, nl, en string }{
	MailMatch: {"Samenloop: een andere partner heeft ook een signaal", "Match: another partner also has a signal",
		"Een andere partner heeft een signaal over dezelfde jongere. Neem contact op met de contactpersoon hieronder. Wie het is, staat alleen in Signaal.",
		"Another partner has a signal about the same young person. Contact the person below. Who it is about is only in Signaal."},
	MailActionAssigned: {"Nieuwe actie voor u", "New action for you",
		"Er is een actie aan u toegewezen. Open Signaal om te zien welke.",
		"An action was assigned to you. Open Signaal to see which."},
	MailActionDue: {"Actie verloopt vandaag", "Action due today",
		"Een actie van u moet vandaag klaar zijn. Open Signaal om te zien welke.",
		"One of your actions is due today. Open Signaal to see which."},
	MailActionOverdue: {"Actie is te laat", "Action overdue",
		"Een actie van u is over de datum. Open Signaal om te zien welke.",
		"One of your actions is past its due date. Open Signaal to see which."},
	MailMinutesReady: {"Verslag klaar", "Minutes ready",
		"Het verslag van een overleg is klaar. Open Signaal om het te lezen.",
		"The minutes of a meeting are ready. Open Signaal to read them."},
	MailEscalation: {"Escalatie voor de privacyfunctionaris", "Escalation for the privacy officer",
		"Er is een escalatie voor u. Open Signaal om die te bekijken.",
		"There is an escalation for you. Open Signaal to look at it."},
	MailInvitation: {"Uw account voor Signaal", "Your Signaal account",
		"Er is een account voor u gemaakt. Kies uw wachtwoord via de link.",
		"An account was made for you. Choose your password with the link."},
	MailPasswordReset: {"Nieuw wachtwoord voor Signaal", "New password for Signaal",
		"U vroeg om een nieuw wachtwoord. Kies het via de link. Vroeg u dit niet? Dan hoeft u niets te doen.",
		"You asked for a new password. Choose it with the link. Did you not ask? Then you need not do anything."},
}

// MailContact is a partner's contact person, the only details a match
// message names (as the reference index does): never the young person.
type MailContact struct {
	Organisation, Person, Phone, Email string
}

// Mail is a message to enqueue.
type Mail struct {
	// Key makes the message once-only: a second Enqueue with the same key
	// stores nothing, and a stored message is sent at most once. Name the
	// event, e.g. "action-due/<action id>" or "invite/<user id>/<n>".
	Key  string
	To   string // the recipient's address
	Kind MailKind
	// Link is a path in the app starting with "/" (e.g. "/overleg/12"),
	// sent as the app's public URL followed by Link. It may carry a token
	// (an invitation), never a name.
	Link string
	// Contact is, for a match only, whom the recipient may contact.
	Contact *MailContact
}

// OutboxMessage is a stored outgoing message.
type OutboxMessage struct {
	ID            int64
	Key           string
	To            string
	Kind          MailKind
	Subject, Body string
	// Link is Mail.Link for the in-app list; empty for invitations and
	// password resets, whose link holds a token.
	Link        string
	Created     time.Time
	Attempts    int       // failed attempts so far
	NextAttempt time.Time // not sent before this
	LastError   string    // the last attempt's error class (see Outbox.Failed), "" if none
}

// OutboxStatus is the queue as /readyz shows it.
type OutboxStatus struct {
	Pending   int       // messages not yet sent
	Oldest    time.Time // when the oldest pending one was enqueued; zero if none
	LastError string    // the error class of the most recent failed attempt of a pending message
	Sent      int       // messages sent so far
}

// OutboxStore keeps the outbox. The SQLite store implements it.
type OutboxStore interface {
	// EnqueueMail stores m unless a message with its Key is stored
	// already; stored reports which.
	EnqueueMail(ctx context.Context, m OutboxMessage) (stored bool, err error)
	// DueMail returns up to limit unsent messages whose NextAttempt is not
	// after now, oldest first.
	DueMail(ctx context.Context, now time.Time, limit int) ([]OutboxMessage, error)
	// MailSent marks message id sent at at and forgets its body (an
	// invitation's link holds a token), audited as mail.sent by kind only.
	MailSent(ctx context.Context, id int64, kind MailKind, at time.Time) error
	// ClaimMail marks message id as being handed to the mail server, unless
	// it is sent or claimed already; claimed reports which. A claimed
	// message is not due again (DueMail) until MailFailed releases it.
	ClaimMail(ctx context.Context, id int64, at time.Time) (claimed bool, err error)
	// MailFailed records a failed attempt and releases the claim.
	MailFailed(ctx context.Context, id int64, attempts int, next time.Time, class string) error
	// MailStatus counts the queue.
	MailStatus(ctx context.Context) (OutboxStatus, error)
}

// OutboxOptions configure an Outbox.
type OutboxOptions struct {
	// BaseURL is the app's public URL, e.g. "https://signaal.example.nl";
	// a message's link is BaseURL followed by Mail.Link.
	BaseURL string
	// RetryAfter is the wait after the first failed attempt, doubled after
	// each further one up to MaxRetryAfter; defaults 30 s and 1 h.
	RetryAfter, MaxRetryAfter time.Duration
	Now                       func() time.Time // default time.Now
}

// Outbox is the queue of outgoing e-mail: services enqueue, the sender
// (signal/mail, started by signal/app) delivers. It lives in the database,
// so what was enqueued survives a restart and an unreachable mail server.
type Outbox struct {
	store OutboxStore
	opts  OutboxOptions
	wake  chan struct{}
}

// NewOutbox returns the outbox over store.
func NewOutbox(store OutboxStore, opts OutboxOptions) *Outbox {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.RetryAfter <= 0 {
		opts.RetryAfter = 30 * time.Second
	}
	if opts.MaxRetryAfter <= 0 {
		opts.MaxRetryAfter = time.Hour
	}
	opts.BaseURL = strings.TrimRight(opts.BaseURL, "/")
	return &Outbox{store: store, opts: opts, wake: make(chan struct{}, 1)}
}

// Enqueue stores a message for sending, once per m.Key: stored is false
// when a message with that key was enqueued before (it is not stored or
// sent again). The subject and body are the fixed texts of m.Kind with the
// link, so nothing of a young person can go out.
//
// Callers: domain services and signal/app, after the use case that
// causes the message is done; never the web layer directly.
// Errors: CodeInvalid naming the field (key, to, kind, link,
// contact); CodeInternal when the store fails.
func (o *Outbox) Enqueue(ctx context.Context, m Mail) (stored bool, err error) {
	var fe FieldErrors
	m.Key = strings.TrimSpace(m.Key)
	if m.Key == "" || len(m.Key) > 200 {
		fe.Add("key", "required, at most 200 characters")
	}
	if a, err := mail.ParseAddress(m.To); err != nil || a.Name != "" || a.Address != strings.TrimSpace(m.To) {
		fe.Add("to", "not an e-mail address")
	}
	t, ok := mailTexts[m.Kind]
	if !ok {
		fe.Add("kind", "unknown kind of message")
	}
	if !strings.HasPrefix(m.Link, "/") || strings.HasPrefix(m.Link, "//") || strings.ContainsAny(m.Link, " \r\n\t") || len(m.Link) > 500 {
		fe.Add("link", "a path in the app starting with /")
	}
	if (m.Contact != nil) != (m.Kind == MailMatch) {
		fe.Add("contact", "a match, and only a match, names a contact")
	} else if c := m.Contact; c != nil {
		for _, s := range []string{c.Organisation, c.Person, c.Phone, c.Email} {
			if strings.ContainsAny(s, "\r\n") || len(s) > 200 {
				fe.Add("contact", "one line each, at most 200 characters")
				break
			}
		}
		if strings.TrimSpace(c.Organisation) == "" {
			fe.Add("contact.organisation", "required")
		}
	}
	if err := fe.Err(); err != nil {
		return false, err
	}
	now := o.opts.Now()
	msg := OutboxMessage{Key: m.Key, To: strings.TrimSpace(m.To), Kind: m.Kind, Created: now, NextAttempt: now,
		Subject: t.subjectNL + " / " + t.subjectEN, Body: o.body(t.nl, t.en, m), Link: m.Link}
	if m.Kind == MailInvitation || m.Kind == MailPasswordReset {
		msg.Link = ""
	}
	if stored, err = o.store.EnqueueMail(ctx, msg); err != nil {
		return false, fmt.Errorf("outbox: could not queue the message: %w", err)
	}
	if stored {
		select {
		case o.wake <- struct{}{}:
		default:
		}
	}
	return stored, nil
}

// body is the message's text: the kind's sentences, the contact for a
// match, and the link, in Dutch and then in English.
func (o *Outbox) body(nl, en string, m Mail) string {
	link := o.opts.BaseURL + m.Link
	var b strings.Builder
	contact := func(org, person, phone, email string) {
		if c := m.Contact; c != nil {
			fmt.Fprintf(&b, "\n%s: %s\n", org, c.Organisation)
			if c.Person != "" {
				fmt.Fprintf(&b, "%s: %s\n", person, c.Person)
			}
			if c.Phone != "" {
				fmt.Fprintf(&b, "%s: %s\n", phone, c.Phone)
			}
			if c.Email != "" {
				fmt.Fprintf(&b, "%s: %s\n", email, c.Email)
			}
		}
	}
	b.WriteString(nl + "\n")
	contact("Organisatie", "Contactpersoon", "Telefoon", "E-mail")
	fmt.Fprintf(&b, "\nOpenen: %s\n\n-- English --\n\n%s\n", link, en)
	contact("Organisation", "Contact person", "Phone", "E-mail")
	fmt.Fprintf(&b, "\nOpen: %s\n\nDit bericht is automatisch verstuurd door Signaal. / This message was sent automatically by Signaal.\n", link)
	return b.String()
}

// Wake is signalled (without blocking) after a message is stored, so the
// sender need not wait for its next round.
func (o *Outbox) Wake() <-chan struct{} { return o.wake }

// Due returns up to limit messages to try now, oldest first.
//
// Callers: the sender (signal/mail) only. Errors: CodeInternal.
func (o *Outbox) Due(ctx context.Context, limit int) ([]OutboxMessage, error) {
	ms, err := o.store.DueMail(ctx, o.opts.Now(), limit)
	if err != nil {
		return nil, fmt.Errorf("outbox: could not read the outbox: %w", err)
	}
	return ms, nil
}

// Delivered records that the mail server accepted message id: it is never
// tried again.
//
// Callers: the sender only. Errors: CodeInternal.
func (o *Outbox) Delivered(ctx context.Context, m OutboxMessage) error {
	if err := o.store.MailSent(ctx, m.ID, m.Kind, o.opts.Now()); err != nil {
		return fmt.Errorf("outbox: could not mark the message sent: %w", err)
	}
	return nil
}

// Claim marks m as being handed to the mail server now: it is sent at most
// once. Only a claimed message may be sent (false: another round has it,
// or it was sent). A claim that is never followed by Delivered or Failed
// (the mail server accepted it and marking it failed, or the process
// stopped) leaves the message pending and unsent again: /readyz shows it.
//
// Callers: the sender only. Errors: CodeInternal.
func (o *Outbox) Claim(ctx context.Context, m OutboxMessage) (bool, error) {
	ok, err := o.store.ClaimMail(ctx, m.ID, o.opts.Now())
	if err != nil {
		return false, fmt.Errorf("outbox: could not claim the message: %w", err)
	}
	return ok, nil
}

// Failed records a failed attempt at m with the error's class (a short
// word such as "unreachable", "auth" or "rejected", never the server's
// text, which may name the recipient) and schedules the next attempt:
// RetryAfter, doubled per earlier failure, at most MaxRetryAfter.
// It returns when that is.
//
// Callers: the sender only. Errors: CodeInternal.
func (o *Outbox) Failed(ctx context.Context, m OutboxMessage, class string) (time.Time, error) {
	wait := o.opts.RetryAfter
	for i := 0; i < m.Attempts && wait < o.opts.MaxRetryAfter; i++ {
		wait *= 2
	}
	wait = min(wait, o.opts.MaxRetryAfter)
	next := o.opts.Now().Add(wait)
	if err := o.store.MailFailed(ctx, m.ID, m.Attempts+1, next, class); err != nil {
		return next, fmt.Errorf("outbox: could not record the failed attempt: %w", err)
	}
	return next, nil
}

// Status counts the queue: pending, the oldest pending one's age, the
// last error class.
//
// Callers: the wiring's readiness detail (anyone may read /readyz: no
// addresses, no texts). Errors: CodeInternal.
func (o *Outbox) Status(ctx context.Context) (OutboxStatus, error) {
	st, err := o.store.MailStatus(ctx)
	if err != nil {
		return st, fmt.Errorf("outbox: could not count the outbox: %w", err)
	}
	return st, nil
}

// Now is the outbox's clock (the sender reports ages with it).
func (o *Outbox) Now() time.Time { return o.opts.Now() }

// MailKeyDigest is a short digest of a dedupe key, for a message's
// Message-ID: the same key gives the same id, and the key (which may name
// an action or a user) is not shown.
func MailKeyDigest(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:8])
}
