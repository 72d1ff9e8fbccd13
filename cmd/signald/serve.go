package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/app"
	"github.com/signaal-nl/signaal/signal/mail"
	"github.com/signaal-nl/signaal/signal/sqlite"
	"github.com/signaal-nl/signaal/signal/web"
)

// serveConfig is serve's configuration after flags and environment.
type serveConfig struct {
	addr, db, keys, policyDir, logFormat string
	metricsAddr, metricsTokenFile        string
	trustedProxies                       []*net.IPNet
	demo, allowRemoteDemo, secureCookies bool
	retention                            signal.Period
	retentionEvery                       time.Duration
	minFree                              uint64
	smtp                                 mail.Config
	smtpPasswordFile, publicURL          string
	// keysBesideDB: --keys was not given, so the keys are in keys/ next
	// to the database.
	keysBesideDB bool
	// ssoPublicURL is publicURL when the operator gave it or the service
	// listens on loopback; empty otherwise (see web.Deps.PublicURL).
	ssoPublicURL string
}

// maxMinFreeMiB bounds --min-free-mib: 1 EiB, far beyond any disk and
// far below what overflows as bytes.
const maxMinFreeMiB = 1 << 40

// minFreeBytes is --min-free-mib as app.Options.MinFree: 0 switches the
// storage check's threshold off (negative there; zero would mean the
// default).
func (c serveConfig) minFreeBytes() int64 {
	if c.minFree == 0 {
		return -1
	}
	return int64(c.minFree) << 20
}

func serveCmd(ctx context.Context, args []string, std stdio) error {
	cfg, err := parseServe(args, std.err)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	logger := newLogger(cfg.logFormat, std.err)
	tuneRuntime()
	if cfg.keysBesideDB && !cfg.demo {
		// The demo's one command keeps working; a real set-up is told.
		logger.Warn("the keys directory is next to the database, so one copy of that directory reads everything: give --keys a directory on another volume (README, Operations)",
			slog.String("keys", cfg.keys))
	}

	if err := checkPrivateFiles(cfg.db, cfg.keys); err != nil {
		return err
	}
	var metricsToken string
	if cfg.metricsTokenFile != "" {
		if err := checkPrivate(cfg.metricsTokenFile, false); err != nil {
			return err
		}
		b, err := os.ReadFile(cfg.metricsTokenFile)
		if err != nil {
			return fmt.Errorf("read the metrics token: %w", err)
		}
		if metricsToken = strings.TrimSpace(string(b)); len(metricsToken) < 16 {
			return fmt.Errorf("the metrics token in %s is shorter than 16 characters; put a long random one there (e.g. openssl rand -hex 32)", cfg.metricsTokenFile)
		}
	}

	if cfg.smtpPasswordFile != "" {
		if err := checkPrivate(cfg.smtpPasswordFile, false); err != nil {
			return err
		}
		b, err := os.ReadFile(cfg.smtpPasswordFile)
		if err != nil {
			return fmt.Errorf("read the SMTP password (--smtp-password-file): %w", err)
		}
		cfg.smtp.Password = strings.TrimRight(string(b), "\r\n")
	}
	if cfg.smtp.Addr == "" {
		logger.Warn("no SMTP server (--smtp-addr): e-mail notifications stay queued until one is configured; /readyz detail shows the queue")
	}
	if cfg.minFree == 0 {
		logger.Warn("the storage readiness check's free-space threshold is off (--min-free-mib 0): /readyz will not warn before the disk is full")
	}
	a, err := app.Open(ctx, app.Options{DB: cfg.db, Keys: cfg.keys, Purpose: "serve", MinFree: cfg.minFreeBytes(), PolicyDir: cfg.policyDir, Retention: cfg.retention, Logger: logger,
		SMTP: cfg.smtp, PublicURL: cfg.publicURL,
		// The demo's public accounts skip the second factor only while the
		// demo listens on loopback (--allow-remote-demo asks it of them too).
		Demo: cfg.demo && demoOnLoopback(cfg.addr)})
	if err != nil {
		return err
	}
	defer a.Close()
	// Which policy decided from now on is part of the record (R11): the
	// load is audited, and the files are kept under their digest for the
	// privacy officer's governance view.
	if err := a.RecordPolicyLoad(ctx); err != nil {
		return fmt.Errorf("audit the policy load: %w", err)
	}
	logger.Info("policy loaded", slog.String("version", a.Engine.Version()), slog.String("dir", cfg.policyDir))
	if cfg.demo {
		if err := a.SeedDemo(ctx); err != nil {
			return err
		}
	}

	srv, err := web.New(web.FromApp(a, web.Deps{
		Logger:        logger,
		SecureCookies: cfg.secureCookies, TrustedProxies: cfg.trustedProxies,
		MetricsToken: metricsToken, PublicURL: cfg.ssoPublicURL,
		// The demo listens on loopback and shows everything anyway.
		OpenMetrics: cfg.demo && !cfg.allowRemoteDemo,
	}))
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.addr, err)
	}
	hs := srv.HTTPServer(cfg.addr)
	url := "http://" + ln.Addr().String()
	if cfg.demo {
		printDemo(std.out, url)
	}
	fmt.Fprintf(std.out, "Signaal listens on %s (database %s)\n", url, cfg.db)
	logger.Info("listening", slog.String("addr", ln.Addr().String()), slog.Bool("demo", cfg.demo))

	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	if cfg.metricsAddr != "" {
		mln, err := net.Listen("tcp", cfg.metricsAddr)
		if err != nil {
			return fmt.Errorf("listen on %s for metrics: %w", cfg.metricsAddr, err)
		}
		ms := &http.Server{Handler: srv.MetricsHandler(), ReadHeaderTimeout: 10 * time.Second}
		go ms.Serve(mln)
		defer ms.Close()
		logger.Info("metrics listening", slog.String("addr", mln.Addr().String()))
	}
	// The hourly jobs (retention, then a signed audit checkpoint) run
	// inside signald; they stop with ctx and are waited for before the
	// database closes.
	jobCtx, stopJob := context.WithCancel(ctx)
	jobDone := make(chan struct{})
	// The notices job (actions due and overdue, minutes ready, matches,
	// escalations) looks every minute; each notice is queued once.
	noticesDone := make(chan struct{})
	go func() { defer close(noticesDone); a.RunNotifications(jobCtx, time.Minute) }()
	defer func() { stopJob(); <-noticesDone }()
	if cfg.retentionEvery > 0 {
		go func() { defer close(jobDone); a.RunJobs(jobCtx, cfg.retentionEvery) }()
	} else {
		close(jobDone)
	}
	defer func() { stopJob(); <-jobDone }()
	select {
	case err := <-served:
		return fmt.Errorf("serve HTTP: %w", err)
	case <-ctx.Done():
	}
	// Drain: stop accepting, let requests in flight finish (their writes are
	// committed by the writer), then the deferred Close stops the writer.
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shut down HTTP: %w", err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve HTTP: %w", err)
	}
	fmt.Fprintln(std.out, "Signaal stopped")
	return nil
}

