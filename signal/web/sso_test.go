package web

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/signaal-nl/signaal/signal"
)

// The promise of signing in through the organisation (issue 19, item 2),
// tested against a real OpenID provider started in this process
// (github.com/zitadel/oidc's op package over its example storage, on a
// loopback listener): discovery, authorize, code, token with PKCE and
// client secret, JWKS; nothing of it is faked. What a worker and the
// organisation rely on: a person whom the issuer vouches for gets into
// their own account, and no one else gets in: not with a token for
// another client, not with one that expired, not by replaying the
// issuer's answer, not as someone Signaal does not know; the issuer may
// rotate its keys without anyone being locked out; logging out ends the
// session here.

// testIssuer is the provider: its storage, with keys it can rotate and an
// audience it can be told to get wrong, and a login page that signs in
// whoever the test says.
type testIssuer struct {
	*storage.Storage
	url string

	mu       sync.Mutex
	keys     []*rsaKey // keys[0] signs; all are published
	audience []string  // when set, the ID token's audience instead of the client
	who      string    // the username the login page signs in
}

type rsaKey struct {
	id  string
	key *rsa.PrivateKey
}

func (k *rsaKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k *rsaKey) Key() any                                    { return k.key }
func (k *rsaKey) ID() string                                  { return k.id }

type rsaPublic struct{ *rsaKey }

func (k rsaPublic) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k rsaPublic) Use() string                        { return "sig" }
func (k rsaPublic) Key() any                           { return &k.key.PublicKey }

func newRSAKey(t *testing.T, id string) *rsaKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return &rsaKey{id: id, key: k}
}

func (s *testIssuer) SigningKey(context.Context) (op.SigningKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.keys[0], nil
}

func (s *testIssuer) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

func (s *testIssuer) KeySet(context.Context) ([]op.Key, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []op.Key
	for _, k := range s.keys {
		out = append(out, rsaPublic{k})
	}
	return out, nil
}

// rotate: a new key signs from now on and the old one is no longer
// published (the hard case: a relying party that kept the old JWKS must
// fetch it again).
func (s *testIssuer) rotate(t *testing.T) {
	k := newRSAKey(t, fmt.Sprintf("key-%d", time.Now().UnixNano()))
	s.mu.Lock()
	s.keys = []*rsaKey{k}
	s.mu.Unlock()
}

// reaudience is the token endpoint of an issuer that answers with an ID
// token for another audience: the token it issued, its audience and
// authorised party replaced, signed again with its own current key. (A
// real provider always names the client it answers; this is the token a
// relying party must refuse all the same, e.g. one meant for another
// application of the same tenant.)
func (s *testIssuer) reaudience(t *testing.T, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		aud := s.audience
		s.mu.Unlock()
		if aud == nil || r.URL.Path != "/oauth/token" {
			next.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		var body map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body["id_token"] == nil {
			t.Errorf("the token endpoint answered %d %s", rec.Code, rec.Body)
			w.WriteHeader(rec.Code)
			w.Write(rec.Body.Bytes())
			return
		}
		parts := strings.Split(body["id_token"].(string), ".")
		payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
		var claims map[string]any
		json.Unmarshal(payload, &claims)
		claims["aud"], claims["azp"], claims["client_id"] = aud, aud[0], aud[0]
		key, _ := s.SigningKey(r.Context())
		signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key.Key()},
			(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", key.ID()))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(claims)
		jws, err := signer.Sign(b)
		if err != nil {
			t.Fatal(err)
		}
		body["id_token"], _ = jws.CompactSerialize()
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(body)
	})
}

type issuerUsers map[string]*storage.User

func (u issuerUsers) GetUserByID(id string) *storage.User { return u[id] }
func (u issuerUsers) GetUserByUsername(name string) *storage.User {
	for _, x := range u {
		if x.Username == name {
			return x
		}
	}
	return nil
}
func (u issuerUsers) ExampleClientID() string { return "service" }

