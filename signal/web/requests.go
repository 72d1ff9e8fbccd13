package web

import (
	"context"
	"net/http"
	"regexp"

	"github.com/labstack/echo/v4"
	"github.com/signaal-nl/signaal/signal"
)

// The JSON API of registered requests of young people (issue 17 item 1).
// Content is read only inside a registered request, for its young person,
// with a reason: GET /access-requests/{id}/report?reason=assess|copy. The
// access report by pseudonym (/access-reports/{subject}) never holds
// content.

// requestRoutes registers the requests' API in the privacy group; the
// approval of a release is open to an administrator too (four eyes).
func (s *Server) requestRoutes(authed *echo.Group) {
	po := s.RequireRole(signal.RolePrivacyOfficer)
	second := s.RequireRole(signal.RolePrivacyOfficer, signal.RoleAdmin)
	g := authed.Group("/privacy", s.requirePrivacy)
	g.POST("/access-requests", s.apiRegisterRequest, po)
	g.GET("/access-requests", s.apiRequests, po)
	g.GET("/access-requests/:id", s.apiRequest, second)
	g.POST("/access-requests/:id/extension", s.apiExtendRequest, po)
	g.GET("/access-requests/:id/report", s.apiRequestReport, po)
	g.POST("/access-requests/:id/release", s.apiReleaseRequest, po)
	g.POST("/access-requests/:id/approve", s.apiApproveRelease, second)
	g.POST("/access-requests/:id/close", s.apiCloseRequest, po)
	g.GET("/access-requests/:id/youth-report", s.apiYouthReport, po)
	g.POST("/access-requests/:id/releases", s.apiReleaseContact, po)
	g.GET("/access-requests/:id/erasure-plan", s.apiErasurePlan, po)
	g.POST("/access-requests/:id/erasure", s.apiEraseOnRequest, po)
	g.POST("/access-requests/:id/erasure-refusal", s.apiRefuseErasure, po)
	g.GET("/access-requests/:id/erasure-receipt", s.apiErasureReceipt, po)
	g.GET("/access-requests/:id/restriction", s.apiRestriction, po)
	g.POST("/access-requests/:id/restriction", s.apiRestrict, po)
	g.DELETE("/access-requests/:id/restriction", s.apiLiftRestriction, po)
	g.GET("/four-eyes", s.apiFourEyes, second)
	g.PUT("/four-eyes", s.apiSetFourEyes, s.RequireRole(signal.RoleAdmin))
}

// onRequest runs one request use case on the id in the path for the
// signed-in actor, and returns its result and the id.
func onRequest[T any](c echo.Context, f func(context.Context, signal.Actor, string) (T, error)) (T, string, error) {
	var v T
	id, err := requestParam(c)
	if err != nil {
		return v, "", err
	}
	v, err = f(c.Request().Context(), signalActor(c), id)
	return v, id, err
}

// requestIDPattern is the shape of a request id (signal.NewID("req")).
var requestIDPattern = regexp.MustCompile(`^req_[a-z2-7]{16}$`)

func requestParam(c echo.Context) (string, error) {
	id := c.Param("id")
	if !requestIDPattern.MatchString(id) {
		return "", signal.Invalid(signal.FieldError{Field: "id", Problem: "must be a request id (req_…)"})
	}
	return id, nil
}

// apiRegisterRequest: POST /api/v1/privacy/access-requests {"youth": {"name",
// "birth_date"}, "requester", "received_on"} -> 201 the request.
func (s *Server) apiRegisterRequest(c echo.Context) error {
	var f signal.RequestForm
	if err := Decode(c, &f); err != nil {
		return err
	}
	r, err := s.privacy.RegisterRequest(c.Request().Context(), signalActor(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, r)
}

// apiRequests: GET /api/v1/privacy/access-requests.
func (s *Server) apiRequests(c echo.Context) error {
	list, err := s.privacy.Requests(c.Request().Context(), signalActor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"requests": list})
}

// withRequest runs one request use case on the id in the path.
func (s *Server) withRequest(c echo.Context, status int, f func(id string) (signal.AccessRequest, error)) error {
	id, err := requestParam(c)
	if err != nil {
		return err
	}
	r, err := f(id)
	if err != nil {
		return err
	}
	return c.JSON(status, r)
}

