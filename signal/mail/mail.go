// Package mail delivers the outbox (signal.Outbox) over SMTP with
// github.com/wneessen/go-mail. signal/app starts one Sender when an SMTP
// server is configured; without one, messages stay queued and /readyz says
// so. The queue lives in the database: an unreachable server, a refused
// login or a restart leaves every message queued, to be tried again with
// a growing wait, and a message the server accepted is never sent again.
package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/signaal-nl/signaal/signal"
)

// TLS is how the connection to the SMTP server is secured.
type TLS string

// The TLS modes of --smtp-tls.
const (
	TLSNone     TLS = "none"     // plain SMTP (a relay on the same host or network)
	TLSStartTLS TLS = "starttls" // STARTTLS required (submission, port 587)
	TLSImplicit TLS = "tls"      // TLS from the first byte (port 465)
)

// Config is the SMTP server and the sender's address.
type Config struct {
	Addr           string // host:port of the SMTP server
	From           string // the messages' From address
	User, Password string // SMTP login; none when User is empty
	TLS            TLS    // default TLSStartTLS
	// TLSConfig overrides the TLS client configuration (tests trust their
	// own certificate with it).
	TLSConfig *tls.Config
	Timeout   time.Duration // per connection; default 30 s
	// Poll is how often the queue is looked at besides the outbox's wake
	// signal (default 10 s): retries fall due with time.
	Poll   time.Duration
	Logger *slog.Logger
}

// Validate checks the configuration, naming the flag at fault.
func (c *Config) Validate() error {
	host, port, err := net.SplitHostPort(c.Addr)
	if err != nil || host == "" {
		return fmt.Errorf("--smtp-addr %q: want host:port, e.g. smtp.example.nl:587", c.Addr)
	}
	if p, err := strconv.Atoi(port); err != nil || p <= 0 || p > 65535 {
		return fmt.Errorf("--smtp-addr %q: port %q is not a number from 1 to 65535", c.Addr, port)
	}
	if c.TLS == "" {
		c.TLS = TLSStartTLS
	}
	switch c.TLS {
	case TLSNone, TLSStartTLS, TLSImplicit:
	default:
		return fmt.Errorf("--smtp-tls %q: want none, starttls or tls", c.TLS)
	}
	if a, err := parseAddress(c.From); err != nil || a == "" {
		return fmt.Errorf("--smtp-from %q: not an e-mail address", c.From)
	}
	if c.User == "" && c.Password != "" {
		return errors.New("--smtp-password-file without --smtp-user")
	}
	return nil
}

func parseAddress(s string) (string, error) {
	m := gomail.NewMsg()
	if err := m.From(s); err != nil {
		return "", err
	}
	return strings.TrimSpace(s), nil
}

// Sender delivers the outbox.
type Sender struct {
	outbox *signal.Outbox
	cfg    Config
	log    *slog.Logger
}

// New returns a sender for outbox; cfg must be valid (Validate).
func New(outbox *signal.Outbox, cfg Config) (*Sender, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 10 * time.Second
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Sender{outbox: outbox, cfg: cfg, log: log}, nil
}

// Run delivers what is due now, then whenever the outbox wakes it or Poll
// passes, until ctx is done.
func (s *Sender) Run(ctx context.Context) {
	tick := time.NewTicker(s.cfg.Poll)
	defer tick.Stop()
	for {
		if _, err := s.SendDue(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("mail: a round of sending failed", slog.Any("err", err))
		}
		select {
		case <-ctx.Done():
			return
		case <-s.outbox.Wake():
		case <-tick.C:
		}
	}
}

// batch is how many messages one connection sends at most.
const batch = 50

// SendDue sends the messages that are due over one connection and returns
// how many the server accepted. A message the server did not accept is
// recorded as failed with its error class and tried again later.
func (s *Sender) SendDue(ctx context.Context) (int, error) {
	sent := 0
	for {
		due, err := s.outbox.Due(ctx, batch)
		if err != nil || len(due) == 0 {
			return sent, err
		}
		n, err := s.send(ctx, due)
		sent += n
		if err != nil || len(due) < batch {
			return sent, err
		}
	}
}

func (s *Sender) client() (*gomail.Client, error) {
	host, port, _ := net.SplitHostPort(s.cfg.Addr)
	p, _ := strconv.Atoi(port)
	opts := []gomail.Option{gomail.WithPort(p), gomail.WithTimeout(s.cfg.Timeout)}
	switch s.cfg.TLS {
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	case TLSStartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL(), gomail.WithPort(p))
	}
	if s.cfg.TLSConfig != nil {
		opts = append(opts, gomail.WithTLSConfig(s.cfg.TLSConfig))
	}
	if s.cfg.User != "" {
		// Over TLS the strongest mechanism the server offers; without TLS
		// PLAIN, which go-mail allows only to a server on this host.
		auth := gomail.SMTPAuthAutoDiscover
		if s.cfg.TLS == TLSNone {
			auth = gomail.SMTPAuthPlain
		}
		opts = append(opts, gomail.WithSMTPAuth(auth),
			gomail.WithUsername(s.cfg.User), gomail.WithPassword(s.cfg.Password))
	}
	return gomail.NewClient(host, opts...)
}

