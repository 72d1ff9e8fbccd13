package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/signaal-nl/signaal/signal"
)

// The pages of registered requests (issue 17 item 1): the list with the
// form to register one, and one request with its deadline, its content
// reads and the steps of a release. Content is shown only here, inside the
// request, after the officer chose why (posted, so a reload or a prefetch
// never reads content unasked).

// requestPages registers the request pages; the approval (four eyes) is
// open to an administrator as well.
func (s *Server) requestPages(g *PageGroup) {
	po := s.RequireRole(signal.RolePrivacyOfficer)
	second := s.RequireRole(signal.RolePrivacyOfficer, signal.RoleAdmin)
	g.GET("/privacy/verzoeken", s.requestsPage, po)
	g.POST("/privacy/verzoeken", s.registerRequestSubmit, po)
	g.GET("/privacy/verzoeken/:id", s.requestPage, second)
	g.POST("/privacy/verzoeken/:id/inhoud", s.requestContentSubmit, po)
	g.POST("/privacy/verzoeken/:id/verlengen", s.requestExtendSubmit, po)
	g.POST("/privacy/verzoeken/:id/vrijgeven", s.requestReleaseSubmit, po)
	g.POST("/privacy/verzoeken/:id/goedkeuren", s.requestApproveSubmit, second)
	g.POST("/privacy/verzoeken/:id/sluiten", s.requestCloseSubmit, po)
	g.GET("/privacy/verzoeken/:id/kopie", s.youthReportPage, po)
	g.POST("/privacy/verzoeken/:id/contact", s.releaseContactSubmit, po)
	g.GET("/privacy/verzoeken/:id/wissen", s.erasurePlanPage, po)
	g.POST("/privacy/verzoeken/:id/wissen", s.eraseSubmit, po)
	g.POST("/privacy/verzoeken/:id/weigeren", s.refuseErasureSubmit, po)
	g.GET("/privacy/verzoeken/:id/ontvangstbewijs", s.receiptPage, po)
	g.POST("/privacy/verzoeken/:id/beperken", s.restrictSubmit, po)
	g.POST("/privacy/verzoeken/:id/opheffen", s.liftRestrictionSubmit, po)
}

type erasurePageData struct {
	Plan    signal.ErasurePlan
	Request signal.AccessRequest
	Reasons []signal.ErasureReason
	Grounds []signal.RefusalGround
}

// erasurePlanPage: GET /privacy/verzoeken/{id}/wissen: the confirmation
// step: what would go, counted per kind, what stays, and the two answers
// (erase, or decline on a ground).
func (s *Server) erasurePlanPage(c echo.Context) error {
	return s.renderErasurePlan(c, s.view(c, "erasure.title", nil), http.StatusOK)
}

func (s *Server) renderErasurePlan(c echo.Context, v *View, status int) error {
	id, err := requestParam(c)
	if err != nil {
		return err
	}
	ctx, actor := c.Request().Context(), signalActor(c)
	plan, err := s.privacy.ErasurePlan(ctx, actor, id)
	if signal.ErrorCode(err) == signal.CodeConflict {
		// Answered already (or closed): the receipt, or the request.
		if a, aerr := s.privacy.ErasureAnswer(ctx, actor, id); aerr == nil && a != nil {
			return redirect(c, "/privacy/verzoeken/"+id+"/ontvangstbewijs")
		}
		v := s.view(c, "request.title", nil)
		v.Errors = []FormError{{Field: "", Message: v.T("request.refused.conflict")}}
		return s.renderRequest(c, v, http.StatusConflict)
	}
	if err != nil {
		return err
	}
	r, err := s.privacy.Request(ctx, actor, id)
	if err != nil {
		return err
	}
	v.Data = erasurePageData{Plan: plan, Request: r, Reasons: signal.RequestErasureReasons, Grounds: signal.RefusalGrounds}
	return s.render(c, status, "privacy_erasure", v)
}

