// Package mailtest starts a real SMTP server (github.com/emersion/go-smtp)
// in the test process and keeps what it receives, so a test can see
// exactly which messages reached the mail server, how often, and what they
// said. It can be stopped and started again on the same address to play
// an unreachable server.
//
//	srv := mailtest.Start(t)
//	a, _ := app.Open(ctx, app.Options{..., Mail: srv.Config()})
//	msgs := srv.Wait(t, 1) // the first message, decoded
package mailtest

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	sigmail "github.com/signaal-nl/signaal/signal/mail"
)

// From is the sender address Config uses.
const From = "signaal@test.signaal.nl"

// Message is one received message, decoded.
type Message struct {
	From      string   // MAIL FROM
	To        []string // RCPT TO
	Subject   string
	MessageID string
	Header    mail.Header
	Body      string // the text, transfer encoding undone
	Raw       []byte // as received
}

// Options configure the server.
type Options struct {
	// User and Password, when set, make the server require AUTH PLAIN
	// with them (over the plain loopback connection).
	User, Password string
	// Hold, when set, makes the server keep its answer to a message's
	// data (the "accepted") until Hold is closed; the message counts as
	// received (Wait sees it) before the answer goes. A test uses it to
	// stop the service between the server's acceptance and the answer.
	Hold <-chan struct{}
	// DropAfterAccept makes the server close the connection right after
	// it accepted a message, so the client's next command (go-mail's
	// RSET) fails although the message was delivered.
	DropAfterAccept bool
}

// Server is a running SMTP server.
type Server struct {
	Addr string // 127.0.0.1:port, the same after Stop and Start
	opts Options

	mu   sync.Mutex
	srv  *smtp.Server
	ln   net.Listener
	msgs []Message
	got  chan struct{}
}

// Start starts a server on a free loopback port; it stops when the test
// ends.
func Start(t testing.TB, opts ...Options) *Server {
	t.Helper()
	s := &Server{got: make(chan struct{}, 1)}
	if len(opts) > 0 {
		s.opts = opts[0]
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("mailtest: listen: %v", err)
	}
	s.Addr = ln.Addr().String()
	s.serve(ln)
	t.Cleanup(s.Stop)
	return s
}

// Config is a sender configuration for this server (no TLS; the login
// if the server asks for one).
func (s *Server) Config() sigmail.Config {
	return sigmail.Config{Addr: s.Addr, From: From, TLS: sigmail.TLSNone, User: s.opts.User, Password: s.opts.Password,
		Timeout: 5 * time.Second, Poll: 50 * time.Millisecond}
}

func (s *Server) serve(ln net.Listener) {
	srv := smtp.NewServer(backend{s})
	srv.Domain = "mailtest.localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	s.mu.Lock()
	s.srv, s.ln = srv, ln
	s.mu.Unlock()
	go srv.Serve(ln)
}

// Stop stops the server: connections to Addr are refused until Start.
func (s *Server) Stop() {
	s.mu.Lock()
	srv, ln := s.srv, s.ln
	s.srv, s.ln = nil, nil
	s.mu.Unlock()
	if ln != nil {
		ln.Close() // Serve may not have taken it yet
	}
	if srv != nil {
		srv.Close()
	}
}

// Restart serves on Addr again after Stop, keeping what was received.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	var ln net.Listener
	var err error
	for i := 0; i < 50; i++ { // the port may linger a moment
		if ln, err = net.Listen("tcp", s.Addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("mailtest: listen again on %s: %v", s.Addr, err)
	}
	s.serve(ln)
}

// Messages returns what was received so far, in order.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Wait waits up to 20 s until at least n messages were received and
// returns all received; it fails the test if fewer came.
func (s *Server) Wait(t testing.TB, n int) []Message {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		if ms := s.Messages(); len(ms) >= n {
			return ms
		}
		select {
		case <-s.got:
		case <-deadline:
			ms := s.Messages()
			t.Fatalf("mailtest: %d messages received within 20 s, want %d", len(ms), n)
			return ms
		}
	}
}

// Quiet waits d and fails the test if more than n messages arrived by
// then: the check that nothing is sent again.
func (s *Server) Quiet(t testing.TB, n int, d time.Duration) []Message {
	t.Helper()
	time.Sleep(d)
	ms := s.Messages()
	if len(ms) > n {
		t.Fatalf("mailtest: %d messages received, want %d: %v", len(ms), n, subjects(ms))
	}
	return ms
}

func subjects(ms []Message) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.To[0]+": "+m.Subject)
	}
	return out
}

func (s *Server) add(m Message) {
	s.mu.Lock()
	s.msgs = append(s.msgs, m)
	s.mu.Unlock()
	select {
	case s.got <- struct{}{}:
	default:
	}
}

type backend struct{ s *Server }

func (b backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{s: b.s, conn: c}, nil
}

type session struct {
	s        *Server
	conn     *smtp.Conn
	accepted bool
	authed   bool
	from     string
	to       []string
	mailFrom bool
}

func (ss *session) AuthMechanisms() []string {
	if ss.s.opts.User == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		if user != ss.s.opts.User || pass != ss.s.opts.Password {
			return errors.New("invalid credentials")
		}
		ss.authed = true
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.opts.User != "" && !ss.authed {
		return smtp.ErrAuthRequired
	}
	ss.from, ss.mailFrom = from, true
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m := Message{From: ss.from, To: append([]string(nil), ss.to...), Raw: raw}
	if pm, err := mail.ReadMessage(bytes.NewReader(raw)); err == nil {
		m.Header = pm.Header
		dec := new(mime.WordDecoder)
		if m.Subject, err = dec.DecodeHeader(pm.Header.Get("Subject")); err != nil {
			m.Subject = pm.Header.Get("Subject")
		}
		m.MessageID = pm.Header.Get("Message-Id")
		var body io.Reader = pm.Body
		switch strings.ToLower(pm.Header.Get("Content-Transfer-Encoding")) {
		case "quoted-printable":
			body = quotedprintable.NewReader(pm.Body)
		case "base64":
			body = base64Reader(pm.Body)
		}
		b, _ := io.ReadAll(body)
		m.Body = strings.ReplaceAll(string(b), "\r\n", "\n")
	}
	ss.s.add(m)
	ss.accepted = true
	if ss.s.opts.Hold != nil {
		<-ss.s.opts.Hold
	}
	return nil
}

func (ss *session) Reset() {
	ss.from, ss.to, ss.mailFrom = "", nil, false
	if ss.accepted && ss.s.opts.DropAfterAccept {
		ss.conn.Conn().Close() // after the "accepted" answer went out
	}
}

func (ss *session) Logout() error { return nil }
