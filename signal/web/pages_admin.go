package web

import (
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/signaal-nl/signaal/signal"
)

// The administrator's console (functioneel beheer, issue 19): the social
// map of the cooperation, its partners with what they do and whom to call,
// the privacy agreement as data, and the accounts. Every change goes
// through signal.Administration, which audits it; the social map itself is
// readable by anyone logged in (/samenwerking), so a newcomer finds whom
// to call.

// adminPages registers the console's pages.
func (s *Server) adminPages(g *PageGroup) {
	admin := s.RequireRole(signal.RoleAdmin)
	g = g.With(s.requireAdmin)
	g.GET("/samenwerking", s.socialMapPage)
	g.GET("/beheer", s.adminHomePage, admin)
	g.GET("/beheer/partners/nieuw", s.adminNewPartnerPage, admin)
	g.POST("/beheer/partners", s.adminNewPartnerSubmit, admin)
	g.GET("/beheer/partners/:id", s.adminPartnerPage, admin)
	g.POST("/beheer/partners/:id", s.adminPartnerSubmit, admin)
	g.GET("/beheer/partners/:id/inloggen", s.adminSignInPage, admin)
	g.POST("/beheer/partners/:id/inloggen", s.adminSignInSubmit, admin)
	g.GET("/beheer/convenant", s.adminAgreementPage, admin)
	g.POST("/beheer/convenant", s.adminAgreementSubmit, admin)
	g.GET("/beheer/overleg", s.adminMeetingPage, admin)
	g.POST("/beheer/overleg", s.adminMeetingSubmit, admin)
	g.GET("/beheer/accounts", s.adminAccountsPage, admin)
	g.POST("/beheer/accounts", s.adminInviteSubmit, admin)
	g.POST("/beheer/accounts/:id/status", s.adminAccountStatusSubmit, admin)
	g.POST("/beheer/accounts/:id/tweede-factor", s.adminResetFactorSubmit, admin)
	g.POST("/beheer/accounts/:id/uitnodiging", s.adminReinviteSubmit, admin)
}

// invitationPages registers the invitation link's page: public (the
// invitee has no account yet), behind the login form's CSRF check.
func (s *Server) invitationPages(g *PageGroup) {
	g = g.With(s.requireAdmin)
	g.GET("/uitnodiging/:token", s.invitationPage)
	g.POST("/uitnodiging/:token", s.invitationSubmit)
	g.GET("/uitnodiging/:token/sso", s.invitationSSO)
}

func (s *Server) requireAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.admin == nil {
			return signal.Errorf(signal.CodeUnavailable, "the console is not available on this server")
		}
		return next(c)
	}
}

type adminMapData struct {
	Map     signal.CooperationMap
	Console bool // the administrator's view, with links to change things
	Saved   string
}

// socialMapPage: GET /samenwerking, "wie doet wat, wie bel ik": every
// partner of the reader's cooperation, what they do, their contact person
// and deputy, and whether they signed the agreement.
func (s *Server) socialMapPage(c echo.Context) error {
	m, err := s.admin.Map(c.Request().Context(), signalActor(c))
	if err != nil {
		return err
	}
	return s.Render(c, http.StatusOK, "admin_map", "admin.map.title", adminMapData{Map: m})
}

// adminHomePage: GET /beheer, the console's start: the social map with
// the links to change it, the agreement and the accounts.
func (s *Server) adminHomePage(c echo.Context) error {
	m, err := s.admin.Map(c.Request().Context(), signalActor(c))
	if err != nil {
		return err
	}
	return s.Render(c, http.StatusOK, "admin_map", "admin.home.title", adminMapData{Map: m, Console: true, Saved: c.QueryParam("opgeslagen")})
}

type adminPartnerData struct {
	New   bool
	ID    string
	Name  string
	Kinds []signal.OrgKind
}

// refusedForm re-renders page with the form as posted and its errors when
// err is a refusal the administrator can correct; other errors go on.
func (s *Server) refusedForm(c echo.Context, v *View, page string, err error) error {
	switch signal.ErrorCode(err) {
	case signal.CodeInvalid, signal.CodeConflict:
	default:
		return err
	}
	v.Errors = adminErrors(v, err)
	return s.render(c, http.StatusBadRequest, page, v)
}

func (s *Server) adminNewPartnerPage(c echo.Context) error {
	return s.Render(c, http.StatusOK, "admin_partner", "admin.partner.new", adminPartnerData{New: true, Kinds: signal.OrgKinds})
}

