// Package app is the one place that knows every concrete part of Signaal:
// it opens the SQLite database, the young people's key store, the policy
// engine and the signing keys, and builds the domain services over them.
// signald serve, the operator's commands, every test that needs the whole
// application, the load benchmark and the demo all call Open, so the
// application is wired exactly once.
//
// The web layer is not built here: app must not import signal/web, whose
// own tests import app. Instead *App meets web.Application (its services,
// token keys, readiness checks, the policy's texts and the writer's
// counters, in types of signal, signal/auth and signal/health), and a
// caller writes
//
//	web.New(web.FromApp(a, web.Deps{SecureCookies: …, TrustedProxies: …}))
//
// adding only what belongs to the web layer (cookies, proxies, limits).
package app

import (
	"context"
	"crypto/ed25519"
	"crypto/hkdf"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/signaal-nl/signaal/audit"
	"github.com/signaal-nl/signaal/policy"
	"github.com/signaal-nl/signaal/rego"
	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/auth"
	"github.com/signaal-nl/signaal/signal/health"
	"github.com/signaal-nl/signaal/signal/keystore"
	"github.com/signaal-nl/signaal/signal/mail"
	"github.com/signaal-nl/signaal/signal/oidcrp"
	"github.com/signaal-nl/signaal/signal/sqlite"
	"github.com/signaal-nl/signaal/signal/textcheck"
	"golang.org/x/mod/sumdb/note"
)

// The session tokens' issuer and audience.
const (
	TokenIssuer   = "signaal"
	TokenAudience = "signaal-api"
)

// SigningKeyFile is the session tokens' Ed25519 key, in the keys directory.
const SigningKeyFile = "jwt-ed25519.key"

// Parts are the parts Open builds beyond the database. The operator's
// commands open only what they use, so that, say, adding a user neither
// compiles the policy nor creates keys.
type Parts uint8

const (
	// Database is the database with Accounts, and Privacy over it (its
	// use cases that need more answer CodeUnavailable without it).
	Database Parts = 1 << iota
	// YouthKeys adds the key store that seals content per young person,
	// and with it retention, erasure and lookups by name.
	YouthKeys
	// Policy adds the policy engine, and with YouthKeys the Signals and
	// Meetings services.
	Policy
	// Signing adds the keys that sign: the session tokens' (Issuer,
	// Verifier) and the audit checkpoints'.
	Signing
	// All is what signald serve and the tests run.
	All = Database | YouthKeys | Policy | Signing
)

// Options configure Open. DB is required; the zero value of every other
// field is what signald serve runs with.
type Options struct {
	DB   string // the database file, created (with its directory) if missing
	Keys string // the keys directory; default keys/ next to the database
	// Purpose names the process in the database's owner lock (see
	// sqlite.Lock), e.g. "serve"; default "command".
	Purpose string
	// MinFree is the free space, in bytes, on the database's file system
	// below which the storage readiness check fails; zero means
	// sqlite.DefaultMinFree, a negative value switches the threshold off
	// (the check then only fails when the file system cannot be read).
	MinFree int64
	// Parts to build; zero means All.
	Parts Parts
	// PolicyDir is a directory of .rego files used instead of the
	// built-in policy; Engine, if set, is used instead of either (tests
	// load the policy once for many applications).
	PolicyDir string
	Engine    *policy.Engine
	// Retention is how long a signal stays after its observation; zero
	// means signal.DefaultRetention.
	Retention signal.Period
	// Now is the clock of every part (default time.Now). RetentionNow, if
	// set, is the retention job's alone: tests move it years ahead to see
	// signals expire without expiring their own sessions.
	Now, RetentionNow func() time.Time
	Logger            *slog.Logger // default discards
	// PasswordParams are the cost of new password hashes; zero means
	// auth.DefaultPasswordParams (tests use cheap ones).
	PasswordParams auth.PasswordParams
	// Demo is demo mode (signald serve --demo on loopback): the demo's
	// public accounts log in without a second factor. A real set-up
	// leaves it false: every account then needs its second factor.
	Demo bool
	// RememberDevice is how long a browser asked to remember logs in
	// without the second factor; zero means signal.DefaultRememberDevice.
	RememberDevice time.Duration
	// CheckpointKeyName names a new audit checkpoint key; default
	// "signaal-audit/" and the host name.
	CheckpointKeyName string
	// SMTP is the mail server the outbox is delivered to (signald serve
	// --smtp-*); with no Addr nothing is sent and messages stay queued
	// (/readyz detail says so).
	SMTP mail.Config
	// PublicURL is the app's address as its users reach it, the start of
	// every link in a message, e.g. https://signaal.example.nl.
	PublicURL string
	// MailRetry is the wait after a first failed delivery, doubled per
	// further failure up to an hour; default 30 s (tests: milliseconds).
	MailRetry time.Duration
	// Invitations sends the administrator's invitations; default: the
	// e-mail outbox (Outbox).
	Invitations signal.InvitationSender
}