// erasureStep runs the erasure or the refusal and shows the receipt, or the
// confirmation step again with the problem.
func (s *Server) erasureStep(c echo.Context, step func(id string) error) error {
	id, err := requestParam(c)
	if err != nil {
		return err
	}
	err = step(id)
	switch code := signal.ErrorCode(err); {
	case err == nil:
		return redirect(c, "/privacy/verzoeken/"+id+"/ontvangstbewijs")
	case code == signal.CodeInvalid || code == signal.CodeConflict:
		v := s.view(c, "erasure.title", nil)
		v.Form = url.Values{"reason": {c.FormValue("reason")}, "ground": {c.FormValue("ground")}}
		v.Errors = []FormError{{Field: "", Message: v.T("erasure.changed")}}
		if se, ok := err.(*signal.Error); ok && len(se.Fields) > 0 {
			v.Errors = nil
			for _, f := range se.Fields {
				v.Errors = append(v.Errors, FormError{Field: f.Field, Message: v.T("erasure.error." + f.Field)})
			}
		}
		return s.renderErasurePlan(c, v, statusOf(code))
	default:
		return err
	}
}

// eraseSubmit: POST /privacy/verzoeken/{id}/wissen {reason, fingerprint,
// confirm}: the erasure, then the receipt.
func (s *Server) eraseSubmit(c echo.Context) error {
	return s.erasureStep(c, func(id string) error {
		if c.FormValue("confirm") != "1" {
			fe := []signal.FieldError{{Field: "confirm", Problem: "tick that you checked what will be erased"}}
			if c.FormValue("reason") == "" {
				fe = append([]signal.FieldError{{Field: "reason", Problem: "is required"}}, fe...)
			}
			return signal.Invalid(fe...)
		}
		_, err := s.privacy.EraseOnRequest(c.Request().Context(), signalActor(c), id,
			signal.ErasureReason(c.FormValue("reason")), c.FormValue("fingerprint"))
		return err
	})
}

// refuseErasureSubmit: POST /privacy/verzoeken/{id}/weigeren {ground}.
func (s *Server) refuseErasureSubmit(c echo.Context) error {
	return s.erasureStep(c, func(id string) error {
		_, err := s.privacy.RefuseErasure(c.Request().Context(), signalActor(c), id, signal.RefusalGround(c.FormValue("ground")))
		return err
	})
}

type receiptPageData struct {
	Receipt signal.ErasureReceipt
	JSONURL string
}

// receiptPage: GET /privacy/verzoeken/{id}/ontvangstbewijs: the receipt for
// the file, printable.
func (s *Server) receiptPage(c echo.Context) error {
	rc, id, err := onRequest(c, s.privacy.ErasureReceipt)
	if err != nil {
		return err
	}
	return s.Render(c, http.StatusOK, "privacy_receipt", "receipt.title",
		receiptPageData{Receipt: rc, JSONURL: "/api/v1/privacy/access-requests/" + id + "/erasure-receipt"})
}

type youthReportData struct {
	Report  signal.YouthReport
	JSONURL string
}

// youthReportPage: GET /privacy/verzoeken/{id}/kopie: the young person's
// copy, printable as one document (a content read, reason copy).
func (s *Server) youthReportPage(c echo.Context) error {
	rep, id, err := onRequest(c, s.privacy.YouthReport)
	if signal.ErrorCode(err) == signal.CodeConflict {
		v := s.view(c, "request.title", nil)
		v.Errors = []FormError{{Field: "", Message: v.T("youth.notReleased")}}
		return s.renderRequest(c, v, http.StatusConflict)
	}
	if err != nil {
		return err
	}
	return s.Render(c, http.StatusOK, "youth_report", "youth.title",
		youthReportData{Report: rep, JSONURL: "/api/v1/privacy/access-requests/" + id + "/youth-report"})
}

// releaseContactSubmit: POST /privacy/verzoeken/{id}/contact {signal_id}.
func (s *Server) releaseContactSubmit(c echo.Context) error {
	id, err := requestParam(c)
	if err != nil {
		return err
	}
	if _, err := s.privacy.ReleaseContact(c.Request().Context(), signalActor(c), id, c.FormValue("signal_id")); err != nil &&
		signal.ErrorCode(err) != signal.CodeConflict {
		return err
	}
	return redirect(c, "/privacy/verzoeken/"+id+"/kopie")
}