func partnerForm(f url.Values) (part string, contact, deputy signal.Person) {
	p := func(prefix string) signal.Person {
		return signal.Person{Name: f.Get(prefix + ".name"), Email: f.Get(prefix + ".email"), Phone: strings.TrimSpace(f.Get(prefix + ".phone"))}
	}
	return f.Get("part"), p("contact"), p("deputy")
}

// adminNewPartnerSubmit: POST /beheer/partners adds a partner.
func (s *Server) adminNewPartnerSubmit(c echo.Context) error {
	f, err := c.FormParams()
	if err != nil {
		return err
	}
	part, contact, deputy := partnerForm(f)
	o := signal.Organisation{Name: f.Get("name"), Kind: signal.OrgKind(f.Get("kind")), Part: part, Contact: contact, Deputy: deputy}
	if err := s.admin.AddPartner(c.Request().Context(), signalActor(c), &o); err != nil {
		v := s.view(c, "admin.partner.new", adminPartnerData{New: true, Kinds: signal.OrgKinds})
		v.Form = f
		return s.refusedForm(c, v, "admin_partner", err)
	}
	return redirect(c, "/beheer?opgeslagen=partner")
}

func (s *Server) partnerOnMap(c echo.Context) (signal.Partner, error) {
	m, err := s.admin.Map(c.Request().Context(), signalActor(c))
	if err != nil {
		return signal.Partner{}, err
	}
	for _, p := range m.Partners {
		if p.ID == c.Param("id") {
			return p, nil
		}
	}
	return signal.Partner{}, signal.Errorf(signal.CodeNotFound, "no partner %s in this cooperation", c.Param("id"))
}

// adminPartnerPage: GET /beheer/partners/:id, what a partner does and
// whom to call, to change (a hand-over names the new contact person here).
func (s *Server) adminPartnerPage(c echo.Context) error {
	p, err := s.partnerOnMap(c)
	if err != nil {
		return err
	}
	v := s.view(c, "admin.partner.edit", adminPartnerData{ID: p.ID, Name: p.Name})
	v.Form = url.Values{"part": {p.Part},
		"contact.name": {p.Contact.Name}, "contact.email": {p.Contact.Email}, "contact.phone": {p.Contact.Phone},
		"deputy.name": {p.Deputy.Name}, "deputy.email": {p.Deputy.Email}, "deputy.phone": {p.Deputy.Phone}}
	return s.render(c, http.StatusOK, "admin_partner", v)
}

// adminPartnerSubmit: POST /beheer/partners/:id.
func (s *Server) adminPartnerSubmit(c echo.Context) error {
	p, err := s.partnerOnMap(c)
	if err != nil {
		return err
	}
	f, err := c.FormParams()
	if err != nil {
		return err
	}
	part, contact, deputy := partnerForm(f)
	if err := s.admin.SetPartner(c.Request().Context(), signalActor(c), p.ID, part, contact, deputy); err != nil {
		v := s.view(c, "admin.partner.edit", adminPartnerData{ID: p.ID, Name: p.Name})
		v.Form = f
		return s.refusedForm(c, v, "admin_partner", err)
	}
	return redirect(c, "/beheer?opgeslagen=partner")
}

type adminAgreementData struct {
	Partners []signal.Partner
	Purposes []signal.Purpose
	Fields   []signal.Field
	Recorded bool
}

// adminAgreementPage: GET /beheer/convenant, the agreement as data.
func (s *Server) adminAgreementPage(c echo.Context) error {
	m, err := s.admin.Map(c.Request().Context(), signalActor(c))
	if err != nil {
		return err
	}
	v := s.view(c, "admin.agreement.title", agreementData(m))
	v.Form = url.Values{}
	if a := m.Agreement; a != nil {
		v.Form.Set("version", a.Version)
		v.Form.Set("signed_on", a.SignedOn.String())
		v.Form.Set("retention_months", strconv.Itoa(a.RetentionMonths))
		for _, p := range a.Purposes {
			v.Form.Add("purpose", string(p.Purpose))
			for _, f := range p.Fields {
				v.Form.Add("fields."+string(p.Purpose), string(f))
			}
		}
		for _, p := range a.Parties {
			v.Form.Add("parties", p.OrgID)
		}
	}
	return s.render(c, http.StatusOK, "admin_agreement", v)
}

