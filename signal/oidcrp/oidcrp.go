// Package oidcrp is the OpenID Connect relying party of Signaal's sign-in
// through an organisation (signal.OIDCClient), with github.com/coreos/go-oidc
// (discovery, JWKS, ID token verification) and golang.org/x/oauth2 (the
// authorization code flow with PKCE).
package oidcrp

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/signaal-nl/signaal/signal"
)

// Client implements signal.OIDCClient. Each issuer's discovery document is
// fetched once and kept; its keys are go-oidc's remote key set, which
// fetches the JWKS again when a token is signed by a key it does not know
// (the issuer rotated its keys).
type Client struct {
	// HTTP is the client for the issuers; default a client with a
	// 10-second timeout.
	HTTP *http.Client

	mu        sync.Mutex
	providers map[string]*oidc.Provider
}

var _ signal.OIDCClient = (*Client)(nil)

// New returns a relying party.
func New() *Client {
	return &Client{HTTP: &http.Client{Timeout: 10 * time.Second}, providers: map[string]*oidc.Provider{}}
}

func (c *Client) provider(ctx context.Context, issuer string) (*oidc.Provider, error) {
	c.mu.Lock()
	p, ok := c.providers[issuer]
	c.mu.Unlock()
	if ok {
		return p, nil
	}
	// Discovery with a context of its own: the provider keeps the client
	// for its key set, used long after this request.
	dctx, cancel := context.WithTimeout(oidc.ClientContext(context.Background(), c.HTTP), 10*time.Second)
	defer cancel()
	go func() {
		select {
		case <-ctx.Done():
			cancel()
		case <-dctx.Done():
		}
	}()
	p, err := oidc.NewProvider(dctx, issuer)
	if err != nil {
		return nil, fmt.Errorf("discover %s: %w", issuer, err)
	}
	c.mu.Lock()
	c.providers[issuer] = p
	c.mu.Unlock()
	return p, nil
}

func (c *Client) config(p *oidc.Provider, s signal.OIDCSettings, redirectURL, secret string) *oauth2.Config {
	scopes := []string{oidc.ScopeOpenID}
	if s.Claim == signal.ClaimEmail {
		scopes = append(scopes, "email")
	}
	return &oauth2.Config{ClientID: s.ClientID, ClientSecret: secret, Endpoint: p.Endpoint(), RedirectURL: redirectURL, Scopes: scopes}
}

// AuthURL implements signal.OIDCClient.
func (c *Client) AuthURL(ctx context.Context, s signal.OIDCSettings, redirectURL, state, nonce, verifier string) (string, error) {
	p, err := c.provider(ctx, s.Issuer)
	if err != nil {
		return "", err
	}
	return c.config(p, s, redirectURL, "").AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), nil
}

// Exchange implements signal.OIDCClient.
func (c *Client) Exchange(ctx context.Context, s signal.OIDCSettings, redirectURL, code, verifier, nonce string, now time.Time) (signal.SSOIdentity, error) {
	p, err := c.provider(ctx, s.Issuer)
	if err != nil {
		return signal.SSOIdentity{}, err
	}
	secret, err := os.ReadFile(s.SecretFile)
	if err != nil {
		return signal.SSOIdentity{}, fmt.Errorf("read the client secret: %w", err)
	}
	ctx = oidc.ClientContext(ctx, c.HTTP)
	tok, err := c.config(p, s, redirectURL, strings.TrimSpace(string(secret))).Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		return signal.SSOIdentity{}, unauthorized("redeem the code", err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok || raw == "" {
		return signal.SSOIdentity{}, unauthorized("token response", errors.New("no id_token"))
	}
	idt, err := p.Verifier(&oidc.Config{ClientID: s.ClientID, Now: func() time.Time { return now }}).Verify(ctx, raw)
	if err != nil {
		return signal.SSOIdentity{}, unauthorized("verify the ID token", err)
	}
	if idt.Nonce != nonce {
		return signal.SSOIdentity{}, unauthorized("verify the ID token", errors.New("nonce does not match"))
	}
	var claims struct {
		Email         string `json:"email"`
		EmailVerified any    `json:"email_verified"`
	}
	if err := idt.Claims(&claims); err != nil {
		return signal.SSOIdentity{}, unauthorized("read the ID token", err)
	}
	if claims.Email == "" && s.Claim == signal.ClaimEmail && p.UserInfoEndpoint() != "" {
		// Many issuers put the address in the UserInfo answer only (the
		// code flow's ID token may be minimal). It counts only for the
		// subject of the verified ID token (OpenID Connect Core 5.3.2).
		ui, err := p.UserInfo(ctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			return signal.SSOIdentity{}, unauthorized("read the user info", err)
		}
		if ui.Subject != idt.Subject {
			return signal.SSOIdentity{}, unauthorized("read the user info", errors.New("subject differs from the ID token's"))
		}
		if err := ui.Claims(&claims); err != nil {
			return signal.SSOIdentity{}, unauthorized("read the user info", err)
		}
	}
	// Some issuers send "true" as a string.
	verified := claims.EmailVerified == true || claims.EmailVerified == "true"
	return signal.SSOIdentity{Subject: idt.Subject, Email: claims.Email, EmailVerified: verified}, nil
}

func unauthorized(what string, err error) error {
	return &signal.Error{Code: signal.CodeUnauthorized, Message: "sign-in refused: " + what, Err: err}
}