type requestsPageData struct {
	Requests   []signal.AccessRequest
	Requesters []signal.Requester
	Today      signal.Date
}

// requestsPage: GET /privacy/verzoeken: the requests and the form.
func (s *Server) requestsPage(c echo.Context) error {
	v := s.view(c, "request.list.title", nil)
	return s.renderRequests(c, v, http.StatusOK)
}

func (s *Server) renderRequests(c echo.Context, v *View, status int) error {
	list, err := s.privacy.Requests(c.Request().Context(), signalActor(c))
	if err != nil {
		return err
	}
	v.Data = requestsPageData{Requests: list, Requesters: signal.Requesters, Today: signal.Today(s.now())}
	return s.render(c, status, "privacy_requests", v)
}

// registerRequestSubmit: POST /privacy/verzoeken {name, birth_date,
// requester, received_on} -> the request's page.
func (s *Server) registerRequestSubmit(c echo.Context) error {
	v := s.view(c, "request.list.title", nil)
	l, ok := lookupForm(v, c)
	v.Form.Set("requester", c.FormValue("requester"))
	v.Form.Set("received_on", c.FormValue("received_on"))
	if !ok {
		return s.renderRequests(c, v, http.StatusBadRequest)
	}
	r, err := s.privacy.RegisterRequest(c.Request().Context(), signalActor(c), signal.RequestForm{Youth: l,
		Requester: signal.Requester(c.FormValue("requester")), ReceivedOn: c.FormValue("received_on")})
	if signal.ErrorCode(err) == signal.CodeInvalid {
		v.Errors = requestErrors(v, err)
		return s.renderRequests(c, v, http.StatusBadRequest)
	}
	if err != nil {
		return err
	}
	return redirect(c, "/privacy/verzoeken/"+r.ID)
}

// requestErrors are a request form's problems in the page's language; the
// youth's fields are the page's name and birth_date.
func requestErrors(v *View, err error) []FormError {
	out := formErrors(v, err)
	for i := range out {
		out[i].Field = strings.TrimPrefix(out[i].Field, "youth.")
	}
	return out
}

type requestPageData struct {
	Request          signal.AccessRequest
	Answer           *signal.ErasureAnswer
	Restriction      *signal.Restriction
	RestrictGrounds  []signal.RestrictionGround
	Today            signal.Date
	FourEyes         bool
	ReadReasons      []signal.ReadReason
	ExtensionReasons []signal.ExtensionReason
	Done             string
}

// requestPage: GET /privacy/verzoeken/{id}[?done=…].
func (s *Server) requestPage(c echo.Context) error {
	v := s.view(c, "request.title", nil)
	return s.renderRequest(c, v, http.StatusOK)
}

func (s *Server) renderRequest(c echo.Context, v *View, status int) error {
	id, err := requestParam(c)
	if err != nil {
		return err
	}
	ctx, actor := c.Request().Context(), signalActor(c)
	r, err := s.privacy.Request(ctx, actor, id)
	if err != nil {
		return err
	}
	fourEyes, err := s.privacy.FourEyes(ctx, actor)
	if err != nil {
		return err
	}
	answer, err := s.privacy.ErasureAnswer(ctx, actor, id)
	if err != nil && signal.ErrorCode(err) != signal.CodeUnavailable {
		return err
	}
	restriction, err := s.privacy.Restriction(ctx, actor, id)
	if err != nil && signal.ErrorCode(err) != signal.CodeUnavailable {
		return err
	}
	v.Data = requestPageData{Request: r, Answer: answer, Restriction: restriction, RestrictGrounds: signal.RestrictionGrounds, Today: signal.Today(s.now()), FourEyes: fourEyes, ReadReasons: signal.ReadReasons,
		ExtensionReasons: signal.ExtensionReasons, Done: c.QueryParam("done")}
	return s.render(c, status, "privacy_request", v)
}