// adminAgreementSubmit: POST /beheer/convenant records the agreement.
func (s *Server) adminAgreementSubmit(c echo.Context) error {
	f, err := c.FormParams()
	if err != nil {
		return err
	}
	a := signal.Agreement{Version: f.Get("version")}
	var fe signal.FieldErrors
	if d := f.Get("signed_on"); d != "" {
		if a.SignedOn, err = signal.ParseDate(d); err != nil {
			fe.Add("signed_on", "not a date (YYYY-MM-DD)")
		}
	}
	if r := f.Get("retention_months"); r != "" {
		if a.RetentionMonths, err = signal.ParseRetentionMonths(r); err != nil {
			fe.Add("retention_months", "must be a whole number of months from 1 to 120")
		}
	}
	for _, p := range f["purpose"] {
		ap := signal.AgreedPurpose{Purpose: signal.Purpose(p)}
		for _, x := range f["fields."+p] {
			ap.Fields = append(ap.Fields, signal.Field(x))
		}
		a.Purposes = append(a.Purposes, ap)
	}
	for _, id := range f["parties"] {
		a.Parties = append(a.Parties, signal.AgreementParty{OrgID: id})
	}
	err = fe.Err()
	if err == nil {
		err = s.admin.SetAgreement(c.Request().Context(), signalActor(c), &a)
	}
	if err != nil {
		v, verr := s.adminView(c, "admin.agreement.title", agreementData)
		if verr != nil {
			return verr
		}
		v.Form = f
		return s.refusedForm(c, v, "admin_agreement", err)
	}
	return redirect(c, "/beheer?opgeslagen=convenant")
}

type adminMeetingData struct {
	Partners []signal.Partner
	Weekdays []int
}

// adminMeetingPage: GET /beheer/overleg, when the signal meeting meets
// and its standing members.
func (s *Server) adminMeetingPage(c echo.Context) error {
	m, err := s.admin.Map(c.Request().Context(), signalActor(c))
	if err != nil {
		return err
	}
	v := s.view(c, "admin.meeting.title", meetingData(m))
	v.Form = url.Values{"every_weeks": {"2"}, "start_time": {"15:00"}}
	if ms := m.Standing; ms != nil {
		v.Form = url.Values{"weekday": {strconv.Itoa(ms.Weekday)}, "start_time": {ms.StartTime}, "every_weeks": {strconv.Itoa(ms.EveryWeeks)}, "members": ms.Members}
	}
	return s.render(c, http.StatusOK, "admin_meeting", v)
}

// adminMeetingSubmit: POST /beheer/overleg.
func (s *Server) adminMeetingSubmit(c echo.Context) error {
	f, err := c.FormParams()
	if err != nil {
		return err
	}
	ms := signal.MeetingStanding{StartTime: strings.TrimSpace(f.Get("start_time")), Members: f["members"]}
	ms.Weekday, _ = strconv.Atoi(f.Get("weekday"))
	ms.EveryWeeks, _ = strconv.Atoi(f.Get("every_weeks"))
	if err := s.admin.SetMeetingStanding(c.Request().Context(), signalActor(c), &ms); err != nil {
		v, verr := s.adminView(c, "admin.meeting.title", meetingData)
		if verr != nil {
			return verr
		}
		v.Form = f
		return s.refusedForm(c, v, "admin_meeting", err)
	}
	return redirect(c, "/beheer?opgeslagen=overleg")
}

type adminAccountsData struct {
	Partners []signal.Partner
	Roles    []signal.Role
	Self     string
	Saved    string
	// ResetFactor: the console offers a second-factor reset.
	ResetFactor bool
	// Invited: the accounts that have not accepted their invitation, and
	// when it expires; Now to tell whether it did.
	Invited map[string]time.Time
	Now     time.Time
}

// adminAccountsPage: GET /beheer/accounts, every account per partner,
// with disable and enable.
func (s *Server) adminAccountsPage(c echo.Context) error {
	m, err := s.admin.Map(c.Request().Context(), signalActor(c))
	if err != nil {
		return err
	}
	return s.Render(c, http.StatusOK, "admin_accounts", "admin.accounts.title",
		adminAccountsData{Partners: m.Partners, Roles: signal.Roles, Self: signalActor(c).UserID, Saved: c.QueryParam("opgeslagen"), ResetFactor: s.admin.CanResetSecondFactor(),
			Invited: m.Invited, Now: s.now()})
}