func parseServe(args []string, stderr io.Writer) (serveConfig, error) {
	var cfg serveConfig
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: signald serve [flags]\n\nRuns the Signaal HTTP service. Every flag has an environment variable as fallback.\n\nFlags:")
		fs.PrintDefaults()
	}
	demoEnv, err := envBool("SIGNAAL_DEMO")
	if err != nil {
		return cfg, err
	}
	secureEnv, err := envBool("SIGNAAL_SECURE_COOKIES")
	if err != nil {
		return cfg, err
	}
	fs.StringVar(&cfg.addr, "addr", envOr("SIGNAAL_ADDR", "127.0.0.1:8080"), "`host:port` to listen on (SIGNAAL_ADDR)")
	fs.StringVar(&cfg.db, "db", envOr("SIGNAAL_DB", filepath.Join("data", "signaal.db")), "SQLite database `file`, created if missing (SIGNAAL_DB)")
	fs.StringVar(&cfg.keys, "keys", os.Getenv("SIGNAAL_KEYS"), "keys `directory` (SIGNAAL_KEYS; default: keys/ next to the database)")
	fs.StringVar(&cfg.policyDir, "policy", os.Getenv("SIGNAAL_POLICY_DIR"), "`directory` of .rego policies to use instead of the embedded ones (SIGNAAL_POLICY_DIR)")
	fs.BoolVar(&cfg.demo, "demo", demoEnv, "seed the demo cooperation and accounts (password \"demo\") (SIGNAAL_DEMO)")
	fs.BoolVar(&cfg.allowRemoteDemo, "allow-remote-demo", false, "let --demo listen on a non-loopback address")
	fs.BoolVar(&cfg.secureCookies, "secure-cookies", secureEnv, "a TLS proxy is in front: allow logins over plain HTTP beyond loopback (cookies are always Secure) (SIGNAAL_SECURE_COOKIES)")
	fs.Func("trusted-proxy", "`CIDR` of a reverse proxy whose X-Forwarded-For names the client; repeatable, or comma-separated in SIGNAAL_TRUSTED_PROXIES", func(v string) error {
		return addProxies(&cfg, v)
	})
	if v := os.Getenv("SIGNAAL_TRUSTED_PROXIES"); v != "" {
		if err := addProxies(&cfg, v); err != nil {
			return cfg, usageError("SIGNAAL_TRUSTED_PROXIES: %v", err)
		}
	}
	fs.StringVar(&cfg.metricsAddr, "metrics-addr", os.Getenv("SIGNAAL_METRICS_ADDR"), "`host:port` of a listener of its own for /metrics, kept off the users' network (SIGNAAL_METRICS_ADDR)")
	fs.StringVar(&cfg.metricsTokenFile, "metrics-token-file", os.Getenv("SIGNAAL_METRICS_TOKEN_FILE"), "`file` holding a bearer token that /metrics on --addr asks for; without it or --metrics-addr there are no metrics (SIGNAAL_METRICS_TOKEN_FILE)")
	fs.StringVar(&cfg.logFormat, "log", envOr("SIGNAAL_LOG", "text"), "log `format`: text or json (SIGNAAL_LOG)")
	retention := fs.String("retention", envOr("SIGNAAL_RETENTION", signal.DefaultRetention.String()), "how long a signal stays after its observation, e.g. 2y, 18m, 730d; always erased at 23 (SIGNAAL_RETENTION)")
	fs.DurationVar(&cfg.retentionEvery, "retention-every", time.Hour, "how often the retention job runs; 0 turns it off (use signald retention run from cron)")
	fs.Uint64Var(&cfg.minFree, "min-free-mib", sqlite.DefaultMinFree>>20, "/readyz fails (storage) when the database's file system has fewer `MiB` free; 0 switches the threshold off")
	fs.StringVar(&cfg.smtp.Addr, "smtp-addr", os.Getenv("SIGNAAL_SMTP_ADDR"), "`host:port` of the SMTP server for e-mail notifications; without it they stay queued (SIGNAAL_SMTP_ADDR)")
	fs.StringVar(&cfg.smtp.From, "smtp-from", os.Getenv("SIGNAAL_SMTP_FROM"), "the notifications' From `address`, required with --smtp-addr (SIGNAAL_SMTP_FROM)")
	fs.StringVar(&cfg.smtp.User, "smtp-user", os.Getenv("SIGNAAL_SMTP_USER"), "SMTP login `name`, if the server asks for one (SIGNAAL_SMTP_USER)")
	fs.StringVar(&cfg.smtpPasswordFile, "smtp-password-file", os.Getenv("SIGNAAL_SMTP_PASSWORD_FILE"), "`file` holding the SMTP password, readable by the owner only (SIGNAAL_SMTP_PASSWORD_FILE)")
	smtpTLS := fs.String("smtp-tls", envOr("SIGNAAL_SMTP_TLS", string(mail.TLSStartTLS)), "`mode` of the SMTP connection: none, starttls or tls (SIGNAAL_SMTP_TLS)")
	fs.StringVar(&cfg.publicURL, "public-url", os.Getenv("SIGNAAL_PUBLIC_URL"), "the `URL` users reach Signaal at, the start of the links in e-mail and of the redirect URL of sign-in through an organisation; default http:// and --addr, and then that sign-in only on loopback (SIGNAAL_PUBLIC_URL)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cfg, err
		}
		return cfg, usageError("%v", err)
	}
	if fs.NArg() > 0 {
		return cfg, usageError("unexpected argument %q", fs.Arg(0))
	}
	p, err := signal.ParsePeriod(*retention)
	if err != nil {
		return cfg, usageError("--retention: %v", err)
	}
	cfg.retention = p
	if cfg.minFree > maxMinFreeMiB {
		return cfg, usageError("--min-free-mib %d: more than any file system holds; at most %d, or 0 to switch the threshold off", cfg.minFree, maxMinFreeMiB)
	}
	if cfg.retentionEvery < 0 {
		return cfg, usageError("--retention-every %v: must not be negative", cfg.retentionEvery)
	}
	if err := validateServe(&cfg); err != nil {
		return cfg, err
	}
	cfg.smtp.TLS = mail.TLS(*smtpTLS)
	if cfg.smtp.Addr != "" {
		if err := cfg.smtp.Validate(); err != nil {
			return cfg, usageError("%v", err)
		}
		if cfg.smtp.User == "" && cfg.smtpPasswordFile != "" {
			return cfg, usageError("--smtp-password-file without --smtp-user")
		}
	} else if cfg.smtp.From != "" || cfg.smtp.User != "" || cfg.smtpPasswordFile != "" {
		return cfg, usageError("--smtp-from, --smtp-user and --smtp-password-file need --smtp-addr")
	}
	if cfg.publicURL == "" {
		cfg.publicURL = "http://" + cfg.addr
		// Sign-in through an organisation's issuer takes its redirect URI
		// from a public address the operator gave, or from loopback.
		if demoOnLoopback(cfg.addr) {
			cfg.ssoPublicURL = cfg.publicURL
		}
	} else if u, err := url.Parse(cfg.publicURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return cfg, usageError("--public-url %q: want an address such as https://signaal.example.nl", cfg.publicURL)
	} else {
		cfg.ssoPublicURL = cfg.publicURL
	}
	return cfg, nil
}

