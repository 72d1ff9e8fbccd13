package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/signaal-nl/signaal/signal"
)

// HeaderIdempotencyKey makes a retried submission store exactly once;
// HeaderIdempotentReplayed marks an answer that repeats the first one.
const (
	HeaderIdempotencyKey     = "Idempotency-Key"
	HeaderIdempotentReplayed = "Idempotent-Replayed"
)

// signalRoutes registers the signals endpoints on the authenticated group,
// each behind its role guard. Reporters submit and complete; reporters, coordinators and privacy
// officers read, each seeing what the stored decision allows them; admins
// manage accounts and read no signals.
func (s *Server) signalRoutes(authed *echo.Group) {
	readers := s.RequireRole(signal.RoleReporter, signal.RoleCoordinator, signal.RolePrivacyOfficer)
	reporters := s.RequireRole(signal.RoleReporter)
	authed.POST("/signals", s.submitSignal, reporters)
	authed.GET("/signals", s.listSignals, readers)
	authed.GET("/signals/:id", s.getSignal, readers)
	authed.PATCH("/signals/:id", s.completeSignal, reporters)
}

// signalActor is the caller as the signals service and the audit log see it.
func signalActor(c echo.Context) signal.Actor {
	u, _ := CurrentUser(c)
	return signal.Actor{UserID: u.ID, OrgID: u.OrgID, Role: u.Role, RequestID: auditRequestID(c), IP: c.RealIP()}
}

func (s *Server) signalsService() (*signal.Signals, error) {
	if s.signals == nil {
		return nil, signal.Errorf(signal.CodeUnavailable, "signals are not available on this server")
	}
	return s.signals, nil
}

// submitSignal: POST /api/v1/signals. 201 with {"id", "decision"}; an
// incomplete decision is a stored draft (201 too, decision.missing lists
// what to answer next). A replay of an earlier submission with the same
// Idempotency-Key answers the first answer with Idempotent-Replayed: true.
func (s *Server) submitSignal(c echo.Context) error {
	svc, err := s.signalsService()
	if err != nil {
		return err
	}
	var body newSignalBody
	if err := Decode(c, &body); err != nil {
		return err
	}
	in := signal.NewSignal{Youth: body.Youth, Category: body.Category, Facts: body.Facts, Opinions: body.Opinions,
		ObservedOn: body.ObservedOn, Contains: body.Contains, Versions: body.Versions}
	answers, err := decodeAnswers(body.Answers)
	if err != nil {
		// Report the answers' problems with every other field's at once.
		var se *signal.Error
		if !errors.As(err, &se) || se.Code != signal.CodeInvalid {
			return err
		}
		fields := se.Fields
		if _, verr := in.Validate(signal.Today(s.now())); errors.As(verr, &se) {
			fields = append(se.Fields, fields...)
		}
		return signal.Invalid(fields...)
	}
	in.Answers = answers
	key, hasKey := c.Request().Header[http.CanonicalHeaderKey(HeaderIdempotencyKey)]
	idemKey := ""
	if hasKey {
		idemKey = key[0]
		if err := signal.ValidIdempotencyKey(idemKey); err != nil {
			return err
		}
	}
	if body.PhoneDecision != nil {
		if err := s.phoneChecked(c, svc, in, *body.PhoneDecision); err != nil {
			return err
		}
	}
	res, err := svc.Submit(c.Request().Context(), signalActor(c), in, idemKey)
	if err != nil {
		return err
	}
	if res.Replayed {
		c.Response().Header().Set(HeaderIdempotentReplayed, "true")
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/signals/"+res.ID)
	return c.JSON(http.StatusCreated, res)
}

// newSignalBody is the POST body: the answers are read apart by
// signal.DecodeAnswers, which names every problem by its full path
// ("answers.consent.parents", also for an unknown key) and reports them all.
// (signal.NewSignal is not embedded: a type error would then be named
// "NewSignal.facts" instead of "facts".)
type newSignalBody struct {
	Youth      signal.NewYouth `json:"youth"`
	Category   signal.Category `json:"category"`
	Facts      string          `json:"facts"`
	Opinions   string          `json:"opinions"`
	ObservedOn string          `json:"observed_on"`
	Contains   []signal.Field  `json:"contains"`
	Answers    json.RawMessage `json:"answers"`
	// Versions are the texts for recipients who may see less than full.
	Versions signal.Versions `json:"versions"`
	// PhoneDecision is the decision the policy on the phone showed the
	// reporter who checked the signal without a connection (app.js's
	// outbox): see phoneChecked.
	PhoneDecision *phoneDecision `json:"phone_decision"`
}

// phoneDecision is the decision a phone showed, as phone.js writes it.
type phoneDecision struct {
	Outcome       signal.Outcome `json:"outcome"`
	Level         signal.Level   `json:"level"`
	Rule          string         `json:"rule"`
	PolicyVersion string         `json:"policy_version"`
}

// phoneChecked: a signal the reporter checked on the phone without a
// connection is stored only as they checked it (issue 15 items 1 and 2).
// The server decides again and is the authority: when its outcome or level
// differs from the phone's, nothing is stored and the reporter is told, so
// nothing goes to a recipient at a level the reporter did not see. (The
// texts are checked as always: what the level does not allow never goes,
// and the result page shows what did.)
func (s *Server) phoneChecked(c echo.Context, svc *signal.Signals, in signal.NewSignal, phone phoneDecision) error {
	d, err := svc.Preview(c.Request().Context(), signalActor(c), in)
	if err != nil {
		return err
	}
	if d.Outcome != phone.Outcome || d.Level != phone.Level {
		return &signal.Error{Code: signal.CodeConflict,
			Message: "the service decided otherwise than the phone: nothing was stored; check the signal again",
			Fields: []signal.FieldError{{Field: "phone_decision",
				Problem: "differs from the service's decision (" + string(d.Outcome) + ", level " + string(d.Level) + ")"}}}
	}
	return nil
}

// completeRequest is the body of PATCH /api/v1/signals/{id}: more answers,
// and the texts for the levels below full the stored signal has none for.
type completeRequest struct {
	Answers  json.RawMessage `json:"answers"`
	Versions signal.Versions `json:"versions"`
}

// decodeAnswers reads the answers object; absent or null is no answers yet.
func decodeAnswers(raw json.RawMessage) (signal.Answers, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return signal.Answers{}, nil
	}
	return signal.DecodeAnswers(bytes.NewReader(raw))
}