// adminInviteSubmit: POST /beheer/accounts invites someone by e-mail.
func (s *Server) adminInviteSubmit(c echo.Context) error {
	f, err := c.FormParams()
	if err != nil {
		return err
	}
	u := signal.User{Name: f.Get("name"), Email: f.Get("email"), OrgID: f.Get("org"), Role: signal.Role(f.Get("role"))}
	if _, err := s.admin.Invite(c.Request().Context(), signalActor(c), &u); err != nil {
		v, verr := s.adminView(c, "admin.accounts.title", s.accountsData(c))
		if verr != nil {
			return verr
		}
		v.Form = f
		if signal.ErrorCode(err) == signal.CodeUnavailable {
			v.Errors = []FormError{{Field: "email", Message: v.T("admin.invite.nomail")}}
			return s.render(c, http.StatusServiceUnavailable, "admin_accounts", v)
		}
		return s.refusedForm(c, v, "admin_accounts", err)
	}
	return redirect(c, "/beheer/accounts?opgeslagen=invite")
}

type invitationData struct {
	Name  string
	Token string
	// SSO names the invitee's organisation when its people sign in
	// through its own issuer: the invitee may accept that way.
	SSO string
}

// invitationPage: GET /uitnodiging/:token, the invitee chooses a password.
// An unknown, used or expired link gets one answer.
func (s *Server) invitationPage(c echo.Context) error {
	u, err := s.admin.Invitation(c.Request().Context(), c.Param("token"))
	if err != nil {
		return err
	}
	return s.Render(c, http.StatusOK, "invitation", "invite.title", s.invitationData(c, u))
}

// invitationData is what the invitation page shows invitee u.
func (s *Server) invitationData(c echo.Context, u signal.User) invitationData {
	d := invitationData{Name: u.Name, Token: c.Param("token")}
	orgs, err := s.users.SSOOrganisations(c.Request().Context())
	if err != nil {
		s.logger.Warn("list the organisations that sign in through an issuer", slog.String("request_id", requestID(c)), slog.Any("err", err))
	}
	for _, o := range orgs {
		if o.ID == u.OrgID {
			d.SSO = o.Name
		}
	}
	return d
}

// invitationSubmit: POST /uitnodiging/:token, the password chosen; then
// the login page, where the second factor is set up.
func (s *Server) invitationSubmit(c echo.Context) error {
	pw, again := c.FormValue("password"), c.FormValue("password_again")
	v := s.view(c, "invite.title", nil)
	u, err := s.admin.Invitation(c.Request().Context(), c.Param("token"))
	if err != nil {
		return err
	}
	v.Data = s.invitationData(c, u)
	if pw != again {
		v.Errors = []FormError{{Field: "password_again", Message: v.T("invite.mismatch")}}
		return s.render(c, http.StatusBadRequest, "invitation", v)
	}
	if _, err := s.admin.AcceptInvitation(c.Request().Context(), signalActor(c), c.Param("token"), pw); err != nil {
		if signal.ErrorCode(err) == signal.CodeInvalid {
			v.Errors = []FormError{{Field: "password", Message: v.T("invite.weak")}}
			return s.render(c, http.StatusBadRequest, "invitation", v)
		}
		return err
	}
	return redirect(c, "/login?welkom=1")
}

// adminAccountStatusSubmit: POST /beheer/accounts/:id/status with
// disabled=1 or 0. A contact person is refused with the reason on the page.
func (s *Server) adminAccountStatusSubmit(c echo.Context) error {
	disabled := c.FormValue("disabled") == "1"
	err := s.admin.SetAccountDisabled(c.Request().Context(), signalActor(c), c.Param("id"), disabled)
	if err != nil {
		v, verr := s.adminView(c, "admin.accounts.title", s.accountsData(c))
		if verr != nil {
			return verr
		}
		if signal.ErrorCode(err) == signal.CodeConflict {
			// Said in the page's language: whose role to hand over first.
			v.Errors = []FormError{{Field: "", Message: v.T("admin.accounts.self")}}
			for _, p := range v.Data.(adminAccountsData).Partners {
				for _, u := range p.Accounts {
					if u.ID == c.Param("id") && (u.Email == p.Contact.Email || u.Email == p.Deputy.Email) {
						v.Errors = []FormError{{Field: "", Message: v.T("admin.accounts.handover", u.Name, p.Name, p.Name)}}
					}
				}
			}
			return s.render(c, http.StatusConflict, "admin_accounts", v)
		}
		return s.refusedForm(c, v, "admin_accounts", err)
	}
	return redirect(c, "/beheer/accounts?opgeslagen=status")
}