// apiRequest: GET /api/v1/privacy/access-requests/{id}.
func (s *Server) apiRequest(c echo.Context) error {
	return s.withRequest(c, http.StatusOK, func(id string) (signal.AccessRequest, error) {
		return s.privacy.Request(c.Request().Context(), signalActor(c), id)
	})
}

// apiExtendRequest: POST /api/v1/privacy/access-requests/{id}/extension {"reason"}.
func (s *Server) apiExtendRequest(c echo.Context) error {
	var body struct {
		Reason signal.ExtensionReason `json:"reason"`
	}
	if err := Decode(c, &body); err != nil {
		return err
	}
	return s.withRequest(c, http.StatusOK, func(id string) (signal.AccessRequest, error) {
		return s.privacy.ExtendRequest(c.Request().Context(), signalActor(c), id, body.Reason)
	})
}

// apiReleaseRequest: POST /api/v1/privacy/access-requests/{id}/release.
func (s *Server) apiReleaseRequest(c echo.Context) error {
	return s.withRequest(c, http.StatusOK, func(id string) (signal.AccessRequest, error) {
		return s.privacy.ReleaseRequest(c.Request().Context(), signalActor(c), id)
	})
}

// apiApproveRelease: POST /api/v1/privacy/access-requests/{id}/approve.
func (s *Server) apiApproveRelease(c echo.Context) error {
	return s.withRequest(c, http.StatusOK, func(id string) (signal.AccessRequest, error) {
		return s.privacy.ApproveRelease(c.Request().Context(), signalActor(c), id)
	})
}

// apiCloseRequest: POST /api/v1/privacy/access-requests/{id}/close.
func (s *Server) apiCloseRequest(c echo.Context) error {
	return s.withRequest(c, http.StatusOK, func(id string) (signal.AccessRequest, error) {
		return s.privacy.CloseRequest(c.Request().Context(), signalActor(c), id)
	})
}

// apiRequestReport: GET /api/v1/privacy/access-requests/{id}/report?reason=assess|copy:
// the access report with content, read inside the request (audited).
func (s *Server) apiRequestReport(c echo.Context) error {
	id, err := requestParam(c)
	if err != nil {
		return err
	}
	rep, err := s.privacy.RequestReport(c.Request().Context(), signalActor(c), id, signal.ReadReason(c.QueryParam("reason")))
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `inline; filename="inzageverzoek.json"`)
	return c.JSON(http.StatusOK, rep)
}