// completeSignal: PATCH /api/v1/signals/{id}. The reporter adds answers to
// their own signal; it is decided again. 200 with {"id", "decision"}.
func (s *Server) completeSignal(c echo.Context) error {
	svc, err := s.signalsService()
	if err != nil {
		return err
	}
	var req completeRequest
	if err := Decode(c, &req); err != nil {
		return err
	}
	if len(req.Answers) == 0 && req.Versions == (signal.Versions{}) {
		return signal.Invalid(signal.FieldError{Field: "answers", Problem: "is required: the answers to add (or versions: the texts per level)"})
	}
	answers, err := decodeAnswers(req.Answers)
	if err != nil {
		return err
	}
	res, err := svc.Complete(c.Request().Context(), signalActor(c), c.Param("id"), answers, req.Versions)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}

// getSignal: GET /api/v1/signals/{id}, as this reader may see it (audited).
// A signal the reader may not see is 404, as if it did not exist.
func (s *Server) getSignal(c echo.Context) error {
	svc, err := s.signalsService()
	if err != nil {
		return err
	}
	v, err := svc.Get(c.Request().Context(), signalActor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

// listSignals: GET /api/v1/signals?limit=&before=, newest first, what this
// reader may see (audited per signal shown).
func (s *Server) listSignals(c echo.Context) error {
	svc, err := s.signalsService()
	if err != nil {
		return err
	}
	limit := 0
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return signal.Invalid(signal.FieldError{Field: "limit", Problem: "must be a whole number from 1 to " + strconv.Itoa(signal.MaxPageSize)})
		}
		if n == 0 {
			n = -1 // an explicit 0 is out of range, not "the default"
		}
		limit = n
	}
	page, err := svc.List(c.Request().Context(), signalActor(c), c.QueryParam("before"), limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page)
}