// adminReinviteSubmit: POST /beheer/accounts/:id/uitnodiging sends an
// invitee who has not accepted (the link expired, the mail was lost) a
// new link; older links stop working.
func (s *Server) adminReinviteSubmit(c echo.Context) error {
	_, err := s.admin.Reinvite(c.Request().Context(), signalActor(c), c.Param("id"))
	if err == nil {
		return redirect(c, "/beheer/accounts?opgeslagen=reinvite")
	}
	switch signal.ErrorCode(err) {
	case signal.CodeConflict, signal.CodeUnavailable:
		v, verr := s.adminView(c, "admin.accounts.title", s.accountsData(c))
		if verr != nil {
			return verr
		}
		if signal.ErrorCode(err) == signal.CodeUnavailable {
			v.Errors = []FormError{{Message: v.T("admin.invite.nomail")}}
			return s.render(c, http.StatusServiceUnavailable, "admin_accounts", v)
		}
		v.Errors = adminErrors(v, err)
		return s.render(c, http.StatusConflict, "admin_accounts", v)
	}
	return err
}

// adminResetFactorSubmit: POST /beheer/accounts/:id/tweede-factor, a
// lost phone: the account sets up its second factor again.
func (s *Server) adminResetFactorSubmit(c echo.Context) error {
	if err := s.admin.ResetSecondFactor(c.Request().Context(), signalActor(c), c.Param("id")); err != nil {
		return err
	}
	return redirect(c, "/beheer/accounts?opgeslagen=factor")
}

// underAgreement adapts question q to the agreement of the reporter's
// cooperation (signal.Signals.Offer): the purpose question offers the
// agreement's purposes (then "other", outside it), and the recipient
// question says of each recipient whether it is a party. Without a
// recorded agreement q is unchanged.
func (s *Server) underAgreement(c echo.Context, q signal.Question) (signal.Question, error) {
	if (q.ID != "purpose" && q.ID != "recipient.role") || s.signals == nil {
		return q, nil
	}
	offer, err := s.signals.Offer(c.Request().Context(), signalActor(c))
	if err != nil || !offer.Recorded {
		return q, err
	}
	outside := signal.Text{NL: " (buiten het convenant)", EN: " (outside the agreement)"}
	var answers []signal.AnswerOption
	for _, a := range q.Answers {
		switch q.ID {
		case "purpose":
			if !slices.Contains(offer.Purposes, signal.Purpose(a.Value)) {
				continue
			}
			if a.Value == string(signal.PurposeOther) {
				a.Label = signal.Text{NL: a.Label.NL + outside.NL, EN: a.Label.EN + outside.EN}
			}
		case "recipient.role":
			if !offer.Recipient[signal.RecipientRole(a.Value)] {
				a.Label = signal.Text{NL: a.Label.NL + " (geen partij bij het convenant)", EN: a.Label.EN + " (not a party to the agreement)"}
			}
		}
		answers = append(answers, a)
	}
	q.Answers = answers
	return q, nil
}

// adminView is the view of a console page whose data is made from the
// cooperation's map.
func (s *Server) adminView(c echo.Context, title string, data func(signal.CooperationMap) any) (*View, error) {
	m, err := s.admin.Map(c.Request().Context(), signalActor(c))
	if err != nil {
		return nil, err
	}
	return s.view(c, title, data(m)), nil
}

func agreementData(m signal.CooperationMap) any {
	return adminAgreementData{Partners: m.Partners, Purposes: signal.AgreedPurposes, Fields: signal.Fields, Recorded: m.Agreement != nil}
}

func meetingData(m signal.CooperationMap) any {
	return adminMeetingData{Partners: m.Partners, Weekdays: []int{1, 2, 3, 4, 5, 6, 7}}
}

func (s *Server) accountsData(c echo.Context) func(signal.CooperationMap) any {
	return func(m signal.CooperationMap) any {
		return adminAccountsData{Partners: m.Partners, Roles: signal.Roles, Self: signalActor(c).UserID, ResetFactor: s.admin.CanResetSecondFactor(),
			Invited: m.Invited, Now: s.now()}
	}
}