// startIssuer starts the provider with one web client (clientID, secret)
// whose redirect URI is redirect, and its users.
func startIssuer(t *testing.T, clientID, secret, redirect string, users issuerUsers) *testIssuer {
	t.Helper()
	iss := &testIssuer{keys: []*rsaKey{newRSAKey(t, "key-1")}}
	var handler http.Handler
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(hs.Close)
	iss.url = hs.URL
	iss.Storage = storage.NewStorageWithClients(users, map[string]*storage.Client{clientID: storage.WebClient(clientID, secret, redirect)})
	provider, err := op.NewProvider(&op.Config{CryptoKey: sha256.Sum256([]byte("test")), CodeMethodS256: true, AuthMethodPost: true},
		iss, op.StaticIssuer(hs.URL), op.WithAllowInsecure())
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	// The provider's login page: signs in whoever the test set, as the
	// person would by typing their password there.
	mux.Handle("/login/username", op.NewIssuerInterceptor(provider.IssuerFromRequest).HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.URL.Query().Get("authRequestID")
		iss.mu.Lock()
		who := iss.who
		iss.mu.Unlock()
		u := users.GetUserByUsername(who)
		if u == nil {
			http.Error(w, "no such user at the issuer", http.StatusUnauthorized)
			return
		}
		if err := iss.CheckUsernamePassword(who, u.Password, id); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		http.Redirect(w, r, op.AuthCallbackURL(provider)(r.Context(), id), http.StatusFound)
	}))
	mux.Handle("/", provider)
	handler = iss.reaudience(t, mux)
	return iss
}

func (s *testIssuer) signIn(username string) {
	s.mu.Lock()
	s.who = username
	s.mu.Unlock()
}

// ssoBrowser follows redirects like a browser, across both servers, with
// one cookie jar, and stops at Signaal's answer to the issuer's redirect
// back (returned with the callback URL, to be replayed).
type ssoBrowser struct {
	*browserClient
}

// signIn clicks "log in through <org>" and follows the issuer until it
// sends the browser back; it returns Signaal's answer and the URL the
// issuer sent it back to.
func (b ssoBrowser) signIn(t *testing.T, orgID string) (pageResponse, string) {
	t.Helper()
	res := b.get("/login/sso?" + url.Values{"org": {orgID}, "next": {"/signalen"}}.Encode())
	loc := res.header.Get("Location")
	if res.status != http.StatusSeeOther || !strings.HasPrefix(loc, "http") {
		t.Fatalf("start of the sign-in: %d to %q; want the issuer", res.status, loc)
	}
	loc = b.atIssuer(t, loc)
	req, _ := http.NewRequest(http.MethodGet, loc, nil)
	return b.send(req), loc
}

// atIssuer follows the issuer's redirects from loc until it sends the
// browser back to Signaal, and returns that URL, not followed.
func (b ssoBrowser) atIssuer(t *testing.T, loc string) string {
	t.Helper()
	for range 10 {
		if strings.HasPrefix(loc, b.base) {
			return loc
		}
		r, err := b.c.Get(loc)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		next := r.Header.Get("Location")
		if next == "" {
			t.Fatalf("the issuer answered %d at %s without sending the browser back", r.StatusCode, loc)
		}
		u, _ := r.Request.URL.Parse(next)
		loc = u.String()
	}
	t.Fatal("too many redirects")
	return ""
}

type ssoSite struct {
	*mfaSite
	logs   *syncBuffer
	issuer *testIssuer
	org    signal.Organisation
	secret string
}

// startSSOSite: a real set-up (no demo mode) with the school "Het Lyceum"
// signing in through the test issuer by verified e-mail address, and its
// coordinator Ank; the issuer knows Ank, Bram (no account in Signaal), Ank
// with an unverified address, and Wim (an account of another organisation).
func startSSOSite(t *testing.T, claim signal.IdentityClaim) *ssoSite {
	return startSSOSiteWith(t, claim, "")
}

