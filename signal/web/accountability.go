package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/signaal-nl/signaal/signal"
)

// The privacy officer's accountability (issue 17 item 6): the register of
// processing (AVG art. 30), generated, printable and as JSON, and the
// breach log (art. 33) with the 72-hour notification. Pages and API call
// the same use cases (signal/accountability.go), so both are audited alike.

// accountabilityRoutes registers the API under /api/v1/privacy.
func (s *Server) accountabilityRoutes(g *echo.Group, po echo.MiddlewareFunc) {
	g.GET("/register", s.apiRegister, po)
	g.GET("/breaches", s.apiBreaches, po)
	g.POST("/breaches", s.apiRecordBreach, po)
	g.POST("/breaches/:id/notifications", s.apiNotifyBreach, po)
}

// accountabilityPages registers the pages.
func (s *Server) accountabilityPages(g *PageGroup, po echo.MiddlewareFunc) {
	g.GET("/privacy/register", s.registerPage, po)
	g.GET("/privacy/datalekken", s.breachesPage, po)
	g.POST("/privacy/datalekken", s.recordBreachSubmit, po)
	g.POST("/privacy/datalekken/:id/melding", s.notifyBreachSubmit, po)
}

// apiRegister: GET /api/v1/privacy/register.
func (s *Server) apiRegister(c echo.Context) error {
	r, err := s.privacy.Register(c.Request().Context(), signalActor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

// breachJSON is a breach with what the officer must still do.
type breachJSON struct {
	signal.Breach
	AuthorityDue bool `json:"authority_due"`
	SubjectsDue  bool `json:"subjects_due"`
	Overdue      bool `json:"overdue"`
}

// Authority and Subjects are the notifications made, nil when not (for
// the page).
func (b breachJSON) Authority() *signal.BreachNotice { return b.Notice(signal.NotifyAuthority) }
func (b breachJSON) Subjects() *signal.BreachNotice  { return b.Notice(signal.NotifySubjects) }

func (s *Server) toBreachJSON(b signal.Breach) breachJSON {
	return breachJSON{Breach: b, AuthorityDue: b.AuthorityDue(), SubjectsDue: b.SubjectsDue(), Overdue: b.Overdue(s.now())}
}

// apiBreaches: GET /api/v1/privacy/breaches.
func (s *Server) apiBreaches(c echo.Context) error {
	bs, err := s.privacy.Breaches(c.Request().Context(), signalActor(c))
	if err != nil {
		return err
	}
	out := make([]breachJSON, len(bs))
	for i, b := range bs {
		out[i] = s.toBreachJSON(b)
	}
	return c.JSON(http.StatusOK, map[string]any{"breaches": out})
}

// apiRecordBreach: POST /api/v1/privacy/breaches {discovered_at (RFC 3339),
// kind, cause, risk, categories, young_people}.
func (s *Server) apiRecordBreach(c echo.Context) error {
	var f signal.BreachForm
	if err := Decode(c, &f); err != nil {
		return err
	}
	b, err := s.privacy.RecordBreach(c.Request().Context(), signalActor(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, s.toBreachJSON(b))
}

// apiNotifyBreach: POST /api/v1/privacy/breaches/{id}/notifications {to,
// at, reference, late_reason}.
func (s *Server) apiNotifyBreach(c echo.Context) error {
	var n signal.BreachNotice
	if err := Decode(c, &n); err != nil {
		return err
	}
	n.RecordedBy = ""
	b, err := s.privacy.NotifyBreach(c.Request().Context(), signalActor(c), c.Param("id"), n)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.toBreachJSON(b))
}

// registerPage: GET /privacy/register: the register, printable.
func (s *Server) registerPage(c echo.Context) error {
	r, err := s.privacy.Register(c.Request().Context(), signalActor(c))
	if err != nil {
		return err
	}
	return s.Render(c, http.StatusOK, "privacy_register", "register.title", r)
}

type breachesPageData struct {
	Breaches   []breachJSON
	Kinds      []signal.BreachKind
	Causes     []signal.BreachCause
	Risks      []signal.BreachRisk
	Fields     []signal.Field
	Delays     []signal.BreachDelay
	Addressees []signal.BreachAddressee
	Now        string // the form's default time, local
}

// breachesPage: GET /privacy/datalekken: the log and the form.
func (s *Server) breachesPage(c echo.Context) error {
	return s.renderBreaches(c, s.view(c, "breach.title", nil), http.StatusOK)
}

func (s *Server) renderBreaches(c echo.Context, v *View, status int) error {
	bs, err := s.privacy.Breaches(c.Request().Context(), signalActor(c))
	if err != nil {
		return err
	}
	d := breachesPageData{Kinds: signal.BreachKinds, Causes: signal.BreachCauses, Risks: signal.BreachRisks,
		Fields: signal.Fields, Delays: signal.BreachDelays, Addressees: signal.BreachAddressees,
		Now: s.now().In(amsterdam).Format(localMinute)}
	for _, b := range bs {
		d.Breaches = append(d.Breaches, s.toBreachJSON(b))
	}
	v.Data = d
	return s.render(c, status, "privacy_breaches", v)
}

// localMinute is the format of a datetime-local field.
const localMinute = "2006-01-02T15:04"

// localTime reads a datetime-local field typed in Europe/Amsterdam; the
// zero time when empty.
func localTime(field, s string) (time.Time, *signal.FieldError) {
	if strings.TrimSpace(s) == "" {
		return time.Time{}, nil
	}
	t, err := time.ParseInLocation(localMinute, strings.TrimSpace(s), amsterdam)
	if err != nil {
		return time.Time{}, &signal.FieldError{Field: field, Problem: "not a date and time (YYYY-MM-DDTHH:MM)"}
	}
	return t, nil
}

// recordBreachSubmit: POST /privacy/datalekken {discovered_at, kind, cause,
// risk, categories..., young_people}.
func (s *Server) recordBreachSubmit(c echo.Context) error {
	v := s.view(c, "breach.title", nil)
	v.Form = url.Values{}
	for _, k := range []string{"discovered_at", "kind", "cause", "risk", "young_people"} {
		v.Form.Set(k, c.FormValue(k))
	}
	form, _ := c.FormParams()
	f := signal.BreachForm{Kind: signal.BreachKind(c.FormValue("kind")), Cause: signal.BreachCause(c.FormValue("cause")),
		Risk: signal.BreachRisk(c.FormValue("risk"))}
	for _, cat := range form["categories"] {
		v.Form.Add("categories", cat)
		f.Categories = append(f.Categories, signal.Field(cat))
	}
	var fe signal.FieldErrors
	at, perr := localTime("discovered_at", c.FormValue("discovered_at"))
	if perr != nil {
		fe.Add(perr.Field, perr.Problem)
	}
	f.DiscoveredAt = at
	if n, err := strconv.Atoi(strings.TrimSpace(c.FormValue("young_people"))); err == nil {
		f.YoungPeople = n
	} else {
		fe.Add("young_people", "must be a whole number (0 when none or unknown)")
	}
	err := fe.Err()
	if err == nil {
		_, err = s.privacy.RecordBreach(c.Request().Context(), signalActor(c), f)
	}
	if signal.ErrorCode(err) == signal.CodeInvalid {
		v.Errors = formErrors(v, err)
		return s.renderBreaches(c, v, http.StatusBadRequest)
	}
	if err != nil {
		return err
	}
	return redirect(c, "/privacy/datalekken")
}

// notifyBreachSubmit: POST /privacy/datalekken/{id}/melding {to, at,
// reference, late_reason}.
func (s *Server) notifyBreachSubmit(c echo.Context) error {
	v := s.view(c, "breach.title", nil)
	n := signal.BreachNotice{To: signal.BreachAddressee(c.FormValue("to")), Reference: strings.TrimSpace(c.FormValue("reference")),
		Late: signal.BreachDelay(c.FormValue("late_reason"))}
	at, perr := localTime("at", c.FormValue("at"))
	var err error
	if perr != nil {
		err = signal.Invalid(*perr)
	} else {
		n.At = at
		_, err = s.privacy.NotifyBreach(c.Request().Context(), signalActor(c), c.Param("id"), n)
	}
	switch signal.ErrorCode(err) {
	case signal.CodeInvalid:
		v.Errors = formErrors(v, err)
		return s.renderBreaches(c, v, http.StatusBadRequest)
	case signal.CodeConflict:
		v.Errors = []FormError{{Message: v.T("breach.notice.conflict")}}
		return s.renderBreaches(c, v, http.StatusConflict)
	}
	if err != nil {
		return err
	}
	return redirect(c, "/privacy/datalekken#breach-"+c.Param("id"))
}