// apiYouthReport: GET /api/v1/privacy/access-requests/{id}/youth-report:
// the young person's copy as a JSON file (a content read, reason copy).
func (s *Server) apiYouthReport(c echo.Context) error {
	rep, _, err := onRequest(c, s.privacy.YouthReport)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="signaal-inzage.json"`)
	return c.JSON(http.StatusOK, rep)
}

// apiReleaseContact: POST /api/v1/privacy/access-requests/{id}/releases
// {"signal_id"}: the reporting organisation's contact person is named in
// the young person's copy from now on.
func (s *Server) apiReleaseContact(c echo.Context) error {
	var body struct {
		SignalID string `json:"signal_id"`
	}
	if err := Decode(c, &body); err != nil {
		return err
	}
	if body.SignalID == "" {
		return signal.Invalid(signal.FieldError{Field: "signal_id", Problem: "is required: whose contact person is released"})
	}
	return s.withRequest(c, http.StatusOK, func(id string) (signal.AccessRequest, error) {
		return s.privacy.ReleaseContact(c.Request().Context(), signalActor(c), id, body.SignalID)
	})
}

// apiErasurePlan: GET /api/v1/privacy/access-requests/{id}/erasure-plan:
// what an erasure would take away, counted per kind, and its fingerprint.
func (s *Server) apiErasurePlan(c echo.Context) error {
	plan, _, err := onRequest(c, s.privacy.ErasurePlan)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, plan)
}

// apiEraseOnRequest: POST /api/v1/privacy/access-requests/{id}/erasure
// {"reason", "fingerprint"} -> the receipt.
func (s *Server) apiEraseOnRequest(c echo.Context) error {
	id, err := requestParam(c)
	if err != nil {
		return err
	}
	var body struct {
		Reason      signal.ErasureReason `json:"reason"`
		Fingerprint string               `json:"fingerprint"`
	}
	if err := Decode(c, &body); err != nil {
		return err
	}
	ctx, actor := c.Request().Context(), signalActor(c)
	if _, err := s.privacy.EraseOnRequest(ctx, actor, id, body.Reason, body.Fingerprint); err != nil {
		return err
	}
	rc, err := s.privacy.ErasureReceipt(ctx, actor, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rc)
}

// apiRefuseErasure: POST /api/v1/privacy/access-requests/{id}/erasure-refusal
// {"ground"} -> the receipt.
func (s *Server) apiRefuseErasure(c echo.Context) error {
	id, err := requestParam(c)
	if err != nil {
		return err
	}
	var body struct {
		Ground signal.RefusalGround `json:"ground"`
	}
	if err := Decode(c, &body); err != nil {
		return err
	}
	ctx, actor := c.Request().Context(), signalActor(c)
	if _, err := s.privacy.RefuseErasure(ctx, actor, id, body.Ground); err != nil {
		return err
	}
	rc, err := s.privacy.ErasureReceipt(ctx, actor, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rc)
}

// apiErasureReceipt: GET /api/v1/privacy/access-requests/{id}/erasure-receipt:
// the receipt for the file as a JSON file.
func (s *Server) apiErasureReceipt(c echo.Context) error {
	rc, id, err := onRequest(c, s.privacy.ErasureReceipt)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="signaal-ontvangstbewijs-`+id+`.json"`)
	return c.JSON(http.StatusOK, rc)
}

// apiRestriction: GET /api/v1/privacy/access-requests/{id}/restriction ->
// {"restricted", "restriction"?}.
func (s *Server) apiRestriction(c echo.Context) error {
	id, err := requestParam(c)
	if err != nil {
		return err
	}
	r, err := s.privacy.Restriction(c.Request().Context(), signalActor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"restricted": r != nil, "restriction": r})
}

// apiRestrict: POST /api/v1/privacy/access-requests/{id}/restriction
// {"ground"}: restrict the young person's data (art. 18).
func (s *Server) apiRestrict(c echo.Context) error {
	id, err := requestParam(c)
	if err != nil {
		return err
	}
	var body struct {
		Ground signal.RestrictionGround `json:"ground"`
	}
	if err := Decode(c, &body); err != nil {
		return err
	}
	r, err := s.privacy.Restrict(c.Request().Context(), signalActor(c), id, body.Ground)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"restricted": true, "restriction": r})
}

// apiLiftRestriction: DELETE /api/v1/privacy/access-requests/{id}/restriction.
func (s *Server) apiLiftRestriction(c echo.Context) error {
	id, err := requestParam(c)
	if err != nil {
		return err
	}
	if err := s.privacy.LiftRestriction(c.Request().Context(), signalActor(c), id); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"restricted": false})
}

// apiFourEyes: GET /api/v1/privacy/four-eyes -> {"four_eyes"}.
func (s *Server) apiFourEyes(c echo.Context) error {
	on, err := s.privacy.FourEyes(c.Request().Context(), signalActor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]bool{"four_eyes": on})
}

// apiSetFourEyes: PUT /api/v1/privacy/four-eyes {"four_eyes": bool}.
func (s *Server) apiSetFourEyes(c echo.Context) error {
	var body struct {
		FourEyes *bool `json:"four_eyes"`
	}
	if err := Decode(c, &body); err != nil {
		return err
	}
	if body.FourEyes == nil {
		return signal.Invalid(signal.FieldError{Field: "four_eyes", Problem: "is required: true or false"})
	}
	if err := s.privacy.SetFourEyes(c.Request().Context(), signalActor(c), *body.FourEyes); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]bool{"four_eyes": *body.FourEyes})
}

// refuseContent refuses content asked outside a registered request
// (audited as access.denied).
func (s *Server) refuseContent(c echo.Context, subject string) error {
	return s.privacy.RefuseContent(c.Request().Context(), signalActor(c), subject)
}