// send delivers due over one connection. A failed connection fails every
// message of the round; a message the server refuses fails alone.
func (s *Sender) send(ctx context.Context, due []signal.OutboxMessage) (int, error) {
	c, err := s.client()
	if err != nil {
		return 0, s.failAll(ctx, due, "config", err)
	}
	if err := c.DialWithContext(ctx); err != nil {
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		return 0, s.failAll(ctx, due, classify(err), err)
	}
	defer c.Close()
	sent := 0
	for _, m := range due {
		msg, err := s.message(m)
		if err != nil {
			s.failed(ctx, m, "message", err)
			continue
		}
		// Claimed first: once handed over, it is never sent again, even
		// when marking it sent fails below.
		if ok, err := s.outbox.Claim(ctx, m); err != nil {
			return sent, err
		} else if !ok {
			continue
		}
		// What the server answered is recorded even when the service is
		// stopping meanwhile (ctx cancelled): the send cannot be undone, so
		// its record must not be dropped (a stop between the server's
		// answer and the mark left an accepted message claimed and
		// "not sent" for good).
		record := context.WithoutCancel(ctx)
		if err := c.Send(msg); err != nil && !msg.IsDelivered() {
			s.failed(record, m, classify(err), err)
			if ctx.Err() != nil {
				return sent, ctx.Err()
			}
			continue
		} else if err != nil {
			// Accepted, then the connection failed (go-mail's RSET after
			// the message): delivered, so recorded as sent and never
			// sent again; the next message finds the connection broken
			// and is tried again later.
			s.log.Warn("mail: connection failed after the server accepted a message", slog.Int64("id", m.ID),
				slog.String("class", classify(err)))
		}
		if err := s.outbox.Delivered(record, m); err != nil {
			// Accepted but not marked: it stays claimed, so it is not sent
			// again (it shows as pending in /readyz).
			s.log.Error("mail: sent but not marked sent", slog.Int64("id", m.ID), slog.Any("err", err))
			return sent, err
		}
		sent++
		if ctx.Err() != nil {
			return sent, ctx.Err()
		}
	}
	return sent, nil
}

// message builds the e-mail for m. Its Message-ID is derived from the
// outbox id and key, so a copy is recognisably the same message.
func (s *Sender) message(m signal.OutboxMessage) (*gomail.Msg, error) {
	msg := gomail.NewMsg()
	if err := msg.From(s.cfg.From); err != nil {
		return nil, err
	}
	if err := msg.To(m.To); err != nil {
		return nil, err
	}
	msg.Subject(m.Subject)
	msg.SetDateWithValue(s.outbox.Now())
	_, domain, _ := strings.Cut(s.cfg.From, "@")
	msg.SetMessageIDWithValue(fmt.Sprintf("signaal-%d-%s@%s", m.ID, signal.MailKeyDigest(m.Key), strings.Trim(domain, "<> ")))
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.SetBodyString(gomail.TypeTextPlain, m.Body)
	return msg, nil
}

func (s *Sender) failAll(ctx context.Context, due []signal.OutboxMessage, class string, cause error) error {
	s.log.Warn("mail: cannot reach the SMTP server; messages stay queued", slog.String("class", class),
		slog.Int("messages", len(due)), slog.Any("err", cause))
	var errs []error
	for _, m := range due {
		if _, err := s.outbox.Failed(ctx, m, class); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (s *Sender) failed(ctx context.Context, m signal.OutboxMessage, class string, cause error) {
	next, err := s.outbox.Failed(ctx, m, class)
	// The id and kind only: the server's text may name the recipient.
	s.log.Warn("mail: message not accepted; tried again later", slog.Int64("id", m.ID), slog.String("kind", string(m.Kind)),
		slog.String("class", class), slog.Time("next", next), slog.Any("err", errors.Join(cause, err)))
}

// classify names the kind of failure without the server's words:
// unreachable (no connection), tls, auth (login refused), deferred (a 4xx
// answer), rejected (a 5xx answer).
func classify(err error) string {
	var se *gomail.SendError
	var ne net.Error
	msg := strings.ToLower(err.Error())
	switch {
	case errors.As(err, &se):
		if se.IsTemp() {
			return "deferred"
		}
		if se.Reason == gomail.ErrConnCheck {
			return "unreachable"
		}
		return "rejected"
	case strings.Contains(msg, "auth"):
		return "auth"
	case strings.Contains(msg, "tls") || strings.Contains(msg, "x509") || strings.Contains(msg, "certificate"):
		return "tls"
	case errors.As(err, &ne):
		return "unreachable"
	}
	return "unreachable"
}