// App is the running application: its services and the parts under them.
// Fields of parts Open did not build are nil.
type App struct {
	signal.Services
	Retention *signal.Retention // the retention rule (YouthKeys)

	Issuer     *auth.Issuer       // signs session tokens (Signing)
	Verifier   *auth.Verifier     // checks them (Signing)
	SigningKey ed25519.PrivateKey // the session tokens' key (Signing)

	// Ready are the readiness checks: database, writer, storage (free
	// space), with YouthKeys the keys (master.key in place, no key found
	// missing), and with Policy the policy.
	Ready []health.Check

	// Outbox is the queue of outgoing e-mail (Database): services enqueue,
	// the sender started by Open delivers when Options.SMTP is set.
	Outbox *signal.Outbox

	DB     *sqlite.DB
	Keys   *keystore.Store // YouthKeys
	Engine *policy.Engine  // Policy

	opts      Options
	integrity *sqlite.Integrity
	lastSize  int64 // the log's size at the last hourly checkpoint
	closers   []func() error
}

// Open opens the parts opts asks for and builds the services over them.
// Close the App to stop the writer and release the files.
func Open(ctx context.Context, opts Options) (_ *App, err error) {
	if strings.TrimSpace(opts.DB) == "" {
		return nil, errors.New("app: no database file given")
	}
	if opts.Parts == 0 {
		opts.Parts = All
	}
	if opts.Keys == "" {
		opts.Keys = filepath.Join(filepath.Dir(opts.DB), "keys")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.RetentionNow == nil {
		opts.RetentionNow = opts.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	a := &App{opts: opts, lastSize: -1}
	defer func() {
		if err != nil {
			a.Close()
		}
	}()
	logger := opts.Logger

	if a.DB, err = sqlite.Open(ctx, opts.DB, sqlite.Options{Now: opts.Now, Logger: logger, Writer: sqlite.WriterOptions{Logger: logger}, Purpose: opts.Purpose}); err != nil {
		return nil, err
	}
	a.closers = append(a.closers, a.DB.Close)
	minFree := uint64(sqlite.DefaultMinFree)
	switch {
	case opts.MinFree < 0:
		minFree = 0
	case opts.MinFree > 0:
		minFree = uint64(opts.MinFree)
	}
	a.Ready = []health.Check{{Name: "database", Check: a.DB.Ping}, {Name: "writer", Check: a.DB.CheckWriter},
		{Name: "storage", Check: a.DB.CheckStorage(minFree)}}
	if err := a.openMail(opts); err != nil {
		return nil, err
	}

	// The pseudonym of unknown login addresses is keyed by a key derived
	// from the session signing key: stable across restarts, nothing new to
	// back up. Without it, a random key per process.
	var loginKey []byte
	var cpSigner note.Signer
	var cpVerifier note.Verifier
	var cpTrusted []note.Verifier // earlier checkpoint keys, rotated out
	if opts.Parts&Signing != 0 {
		if a.SigningKey, err = auth.LoadOrCreateSigningKey(filepath.Join(opts.Keys, SigningKeyFile)); err != nil {
			return nil, err
		}
		if a.Issuer, err = auth.NewIssuer(a.SigningKey, auth.IssuerOptions{Issuer: TokenIssuer, Audience: TokenAudience, Now: opts.Now}); err != nil {
			return nil, err
		}
		if a.Verifier, err = auth.NewVerifier(opts.Now, 0, auth.TrustedIssuer{
			Issuer: TokenIssuer, Audience: TokenAudience, Methods: []string{"EdDSA"}, Keys: a.Issuer.KeySet()}); err != nil {
			return nil, err
		}
		if loginKey, err = hkdf.Key(sha256.New, a.SigningKey.Seed(), nil, "signaal login address pseudonym v1", 32); err != nil {
			return nil, fmt.Errorf("derive login pseudonym key: %w", err)
		}
		name := opts.CheckpointKeyName
		if name == "" {
			name = CheckpointKeyName()
		}
		var vkey string
		if cpSigner, vkey, err = audit.LoadOrCreateKey(filepath.Join(opts.Keys, audit.CheckpointKeyFile), name); err != nil {
			return nil, err
		}
		if cpVerifier, err = audit.NewVerifier(vkey); err != nil {
			return nil, err
		}
		if cpTrusted, err = audit.LoadTrusted(filepath.Join(opts.Keys, audit.CheckpointKeyFile)); err != nil {
			return nil, err
		}
	}

	store := a.DB.Accounts()
	var resetSender signal.PasswordResetSender
	if a.Outbox != nil {
		resetSender = a.Outbox // password reset links go out through the e-mail outbox
	}
	if a.Accounts, err = signal.NewAccounts(store, a.DB, store, auth.Passwords{Params: opts.PasswordParams},
		signal.AccountsOptions{LoginKey: loginKey, Now: opts.Now, SecondFactors: store, Codes: auth.TOTP{},
			Demo: opts.Demo, RememberDevice: opts.RememberDevice, OIDC: store, OIDCClient: oidcrp.New(),
			PasswordResets: store, ResetSender: resetSender, Invitations: store}); err != nil {
		return nil, err
	}
	if opts.Invitations == nil && a.Outbox != nil {
		opts.Invitations = a.Outbox // invitations go out through the e-mail outbox
	}
	a.Admin = signal.NewAdministration(signal.AdministrationDeps{Accounts: a.Accounts, Directory: a.DB, Agreements: store, Parts: store, Standing: store,
		Invitations: store, Users: a.DB, Sender: opts.Invitations, Factors: a.Accounts,
		Secrets: secretDir(filepath.Join(opts.Keys, "oidc")), Now: opts.Now})

	privacy := signal.PrivacyDeps{Now: opts.Now}
	if opts.Parts&YouthKeys != 0 {
		// Names, birth dates and observations are sealed with a key per
		// young person. The wrapped keys are rows of the database (a
		// signal and its key commit together); master.key, which wraps
		// them, stays in the keys directory apart from the database.
		if a.Keys, err = keystore.Open(ctx, opts.Keys, keystore.Options{Logger: logger, Keys: a.DB.YouthKeys()}); err != nil {
			return nil, fmt.Errorf("open the youth key store: %w", err)
		}
		a.closers = append(a.closers, a.Keys.Close)
		a.Ready = append(a.Ready, health.Check{Name: "keys", Check: a.Keys.Check})
		a.Retention = signal.NewRetention(a.DB.Privacy(), a.Keys,
			signal.RetentionOptions{Period: opts.Retention, Now: opts.RetentionNow, Logger: logger})
		privacy.Retention, privacy.Pseudonyms, privacy.Vault = a.Retention, a.Keys, a.Keys
		// The accounts' second-factor secrets are sealed like content.
		a.Accounts.SealSecondFactorsWith(a.Keys)
		if n, err := a.Accounts.SealStoredSecondFactors(ctx); err != nil {
			return nil, fmt.Errorf("seal the second-factor secrets stored in the clear: %w", err)
		} else if n > 0 {
			logger.Info("sealed the second-factor secrets stored before they were sealed", "accounts", n)
		}
	}

	if opts.Parts&Policy != 0 {
		if a.Engine = opts.Engine; a.Engine == nil {
			if a.Engine, err = LoadPolicy(ctx, opts.PolicyDir); err != nil {
				return nil, err
			}
		}
		engine := a.Engine
		a.Ready = append(a.Ready, health.Check{Name: "policy", Check: func(context.Context) error {
			if engine.Version() == "" {
				return errors.New("no policy loaded")
			}
			return nil
		}})
		if a.Keys != nil {
			// The memo answers repeated answer patterns without evaluating
			// the Rego again: the engine is fixed for the life of the process.
			disclosure := signal.NewDisclosure(a.Keys, a.DB, textcheck.Default()).WithRestrictions(a.DB.Privacy())
			a.Signals = signal.NewSignals(policy.NewMemoDecider(engine, 0), a.Keys, a.DB.Signals(), disclosure,
				signal.SignalsOptions{Now: opts.Now, Agreements: a.DB, Duties: a.DB.Signals()})
			// Answers stored in the clear before they were sealed (issue 18
			// finding 6) are sealed once, before anything is served.
			n, err := a.Signals.SealStoredAnswers(ctx)
			if err != nil {
				return nil, fmt.Errorf("seal the answers stored in the clear: %w", err)
			}
			if n > 0 {
				logger.Info("sealed the answers of signals stored before answers were sealed", "signals", n)
			}
			a.Meetings = signal.NewMeetings(disclosure, a.Keys, a.DB.MeetingStores(),
				signal.MeetingsOptions{Evaluations: a.DB.Meetings(), TextChecker: textcheck.Default(), Now: opts.Now, Standing: store})
			privacy.Content, privacy.Cases = a.Signals, a.Meetings
			// Titles from before they were sealed: checked, then sealed or
			// dropped, before anyone reads them.
			if n, err := a.Meetings.SealOldTitles(ctx, system); err != nil {
				return nil, fmt.Errorf("seal the meeting titles kept in the clear: %w", err)
			} else if n.Sealed+n.Dropped > 0 {
				logger.Info("meeting titles from before the check sealed", "sealed", n.Sealed, "dropped", n.Dropped)
			}
			// Risks and bottlenecks stored in the clear before they were
			// sealed (issue 18): sealed once, before anything is served.
			if n, err := a.Meetings.SealStoredRisks(ctx); err != nil {
				return nil, fmt.Errorf("seal the risks stored in the clear: %w", err)
			} else if n > 0 {
				logger.Info("sealed the risk texts stored before risks were sealed", "texts", n)
			}
		}
	}

	ps := a.DB.Privacy()
	a.integrity = a.DB.Integrity(cpSigner, cpVerifier, cpTrusted...)
	privacy.Log, privacy.Integrity, privacy.Recorder, privacy.Store = ps, a.integrity, ps, ps
	privacy.Policies, privacy.Escalations, privacy.Directory, privacy.Requests, privacy.Staff = ps, ps, a.DB, ps, a.DB
	privacy.Agreements, privacy.Breaches = a.DB, ps
	privacy.Versions, privacy.Recorded, privacy.Approvals = policy.Versions{}, ps, ps
	a.Privacy = signal.NewPrivacy(privacy)
	if a.Keys != nil {
		// Escalation advice and notes stored in the clear before they were
		// sealed (issue 18): sealed once, before anything is served.
		if n, err := a.Privacy.SealStoredEscalationTexts(ctx); err != nil {
			return nil, fmt.Errorf("seal the escalation texts stored in the clear: %w", err)
		} else if n > 0 {
			logger.Info("sealed the advice and notes of escalations stored before they were sealed", "escalations", n)
		}
	}
	a.Notifications = signal.NewNotifications(signal.NotificationsDeps{Store: a.DB.Outbox(), Outbox: a.Outbox,
		ScanEscalations: a.Privacy.ScanEscalations, Now: opts.Now})
	return a, nil
}

// Close stops the writer and closes the database and the key store.
func (a *App) Close() error {
	var errs []error
	for i := len(a.closers) - 1; i >= 0; i-- {
		errs = append(errs, a.closers[i]())
	}
	a.closers = nil
	return errors.Join(errs...)
}

// UseCases are the services (web.Application).
func (a *App) UseCases() signal.Services { return a.Services }

// Tokens are the session tokens' issuer and verifier (web.Application);
// nil without the Signing part.
func (a *App) Tokens() (*auth.Issuer, *auth.Verifier) { return a.Issuer, a.Verifier }

// ReadyChecks are the readiness checks (web.Application).
func (a *App) ReadyChecks() []health.Check { return a.Ready }

// WriterStats reports the group-commit writer's counters, for /metrics.
func (a *App) WriterStats() health.WriterStats {
	st := a.DB.Writer().Stats()
	return health.WriterStats{Batches: st.Batches, Units: st.Units, Syncs: st.Syncs, Busy: st.Busy, Syncing: st.Syncing}
}

// ReasonTexts are the policy's sentences per reason code; nil without
// the Policy part.
func (a *App) ReasonTexts() map[string]signal.Text {
	if a.Engine == nil {
		return nil
	}
	return a.Engine.ReasonTexts()
}

// Questions is the policy's question catalogue; nil without the Policy
// part.
func (a *App) Questions() []signal.Question {
	if a.Engine == nil {
		return nil
	}
	return a.Engine.Questions()
}

// PolicyWasm is the policy compiled to WebAssembly (policy.wasm) and its
// policy_version, the same as the engine's (web.Application): the phone
// decides with it offline. It compiles on the first call and keeps the
// result.
func (a *App) PolicyWasm() ([]byte, string, error) {
	if a.Engine == nil {
		return nil, "", errors.New("app: no policy loaded")
	}
	w, err := a.Engine.Wasm()
	if err != nil {
		return nil, "", err
	}
	return w.Module, w.Version, nil
}

// system is who the audit log names for what the application does of
// itself (the policy load at start).
var system = signal.Actor{UserID: "signald", Role: signal.RoleSystem}

// RecordPolicyLoad stores the loaded policy's files under its version and
// audits policy.load, so the console can say which policy was in force
// when and show what changed (R11).
func (a *App) RecordPolicyLoad(ctx context.Context) error {
	if a.Engine == nil {
		return errors.New("app: no policy loaded")
	}
	var fsys fs.FS = rego.FS
	if a.opts.PolicyDir != "" && a.opts.Engine == nil {
		fsys = os.DirFS(a.opts.PolicyDir)
	}
	files, err := signal.ReadPolicyFiles(fsys)
	if err != nil {
		return err
	}
	return a.Privacy.RecordPolicyLoad(ctx, system, a.Engine.Version(), files)
}

// LoadPolicy loads the built-in policy, or the .rego files of dir when a
// privacy officer's adjusted copy is configured.
func LoadPolicy(ctx context.Context, dir string) (*policy.Engine, error) {
	var fsys fs.FS = rego.FS
	if dir != "" {
		fsys = os.DirFS(dir)
	}
	e, err := policy.Load(ctx, fsys)
	if err != nil {
		if dir != "" {
			return nil, fmt.Errorf("load the policy in %s: %w", dir, err)
		}
		return nil, fmt.Errorf("load the built-in policy: %w", err)
	}
	return e, nil
}

// CheckpointKeyName names a new audit checkpoint key after this host,
// "signaal-audit/<host>", so checkpoints of different deployments cannot be
// confused: the service and signald audit checkpoint, whichever makes the
// key first.
func CheckpointKeyName() string {
	host, _ := os.Hostname()
	return "signaal-audit/" + checkpointName(host)
}

// checkpointName makes the host name fit a signed-note key name (no spaces
// or plus signs).
func checkpointName(host string) string {
	host = strings.Map(func(r rune) rune {
		if r == ' ' || r == '+' || r < 0x21 || r > 0x7e {
			return '-'
		}
		return r
	}, host)
	if host == "" {
		return "signald"
	}
	return host
}