// demoOnLoopback reports whether addr (host:port) is a loopback address.
func demoOnLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	return err == nil && isLoopback(host)
}

func validateServe(cfg *serveConfig) error {
	host, port, err := net.SplitHostPort(cfg.addr)
	if err != nil {
		return usageError("--addr %q: want host:port, e.g. 127.0.0.1:8080", cfg.addr)
	}
	if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		return usageError("--addr %q: port %q is not a number from 0 to 65535", cfg.addr, port)
	}
	if cfg.demo && !isLoopback(host) && !cfg.allowRemoteDemo {
		return usageError("--demo has well-known passwords, so it listens on loopback only (127.0.0.1, ::1, localhost), not %q; add --allow-remote-demo if you really mean it", cfg.addr)
	}
	if strings.TrimSpace(cfg.db) == "" {
		return usageError("--db: the database file is required")
	}
	if fi, err := os.Stat(cfg.db); err == nil && fi.IsDir() {
		return usageError("--db %q is a directory; name the database file, e.g. %s", cfg.db, filepath.Join(cfg.db, "signaal.db"))
	}
	if cfg.keys == "" {
		cfg.keys = filepath.Join(filepath.Dir(cfg.db), "keys")
		cfg.keysBesideDB = true
	}
	if cfg.policyDir != "" {
		fi, err := os.Stat(cfg.policyDir)
		if err != nil || !fi.IsDir() {
			return usageError("--policy %q: not a directory of .rego files", cfg.policyDir)
		}
	}
	if cfg.logFormat != "text" && cfg.logFormat != "json" {
		return usageError("--log %q: want text or json", cfg.logFormat)
	}
	return nil
}