// requestStep runs one step on the request and returns to its page, or
// shows the page again with the refusal when the state does not allow it.
func (s *Server) requestStep(c echo.Context, done string, step func(id string) (signal.AccessRequest, error)) error {
	id, err := requestParam(c)
	if err != nil {
		return err
	}
	_, err = step(id)
	switch code := signal.ErrorCode(err); {
	case err == nil:
		return redirect(c, "/privacy/verzoeken/"+id+"?"+url.Values{"done": {done}}.Encode())
	case code == signal.CodeInvalid || code == signal.CodeConflict || (code == signal.CodeForbidden && done == "approved"):
		v := s.view(c, "request.title", nil)
		v.Errors = formErrors(v, err)
		if se, ok := err.(*signal.Error); ok && len(se.Fields) == 0 {
			v.Errors = []FormError{{Field: "", Message: v.T("request.refused." + string(code))}}
		}
		return s.renderRequest(c, v, statusOf(code))
	default:
		return err
	}
}

// restrictSubmit: POST /privacy/verzoeken/{id}/beperken {ground}.
func (s *Server) restrictSubmit(c echo.Context) error {
	return s.requestStep(c, "restricted", func(id string) (signal.AccessRequest, error) {
		_, err := s.privacy.Restrict(c.Request().Context(), signalActor(c), id, signal.RestrictionGround(c.FormValue("ground")))
		return signal.AccessRequest{}, err
	})
}

// liftRestrictionSubmit: POST /privacy/verzoeken/{id}/opheffen.
func (s *Server) liftRestrictionSubmit(c echo.Context) error {
	return s.requestStep(c, "lifted", func(id string) (signal.AccessRequest, error) {
		return signal.AccessRequest{}, s.privacy.LiftRestriction(c.Request().Context(), signalActor(c), id)
	})
}

// requestExtendSubmit: POST /privacy/verzoeken/{id}/verlengen {reason}.
func (s *Server) requestExtendSubmit(c echo.Context) error {
	return s.requestStep(c, "extended", func(id string) (signal.AccessRequest, error) {
		return s.privacy.ExtendRequest(c.Request().Context(), signalActor(c), id, signal.ExtensionReason(c.FormValue("reason")))
	})
}

// requestReleaseSubmit: POST /privacy/verzoeken/{id}/vrijgeven.
func (s *Server) requestReleaseSubmit(c echo.Context) error {
	return s.requestStep(c, "release", func(id string) (signal.AccessRequest, error) {
		return s.privacy.ReleaseRequest(c.Request().Context(), signalActor(c), id)
	})
}

// requestApproveSubmit: POST /privacy/verzoeken/{id}/goedkeuren.
func (s *Server) requestApproveSubmit(c echo.Context) error {
	return s.requestStep(c, "approved", func(id string) (signal.AccessRequest, error) {
		return s.privacy.ApproveRelease(c.Request().Context(), signalActor(c), id)
	})
}

// requestCloseSubmit: POST /privacy/verzoeken/{id}/sluiten.
func (s *Server) requestCloseSubmit(c echo.Context) error {
	return s.requestStep(c, "closed", func(id string) (signal.AccessRequest, error) {
		return s.privacy.CloseRequest(c.Request().Context(), signalActor(c), id)
	})
}

// requestContentSubmit: POST /privacy/verzoeken/{id}/inhoud {reason}: the
// report with content, read inside the request (recorded and audited).
func (s *Server) requestContentSubmit(c echo.Context) error {
	id, err := requestParam(c)
	if err != nil {
		return err
	}
	reason := signal.ReadReason(c.FormValue("reason"))
	rep, err := s.privacy.RequestReport(c.Request().Context(), signalActor(c), id, reason)
	if code := signal.ErrorCode(err); code == signal.CodeInvalid || code == signal.CodeConflict {
		v := s.view(c, "request.title", nil)
		v.Errors = formErrors(v, err)
		if se, ok := err.(*signal.Error); ok && len(se.Fields) == 0 {
			v.Errors = []FormError{{Field: "", Message: v.T("request.refused." + string(code))}}
		}
		return s.renderRequest(c, v, statusOf(code))
	}
	if err != nil {
		return err
	}
	return s.Render(c, http.StatusOK, "privacy_report", "privacy.report.title",
		reportPageData{Report: rep,
			JSONURL: "/api/v1/privacy/access-requests/" + id + "/report?reason=" + string(reason)})
}