// startSSOSiteWith is startSSOSite for a server that knows its public
// address (signald serve --public-url), registered at the issuer as the
// redirect URI in its place; "" for none.
func startSSOSiteWith(t *testing.T, claim signal.IdentityClaim, publicURL string) *ssoSite {
	t.Helper()
	clock := newTestClock()
	logs := &syncBuffer{}
	s := startMFASite(t, t.TempDir(), clock, false, func(d *Deps) {
		d.Logger = slog.New(slog.NewTextHandler(logs, nil))
		d.PublicURL = publicURL
	})
	s.addWorker(mfaEmail, signal.RoleCoordinator)
	ctx := context.Background()
	other := signal.Organisation{Name: "Gemeente Noord", Kind: signal.OrgMunicipality,
		Contact: signal.Person{Name: "C", Email: "c@noord.nl"}, Deputy: signal.Person{Name: "D", Email: "d@noord.nl"}}
	if err := s.app.Accounts.CreateOrganisation(ctx, cliActor, &other, "Samenwerking Lyceum"); err != nil {
		t.Fatal(err)
	}
	wim := signal.User{Email: "wim@noord.nl", Name: "Wim", OrgID: other.ID, Role: signal.RoleReporter}
	if err := s.app.Accounts.CreateUser(ctx, cliActor, &wim, mfaPassword); err != nil {
		t.Fatal(err)
	}
	users := issuerUsers{
		"sub-ank":  {ID: "sub-ank", Username: "ank", Password: "x", Email: mfaEmail, EmailVerified: true},
		"sub-bram": {ID: "sub-bram", Username: "bram", Password: "x", Email: "bram@lyceum.nl", EmailVerified: true},
		"sub-ank2": {ID: "sub-ank2", Username: "ank-unverified", Password: "x", Email: mfaEmail, EmailVerified: false},
		"sub-wim":  {ID: "sub-wim", Username: "wim", Password: "x", Email: "wim@noord.nl", EmailVerified: true},
	}
	const clientID, secret = "signaal-lyceum", "een geheim van de school"
	redirect := s.url + SSOCallbackPath
	if publicURL != "" {
		redirect = publicURL + SSOCallbackPath
	}
	iss := startIssuer(t, clientID, secret, redirect, users)
	secretFile := filepath.Join(t.TempDir(), "lyceum.secret")
	if err := os.WriteFile(secretFile, []byte(secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	set, err := s.app.Accounts.SetOrgOIDC(ctx, cliActor, "Het Lyceum", signal.OIDCSettings{Issuer: iss.url, ClientID: clientID, SecretFile: secretFile, Claim: claim})
	if err != nil {
		t.Fatal(err)
	}
	// Wim's organisation signs in through the same issuer (one Entra ID
	// tenant for two partners is not unusual), so his token is genuine.
	if _, err := s.app.Accounts.SetOrgOIDC(ctx, cliActor, other.ID, signal.OIDCSettings{Issuer: iss.url, ClientID: clientID, SecretFile: secretFile, Claim: claim}); err != nil {
		t.Fatal(err)
	}
	return &ssoSite{mfaSite: s, logs: logs, issuer: iss, org: signal.Organisation{ID: set.OrgID, Name: "Het Lyceum"}, secret: secretFile}
}

func (s *ssoSite) browser() ssoBrowser { return ssoBrowser{newBrowserClient(s.t, s.url)} }

// refusedFor checks that the last refusal the server logged names why
// (the log has the reason; the browser and the audit do not).
func (s *ssoSite) refusedFor(why string) {
	s.t.Helper()
	lines := strings.Split(strings.TrimSpace(s.logs.String()), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.Contains(lines[i], "sign-in through an organisation refused") {
			if !strings.Contains(lines[i], why) {
				s.t.Errorf("refused for another reason than %q: %s", why, lines[i])
			}
			return
		}
	}
	s.t.Errorf("no refusal logged; want one for %q", why)
}

// signedIn: the sign-in page says so and moves on to the next page, and
// the browser has a session there.
func signedIn(t *testing.T, b ssoBrowser, res pageResponse) bool {
	t.Helper()
	if res.status != http.StatusOK {
		return false
	}
	if !strings.Contains(res.body, `http-equiv="refresh" content="0;url=/signalen"`) {
		t.Fatalf("the sign-in page does not go on to the next page:\n%s", res.body)
	}
	return loggedIn(b.browserClient)
}

func TestSSOSignInThroughTheOrganisation(t *testing.T) {
	s := startSSOSite(t, signal.ClaimEmail)
	ank, _, err := s.app.DB.UserByEmail(context.Background(), mfaEmail)
	if err != nil {
		t.Fatal(err)
	}

	// The login page offers the organisation.
	if page := newBrowserClient(t, s.url).get("/login"); !strings.Contains(page.body, "Inloggen via Het Lyceum") {
		t.Fatalf("the login page offers no sign-in through Het Lyceum:\n%s", page.body)
	}

	// A good sign-in: Ank gets into her own account, without a second
	// factor here (the issuer is trusted with it), audited as login.sso.
	b := s.browser()
	s.issuer.signIn("ank")
	res, callback := b.signIn(t, s.org.ID)
	if !signedIn(t, b, res) {
		t.Fatalf("a good sign-in: %d\n%s", res.status, res.body)
	}
	me := b.get("/api/v1/me")
	if !strings.Contains(me.body, ank.ID) {
		t.Fatalf("signed in as someone else: %s", me.body)
	}
	if got := s.actions(ank.ID); !slices.Contains(got, string(signal.ActionLoginSSO)) {
		t.Fatalf("audited %v; want login.sso", got)
	}

	// The issuer's answer replayed (the same state and code, in the same
	// browser) gets nobody in.
	b2 := s.browser()
	if res := b2.get(strings.TrimPrefix(callback, s.url)); res.status != http.StatusUnauthorized || loggedIn(b2.browserClient) {
		t.Fatalf("a replayed answer in another browser: %d", res.status)
	}
	if res := b.get(strings.TrimPrefix(callback, s.url)); res.status != http.StatusUnauthorized {
		t.Fatalf("a replayed answer in the same browser: %d; want 401", res.status)
	}
	s.refusedFor("unknown, used or expired state")

	// Logging out ends the session here.
	b.csrf = ""
	if res := b.post("/logout", url.Values{}); res.status != http.StatusSeeOther {
		t.Fatalf("logout: %d", res.status)
	}
	if loggedIn(b.browserClient) {
		t.Fatal("still logged in after logging out")
	}

	// Someone the issuer knows but Signaal does not, someone whose address
	// the issuer did not verify, and someone of another organisation (who
	// has an account, and a genuine token) are refused, each audited.
	before := len(s.actions(""))
	for _, who := range []string{"bram", "ank-unverified"} {
		s.issuer.signIn(who)
		b := s.browser()
		if res, _ := b.signIn(t, s.org.ID); res.status != http.StatusUnauthorized || loggedIn(b.browserClient) {
			t.Errorf("%s: %d; want refused", who, res.status)
		}
	}
	if got := s.actions(""); len(got) != before+2 || got[len(got)-1] != string(signal.ActionLoginFail) {
		t.Errorf("refusals audited as %v", got[before:])
	}
	var wim signal.User
	if wim, _, err = s.app.DB.UserByEmail(context.Background(), "wim@noord.nl"); err != nil {
		t.Fatal(err)
	}
	s.issuer.signIn("wim")
	b3 := s.browser()
	if res, _ := b3.signIn(t, s.org.ID); res.status != http.StatusUnauthorized || loggedIn(b3.browserClient) {
		t.Errorf("an account of another organisation through Het Lyceum: %d; want refused", res.status)
	}
	if got := s.actions(wim.ID); !slices.Contains(got, string(signal.ActionLoginFail)) {
		t.Errorf("the refusal of Wim through Het Lyceum is not audited under his account: %v", got)
	}

	// The issuer rotates its keys: the next sign-in still works (the
	// relying party fetches the new JWKS).
	s.issuer.rotate(t)
	s.issuer.signIn("ank")
	b4 := s.browser()
	if res, _ := b4.signIn(t, s.org.ID); !signedIn(t, b4, res) {
		t.Fatalf("after the issuer rotated its keys: %d\n%s", res.status, res.body)
	}

	// A token for another client (audience) is refused.
	s.issuer.mu.Lock()
	s.issuer.audience = []string{"another-application"}
	s.issuer.mu.Unlock()
	b5 := s.browser()
	if res, _ := b5.signIn(t, s.org.ID); res.status != http.StatusUnauthorized || loggedIn(b5.browserClient) {
		t.Fatalf("a token for another audience: %d; want refused", res.status)
	}
	s.refusedFor("audience")
	s.issuer.mu.Lock()
	s.issuer.audience = nil
	s.issuer.mu.Unlock()

	// A token that expired (Signaal's clock is past its hour) is refused;
	// with the clock back, the same kind of sign-in works.
	s.clock.Add(2 * time.Hour)
	b6 := s.browser()
	if res, _ := b6.signIn(t, s.org.ID); res.status != http.StatusUnauthorized {
		t.Fatalf("an expired token: %d; want refused", res.status)
	}
	s.refusedFor("expired")
	s.clock.Add(-2 * time.Hour)

	// A wrong client secret in the file: the issuer refuses the code, and
	// so does Signaal; the right one again, without a restart, works.
	os.WriteFile(s.secret, []byte("wrong"), 0o600)
	b7 := s.browser()
	if res, _ := b7.signIn(t, s.org.ID); res.status != http.StatusUnauthorized {
		t.Fatalf("a wrong client secret: %d; want refused", res.status)
	}
	s.refusedFor("redeem the code")
	os.WriteFile(s.secret, []byte("een geheim van de school"), 0o600)
	b8 := s.browser()
	if res, _ := b8.signIn(t, s.org.ID); !signedIn(t, b8, res) {
		t.Fatalf("the right secret again: %d", res.status)
	}

	// A sign-in begun in the attacker's browser and finished in the
	// victim's (login CSRF) is refused: the state is bound to the browser
	// that began it.
	attacker := s.browser()
	res = attacker.get("/login/sso?" + url.Values{"org": {s.org.ID}}.Encode())
	back := attacker.atIssuer(t, res.header.Get("Location")) // the issuer's answer, not followed
	victim := s.browser()
	if res := victim.get(strings.TrimPrefix(back, s.url)); res.status != http.StatusUnauthorized || loggedIn(victim.browserClient) {
		t.Fatalf("the attacker's sign-in finished in the victim's browser: %d; want refused", res.status)
	}
	s.refusedFor("unknown, used or expired state")
}

// TestSSOSignInBySubject: with the subject claim, only the account the
// issuer's subject id was linked to gets in; an address, verified or not,
// counts for nothing.
func TestSSOSignInBySubject(t *testing.T) {
	s := startSSOSite(t, signal.ClaimSubject)
	s.issuer.signIn("ank")
	b := s.browser()
	if res, _ := b.signIn(t, s.org.ID); res.status != http.StatusUnauthorized {
		t.Fatalf("a subject not linked yet: %d; want refused", res.status)
	}
	if err := s.app.Accounts.LinkSubject(context.Background(), signal.Actor{Role: signal.RoleReporter}, mfaEmail, "sub-ank"); signal.ErrorCode(err) != signal.CodeForbidden {
		t.Fatalf("a reporter links a subject: %v", err)
	}
	if err := s.app.Accounts.LinkSubject(context.Background(), cliActor, mfaEmail, "sub-ank"); err != nil {
		t.Fatal(err)
	}
	b = s.browser()
	if res, _ := b.signIn(t, s.org.ID); !signedIn(t, b, res) {
		t.Fatalf("a linked subject: %d\n%s", res.status, res.body)
	}
	// Same address, another subject: refused.
	s.issuer.signIn("ank-unverified")
	b = s.browser()
	if res, _ := b.signIn(t, s.org.ID); res.status != http.StatusUnauthorized {
		t.Fatalf("another subject with the same address: %d; want refused", res.status)
	}
}

// TestOIDCSettingsRefuseBadInput: each wrong setting is named.
func TestOIDCSettingsRefuseBadInput(t *testing.T) {
	s := startMFASite(t, t.TempDir(), newTestClock(), false, nil)
	s.addWorker(mfaEmail, signal.RoleCoordinator)
	_, err := s.app.Accounts.SetOrgOIDC(context.Background(), cliActor, "Het Lyceum",
		signal.OIDCSettings{Issuer: "http://login.example.org", ClientID: "", SecretFile: "secret.txt", Claim: "upn"})
	var se *signal.Error
	if !errors.As(err, &se) || se.Code != signal.CodeInvalid {
		t.Fatalf("bad settings: %v", err)
	}
	var fields []string
	for _, f := range se.Fields {
		fields = append(fields, f.Field)
	}
	if !slices.Equal(fields, []string{"issuer", "client_id", "secret_file", "claim"}) {
		t.Fatalf("named %v", fields)
	}
	if _, err := s.app.Accounts.OrgOIDC(context.Background(), cliActor, "Het Lyceum"); signal.ErrorCode(err) != signal.CodeNotFound {
		t.Fatalf("settings stored after a refusal: %v", err)
	}
}

// TestSSORedirectComesFromThePublicAddress: the redirect URI sent to the
// organisation's issuer, where it sends the browser back with the code, is
// the configured public address (signald serve --public-url), never the
// Host header a client chose. Without a public address only a loopback
// host (the demo) may begin such a sign-in; any other host is refused
// before anything goes to the issuer, and the log tells the operator what
// to set.
func TestSSORedirectComesFromThePublicAddress(t *testing.T) {
	const public = "https://signaal.lyceum.example"
	start := func(t *testing.T, s *ssoSite, host string) *http.Response {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, s.url+"/login/sso?"+url.Values{"org": {s.org.ID}, "next": {"/signalen"}}.Encode(), nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = host
		if !loopbackHost(host) {
			// As behind the TLS-terminating proxy a public address implies.
			req.Header.Set("X-Forwarded-Proto", "https")
		}
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	redirectURI := func(t *testing.T, res *http.Response) string {
		t.Helper()
		loc, err := url.Parse(res.Header.Get("Location"))
		if res.StatusCode != http.StatusSeeOther || err != nil {
			t.Fatalf("start of the sign-in: %d to %q; want the issuer", res.StatusCode, res.Header.Get("Location"))
		}
		return loc.Query().Get("redirect_uri")
	}

	t.Run("public address", func(t *testing.T) {
		s := startSSOSiteWith(t, signal.ClaimEmail, public)
		for _, host := range []string{"signaal.lyceum.example", "evil.example", "signaal.lyceum.example.evil.example", strings.TrimPrefix(s.url, "http://")} {
			if got := redirectURI(t, start(t, s, host)); got != public+SSOCallbackPath {
				t.Errorf("Host %q: the issuer is told to send the code to %q; want %q", host, got, public+SSOCallbackPath)
			}
		}
	})

	t.Run("no public address", func(t *testing.T) {
		s := startSSOSiteWith(t, signal.ClaimEmail, "")
		res := start(t, s, "evil.example")
		if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Location") != "" {
			t.Fatalf("a sign-in begun at host evil.example without a public address: %d to %q; want 503 and nothing sent to the issuer", res.StatusCode, res.Header.Get("Location"))
		}
		if !strings.Contains(s.logs.String(), "--public-url") {
			t.Errorf("the log does not tell the operator to set --public-url:\n%s", s.logs.String())
		}
		// The demo and tests on loopback still sign in.
		if got := redirectURI(t, start(t, s, strings.TrimPrefix(s.url, "http://"))); got != s.url+SSOCallbackPath {
			t.Errorf("on loopback the redirect is %q; want %q", got, s.url+SSOCallbackPath)
		}
	})
}

// invitationLink is the token of the invitation the outbox holds for
// address (the link the invitee finds in their mail).
func (s *ssoSite) invitationLink(address string) string {
	s.t.Helper()
	due, err := s.app.Outbox.Due(context.Background(), 100)
	if err != nil {
		s.t.Fatal(err)
	}
	for _, m := range due {
		if m.To == address && m.Kind == signal.MailInvitation {
			if l := regexp.MustCompile(`/uitnodiging/([A-Za-z0-9_-]+)`).FindStringSubmatch(m.Body); l != nil {
				return l[1]
			}
		}
	}
	s.t.Fatalf("no invitation for %s in the outbox", address)
	return ""
}

// invite invites address to the school as a reporter, as the console does.
func (s *ssoSite) invite(name, address string) string {
	s.t.Helper()
	ctx := context.Background()
	admin, _, err := s.app.DB.UserByEmail(ctx, "beheer@lyceum.nl")
	if signal.ErrorCode(err) == signal.CodeNotFound {
		admin = signal.User{Email: "beheer@lyceum.nl", Name: "Beheer", OrgID: s.org.ID, Role: signal.RoleAdmin}
		err = s.app.Accounts.CreateUser(ctx, cliActor, &admin, mfaPassword)
	}
	if err != nil {
		s.t.Fatal(err)
	}
	u := signal.User{Name: name, Email: address, OrgID: s.org.ID, Role: signal.RoleReporter}
	if _, err := s.app.Admin.Invite(ctx, signal.Actor{UserID: admin.ID, OrgID: admin.OrgID, Role: admin.Role}, &u); err != nil {
		s.t.Fatal(err)
	}
	return s.invitationLink(address)
}

// acceptBySSO clicks "Inloggen met <organisatie>" on the invitation page
// and follows the issuer back; it returns Signaal's answer and the URL the
// issuer sent the browser back to.
func (b ssoBrowser) acceptBySSO(t *testing.T, token string) (pageResponse, string) {
	t.Helper()
	res := b.get("/uitnodiging/" + token + "/sso")
	loc := res.header.Get("Location")
	if res.status != http.StatusSeeOther || !strings.HasPrefix(loc, "http") {
		t.Fatalf("accepting through the organisation: %d to %q; want the issuer\n%s", res.status, loc, res.body)
	}
	loc = b.atIssuer(t, loc)
	req, _ := http.NewRequest(http.MethodGet, loc, nil)
	return b.send(req), loc
}

// TestSSOInvitationLinksTheSubject (issue 19, item 2: "a subject id linked
// at invitation"): for a school whose issuer names people by subject id,
// the invitee accepts the invitation by signing in there; from then on
// that sign-in is their account, after a restart too (the service restarts
// between accepting and signing in again). The invitation is
// used up only by an accepted sign-in, and works once: a replayed answer
// of the issuer, a subject that is another account's and an expired
// invitation are refused, and every step is on record without names.
func TestSSOInvitationLinksTheSubject(t *testing.T) {
	s := startSSOSite(t, signal.ClaimSubject)
	token := s.invite("Bram", "bram@lyceum.nl")

	b := s.browser()
	page := b.get("/uitnodiging/" + token)
	if page.status != http.StatusOK || !strings.Contains(page.body, "Inloggen met Het Lyceum") {
		t.Fatalf("the invitation page does not offer the school's sign-in: %d\n%s", page.status, page.body)
	}
	s.issuer.signIn("bram")
	res, back := b.acceptBySSO(t, token)
	if res.status != http.StatusOK || !loggedIn(b.browserClient) {
		t.Fatalf("accepting through the school's sign-in: %d\n%s", res.status, res.body)
	}
	if again := b.get("/uitnodiging/" + token); again.status == http.StatusOK {
		t.Error("the invitation still works after it was accepted")
	}
	// The issuer's answer replayed, in another browser: refused.
	other := s.browser()
	req, _ := http.NewRequest(http.MethodGet, back, nil)
	if r := other.send(req); r.status != http.StatusUnauthorized || loggedIn(other.browserClient) {
		t.Errorf("a replayed answer of the issuer: %d", r.status)
	}
	// From now on the school's sign-in is Bram's account, after a restart
	// too: the link is in the database, not in the process.
	s.restart()
	b = s.browser()
	if res, _ := b.signIn(t, s.org.ID); !signedIn(t, b, res) {
		t.Fatalf("Bram signs in through the school after accepting: %d\n%s", res.status, res.body)
	}
	bram, _, err := s.app.DB.UserByEmail(context.Background(), "bram@lyceum.nl")
	if err != nil {
		t.Fatal(err)
	}
	acts := s.actions(bram.ID)
	for _, want := range []string{string(signal.ActionInviteAccept), string(signal.ActionUserSSOLink), string(signal.ActionLoginSSO)} {
		if !slices.Contains(acts, want) {
			t.Errorf("audit of Bram lacks %s: %v", want, acts)
		}
	}

	// A subject that is another account's: Ank's sign-in, linked to Ank,
	// cannot accept Carla's invitation, which stays usable.
	if err := s.app.Accounts.LinkSubject(context.Background(), cliActor, mfaEmail, "sub-ank"); err != nil {
		t.Fatal(err)
	}
	carla := s.invite("Carla", "carla@lyceum.nl")
	s.issuer.signIn("ank")
	b = s.browser()
	if res, _ := b.acceptBySSO(t, carla); res.status != http.StatusUnauthorized || loggedIn(b.browserClient) {
		t.Errorf("Carla's invitation accepted with Ank's sign-in: %d", res.status)
	}
	s.refusedFor("another account")
	if page := b.get("/uitnodiging/" + carla); page.status != http.StatusOK {
		t.Errorf("Carla's invitation no longer works after a refused acceptance: %d", page.status)
	}

	// The console lists who has not accepted yet: Carla, not Bram.
	admin, _, err := s.app.DB.UserByEmail(context.Background(), "beheer@lyceum.nl")
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.app.Admin.Map(context.Background(), signal.Actor{UserID: admin.ID, OrgID: admin.OrgID, Role: admin.Role})
	if err != nil {
		t.Fatal(err)
	}
	carlaUser, _, _ := s.app.DB.UserByEmail(context.Background(), "carla@lyceum.nl")
	if _, open := m.Invited[bram.ID]; open {
		t.Error("Bram is listed as invited after accepting")
	}
	if until, open := m.Invited[carlaUser.ID]; !open || !until.After(s.clock.Now()) {
		t.Errorf("Carla is not listed as invited until later: %v %v", until, open)
	}

	// An invitation that expired (the clock moved on) starts nothing.
	dirk := s.invite("Dirk", "dirk@lyceum.nl")
	s.clock.Add(signal.InvitationTTL + time.Minute)
	if res := s.browser().get("/uitnodiging/" + dirk + "/sso"); res.status != http.StatusNotFound {
		t.Errorf("an expired invitation starts a sign-in: %d %s", res.status, res.header.Get("Location"))
	}
}