func addProxies(cfg *serveConfig, list string) error {
	for _, v := range strings.Split(list, ",") {
		_, n, err := net.ParseCIDR(strings.TrimSpace(v))
		if err != nil {
			return fmt.Errorf("%q is not a CIDR such as 10.0.0.0/8 or 127.0.0.1/32", v)
		}
		cfg.trustedProxies = append(cfg.trustedProxies, n)
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func envOr(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

func envBool(name string) (bool, error) {
	v, ok := os.LookupEnv(name)
	if !ok || v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, usageError("%s=%q: want true or false", name, v)
	}
	return b, nil
}

func newLogger(format string, w io.Writer) *slog.Logger {
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}

func printDemo(w io.Writer, url string) {
	fmt.Fprintf(w, "Demo: %s with %d accounts, password %q:\n", sqlite.DemoCooperation, len(sqlite.DemoAccounts), sqlite.DemoPassword)
	for _, a := range sqlite.DemoAccounts {
		fmt.Fprintf(w, "  %-34s %-16s %s\n", a.Email, a.Role, a.Org)
	}
	fmt.Fprintf(w, "Try: curl -s %s/api/v1/login -H 'Content-Type: application/json' -d '{\"email\":\"mentor@demo.signaal.nl\",\"password\":\"demo\"}'\n", url)
	fmt.Fprintf(w, "Or open %s/ in a browser (a phone on the same network needs --addr and --allow-remote-demo).\n", url)
}
