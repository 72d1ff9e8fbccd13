package web

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/signaal-nl/signaal/signal"
)

// A partner's sign-in through its own OpenID Connect issuer (Entra ID,
// Entree Federatie), set in the console: issuer, client id, client secret
// (kept by the server as a file; never shown again) and the claim. The
// same use case as signald org sso.

type adminSignInData struct {
	signal.PartnerSignIn
	Redirect string // the redirect URL to register at the issuer
}

func (s *Server) signInData(c echo.Context, p signal.PartnerSignIn) adminSignInData {
	redirect, _ := s.ssoRedirectURL(c) // empty: the page asks for --public-url
	return adminSignInData{PartnerSignIn: p, Redirect: redirect}
}

// adminSignInPage: GET /beheer/partners/:id/inloggen.
func (s *Server) adminSignInPage(c echo.Context) error {
	p, err := s.admin.PartnerSignIn(c.Request().Context(), signalActor(c), c.Param("id"))
	if err != nil {
		return err
	}
	v := s.view(c, "admin.signin.title", s.signInData(c, p))
	claim := string(p.Settings.Claim)
	if claim == "" {
		claim = string(signal.ClaimEmail)
	}
	v.Form = url.Values{"issuer": {p.Settings.Issuer}, "client_id": {p.Settings.ClientID}, "claim": {claim}}
	return s.render(c, http.StatusOK, "admin_signin", v)
}

// adminSignInSubmit: POST /beheer/partners/:id/inloggen with issuer,
// client_id, secret (empty: keep the stored one) and claim.
func (s *Server) adminSignInSubmit(c echo.Context) error {
	ctx := c.Request().Context()
	p, err := s.admin.PartnerSignIn(ctx, signalActor(c), c.Param("id"))
	if err != nil {
		return err
	}
	f, err := c.FormParams()
	if err != nil {
		return err
	}
	set := signal.OIDCSettings{Issuer: f.Get("issuer"), ClientID: f.Get("client_id"), Claim: signal.IdentityClaim(f.Get("claim"))}
	if _, err := s.admin.SetPartnerSignIn(ctx, signalActor(c), p.Partner.ID, set, f.Get("secret")); err != nil {
		v := s.view(c, "admin.signin.title", s.signInData(c, p))
		f.Del("secret") // never sent back
		v.Form = f
		return s.refusedForm(c, v, "admin_signin", err)
	}
	return redirect(c, "/beheer?opgeslagen=signin")
}
