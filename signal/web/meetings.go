package web

import (
	"bytes"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"
	"github.com/signaal-nl/signaal/signal"
)

// meetingRoutes registers the signal meeting's JSON API on the
// authenticated group. The coordinator (chair) plans meetings, reads the
// agenda and records leads, actions, decisions, risks and closings; the
// members' contact persons read the minutes; reporters see their matches
// and the outcomes of their signals; the coordinator and the privacy
// officer read the evaluation.
func (s *Server) meetingRoutes(authed *echo.Group) {
	chair := s.RequireRole(signal.RoleCoordinator)
	members := s.RequireRole(signal.RoleCoordinator, signal.RoleReporter)
	reporters := s.RequireRole(signal.RoleReporter)
	evaluators := s.RequireRole(signal.RoleCoordinator, signal.RolePrivacyOfficer)
	authed.GET("/meetings", s.listMeetings, members)
	authed.POST("/meetings", s.planMeeting, chair)
	authed.GET("/meetings/:id", s.getMeeting, chair)
	authed.GET("/meetings/:id/agenda", s.getAgenda, chair)
	authed.GET("/meetings/:id/contents", s.getContents, chair)
	authed.GET("/meetings/:id/items/:ref", s.getItem, chair)
	authed.GET("/chronology/:ref", s.getChronology, chair)
	authed.GET("/meetings/:id/minutes", s.getMinutes, members)
	authed.POST("/meetings/:id/items/:ref/lead", s.assignLead, chair)
	authed.POST("/meetings/:id/items/:ref/actions", s.addAction, chair)
	authed.POST("/meetings/:id/items/:ref/decisions", s.addDecision, chair)
	authed.POST("/meetings/:id/items/:ref/close", s.closeCase, chair)
	authed.POST("/meetings/:id/risks", s.addRisk, chair)
	authed.POST("/meetings/:id/attendance", s.recordAttendance, chair)
	authed.POST("/meetings/:id/risks/:rid", s.updateRisk, chair)
	authed.POST("/meetings/:id/risks/:rid/corrections", s.correctRisk, chair)
	authed.POST("/meetings/:id/reopen", s.reopenMeeting, chair)
	authed.POST("/meetings/:id/held", s.holdMeeting, chair)
	authed.POST("/meetings/:id/move", s.moveMeeting, chair)
	authed.POST("/meetings/:id/cancel", s.cancelMeeting, chair)
	authed.POST("/meetings/:id/matches", s.decideMatch, chair)
	authed.PATCH("/actions/:id", s.updateAction, members)
	authed.POST("/actions/:id/corrections", s.correctAction, chair)
	authed.POST("/decisions/:id/corrections", s.correctDecision, chair)
	authed.GET("/actions/:id/history", s.recordHistory(signal.RecordAction), chair)
	authed.GET("/decisions/:id/history", s.recordHistory(signal.RecordDecision), chair)
	authed.POST("/chronology/:ref/reopen", s.reopenCase, chair)
	authed.GET("/matches", s.listMatches, reporters)
	authed.GET("/outcomes", s.listOutcomes, reporters)
	authed.GET("/evaluation", s.getEvaluation, evaluators)
	authed.GET("/evaluation.csv", s.exportEvaluation, evaluators)
}

func (s *Server) meetingsService() (*signal.Meetings, error) {
	if s.meetings == nil {
		return nil, signal.Errorf(signal.CodeUnavailable, "the signal meeting is not available on this server")
	}
	return s.meetings, nil
}

// meetingsHandler adapts a handler that needs the meetings service.
func (s *Server) withMeetings(c echo.Context, fn func(m *signal.Meetings, actor signal.Actor) error) error {
	m, err := s.meetingsService()
	if err != nil {
		return err
	}
	return fn(m, signalActor(c))
}

type meetingList struct {
	Meetings []*signal.Meeting `json:"meetings"`
}

// listMeetings: GET /api/v1/meetings, latest first: every meeting for the
// coordinator, the meetings whose minutes a member's contact person gets.
func (s *Server) listMeetings(c echo.Context) error {
	return s.withMeetings(c, func(m *signal.Meetings, actor signal.Actor) error {
		list, err := m.List(c.Request().Context(), actor)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, meetingList{Meetings: list})
	})
}

// planMeeting: POST /api/v1/meetings {"title", "starts_at", "members"}.
func (s *Server) planMeeting(c echo.Context) error {
	return s.withMeetings(c, func(m *signal.Meetings, actor signal.Actor) error {
		var in signal.NewMeeting
		if err := Decode(c, &in); err != nil {
			return err
		}
		mt, err := m.Plan(c.Request().Context(), actor, in)
		if err != nil {
			return err
		}
		c.Response().Header().Set(echo.HeaderLocation, "/api/v1/meetings/"+mt.ID)
		return c.JSON(http.StatusCreated, mt)
	})
}

// getMeeting: GET /api/v1/meetings/{id}: the meeting, its members, the
// professionals who can take on work, the risks (audited meeting.view).
func (s *Server) getMeeting(c echo.Context) error {
	return s.withMeetings(c, func(m *signal.Meetings, actor signal.Actor) error {
		d, err := m.Get(c.Request().Context(), actor, c.Param("id"))
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, d)
	})
}

// getAgenda: GET /api/v1/meetings/{id}/agenda[?view=projector], audited
// per young person shown, with the signals and levels shown.
func (s *Server) getAgenda(c echo.Context) error {
	return s.withMeetings(c, func(m *signal.Meetings, actor signal.Actor) error {
		projector := false
		switch c.QueryParam("view") {
		case "", "chair":
		case "projector":
			projector = true
		default:
			return signal.Invalid(signal.FieldError{Field: "view", Problem: "must be chair or projector"})
		}
		ag, err := m.Agenda(c.Request().Context(), actor, c.Param("id"), projector)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, ag)
	})
}

// getContents: GET /api/v1/meetings/{id}/contents, the contents list
// (audited as one agenda.contents entry).
func (s *Server) getContents(c echo.Context) error {
	return s.withMeetings(c, func(m *signal.Meetings, actor signal.Actor) error {
		f, err := contentsFilter(c.QueryParams())
		if err != nil {
			return err
		}
		out, err := m.Contents(c.Request().Context(), actor, c.Param("id"), f)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, out)
	})
}

// getItem: GET /api/v1/meetings/{id}/items/{ref}, one young person opened
// (audited agenda.open, or agenda.reopen when unchanged).
func (s *Server) getItem(c echo.Context) error {
	return s.withMeetings(c, func(m *signal.Meetings, actor signal.Actor) error {
		it, err := m.OpenItem(c.Request().Context(), actor, c.Param("id"), c.Param("ref"))
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, it)
	})
}

// getChronology: GET /api/v1/chronology/{ref}, one young person across
// meetings (audited chronology.view).
func (s *Server) getChronology(c echo.Context) error {
	return s.withMeetings(c, func(m *signal.Meetings, actor signal.Actor) error {
		ch, err := m.Chronology(c.Request().Context(), actor, c.Param("ref"))
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, ch)
	})
}

// contentsFilter reads the contents list's filter from a query (the API's
// and the page's): section, level, partner, and match, open and overdue as
// booleans ("true", "1"; "false", "0" or absent).
func contentsFilter(q url.Values) (signal.ContentsFilter, error) {
	f := signal.ContentsFilter{Section: signal.AgendaSection(q.Get("section")), Level: signal.Level(q.Get("level")),
		Partner: q.Get("partner")}
	var fe signal.FieldErrors
	for _, b := range []struct {
		name string
		dst  *bool
	}{{"match", &f.Match}, {"open", &f.Open}, {"overdue", &f.Overdue}} {
		switch q.Get(b.name) {
		case "", "false", "0":
		case "true", "1":
			*b.dst = true
		default:
			fe.Add(b.name, "must be true or false")
		}
	}
	if err := fe.Err(); err != nil {
		return f, err
	}
	return f, f.Validate()
}

// getMinutes: GET /api/v1/meetings/{id}/minutes (audited minutes.view).
func (s *Server) getMinutes(c echo.Context) error {
	return s.withMeetings(c, func(m *signal.Meetings, actor signal.Actor) error {
		mn, err := m.Minutes(c.Request().Context(), actor, c.Param("id"))
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, mn)
	})
}

type leadRequest struct {
	UserID string `json:"user_id"`
}

// assignLead: POST /api/v1/meetings/{id}/items/{ref}/lead {"user_id"}.
func (s *Server) assignLead(c echo.Context) error {
	return s.withMeetings(c, func(m *signal.Meetings, actor signal.Actor) error {
		var req leadRequest
		if err := Decode(c, &req); err != nil {
			return err
		}
		lead, err := m.AssignLead(c.Request().Context(), actor, c.Param("id"), c.Param("ref"), req.UserID)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, lead)
	})
}

// addAction: POST /api/v1/meetings/{id}/items/{ref}/actions
// {"owner_id", "description", "due_on"}.
func (s *Server) addAction(c echo.Context) error {
	return s.withMeetings(c, func(m *signal.Meetings, actor signal.Actor) error {
		var in signal.NewAction
		if err := Decode(c, &in); err != nil {
			return err
		}
		in.Key = c.Request().Header.Get(HeaderIdempotencyKey)
		a, err := m.AddAction(c.Request().Context(), actor, c.Param("id"), c.Param("ref"), in)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusCreated, a)
	})
}

// addDecision: POST /api/v1/meetings/{id}/items/{ref}/decisions
// {"kind": "act"|"no_action", "text"}.
func (s *Server) addDecision(c echo.Context) error {
	return s.withMeetings(c, func(m *signal.Meetings, actor signal.Actor) error {
		var in signal.NewDecision
		if err := Decode(c, &in); err != nil {
			return err
		}
		in.Key = c.Request().Header.Get(HeaderIdempotencyKey)
		d, err := m.Decide(c.Request().Context(), actor, c.Param("id"), c.Param("ref"), in)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusCreated, d)
	})
}

type closeRequest struct {
	Reason signal.CloseReason `json:"reason"`
}

// closeCase: POST /api/v1/meetings/{id}/items/{ref}/close {"reason"}.
func (s *Server) closeCase(c echo.Context) error {
	return s.withMeetings(c, func(m *signal.Meetings, actor signal.Actor) error {
		var req closeRequest
		if err := Decode(c, &req); err != nil {
			return err
		}
		if err := m.CloseCase(c.Request().Context(), actor, c.Param("id"), c.Param("ref"), req.Reason); err != nil {
			return err
		}
		return c.NoContent(http.StatusNoContent)
	})
}

type riskRequest struct {
	Text string `json:"text"`
}

// addRisk: POST /api/v1/meetings/{id}/risks {"text"}.
func (s *Server) addRisk(c echo.Context) error {
	return s.withMeetings(c, func(m *signal.Meetings, actor signal.Actor) error {
		var req riskRequest
		if err := Decode(c, &req); err != nil {
			return err
		}
		r, err := m.AddRisk(c.Request().Context(), actor, c.Param("id"), req.Text, c.Request().Header.Get(HeaderIdempotencyKey))
		if err != nil {
			return err
		}
		return c.JSON(http.StatusCreated, r)
	})
}

type attendanceRequest struct {
	// Attendance is the status per member organisation id.
	Attendance map[string]signal.AttendanceStatus `json:"attendance"`
}

// recordAttendance: POST /api/v1/meetings/{id}/attendance
// {"attendance": {"<org id>": "present"|"apologies"|"absent"}}.
func (s *Server) recordAttendance(c echo.Context) error {
	return s.withMeetings(c, func(m *signal.Meetings, actor signal.Actor) error {
		var req attendanceRequest
		if err := Decode(c, &req); err != nil {
			return err
		}
		if err := m.RecordAttendance(c.Request().Context(), actor, c.Param("id"), req.Attendance); err != nil {
			return err
		}
		return c.NoContent(http.StatusNoContent)
	})
}

type riskUpdateRequest struct {
	OwnerID string            `json:"owner_id"`
	Status  signal.RiskStatus `json:"status"`
}

// updateRisk: POST /api/v1/meetings/{id}/risks/{rid} {"owner_id", "status"}.
func (s *Server) updateRisk(c echo.Context) error {
	return s.withMeetings(c, func(m *signal.Meetings, actor signal.Actor) error {
		var req riskUpdateRequest
		if err := Decode(c, &req); err != nil {
			return err
		}
		r, err := m.UpdateRisk(c.Request().Context(), actor, c.Param("id"), c.Param("rid"), req.OwnerID, req.Status)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, r)
	})
}

type reopenRequest struct {
	Reason signal.ReopenReason `json:"reason"`
}

// reopenMeeting: POST /api/v1/meetings/{id}/reopen {"reason": ...}.
func (s *Server) reopenMeeting(c echo.Context) error {
	return s.withMeetings(c, func(m *signal.Meetings, actor signal.Actor) error {
		var req reopenRequest
		if err := Decode(c, &req); err != nil {
			return err
		}
		mt, err := m.Reopen(c.Request().Context(), actor, c.Param("id"), req.Reason)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, mt)
	})
}

// holdMeeting: POST /api/v1/meetings/{id}/held: the meeting is over, its
// minutes final.
func (s *Server) holdMeeting(c echo.Context) error {
	return s.withMeetings(c, func(m *signal.Meetings, actor signal.Actor) error {
		mt, err := m.Hold(c.Request().Context(), actor, c.Param("id"))
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, mt)
	})
}

type moveRequest struct {
	StartsAt string `json:"starts_at"`
}

// moveMeeting: POST /api/v1/meetings/{id}/move {"starts_at"}.
func (s *Server) moveMeeting(c echo.Context) error {
	return s.withMeetings(c, func(m *signal.Meetings, actor signal.Actor) error {
		var req moveRequest
		if err := Decode(c, &req); err != nil {
			return err
		}
		mt, err := m.Move(c.Request().Context(), actor, c.Param("id"), req.StartsAt)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, mt)
	})
}

// cancelMeeting: POST /api/v1/meetings/{id}/cancel: the meeting will not
// take place; its items go to the next meeting held.
func (s *Server) cancelMeeting(c echo.Context) error {
	return s.withMeetings(c, func(m *signal.Meetings, actor signal.Actor) error {
		mt, err := m.Cancel(c.Request().Context(), actor, c.Param("id"))
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, mt)
	})
}

type matchRequest struct {
	A    string `json:"a"`
	B    string `json:"b"`
	Same *bool  `json:"same"`
}

// decideMatch: POST /api/v1/meetings/{id}/matches {"a", "b", "same"}: the
// coordinator's answer to a proposed match between two agenda items.
func (s *Server) decideMatch(c echo.Context) error {
	return s.withMeetings(c, func(m *signal.Meetings, actor signal.Actor) error {
		var req matchRequest
		if err := Decode(c, &req); err != nil {
			return err
		}
		if req.Same == nil {
			return signal.Invalid(signal.FieldError{Field: "same", Problem: "is required: true (one young person) or false"})
		}
		if _, err := m.DecideMatch(c.Request().Context(), actor, c.Param("id"), req.A, req.B, *req.Same); err != nil {
			return err
		}
		return c.NoContent(http.StatusNoContent)
	})
}

type actionUpdate struct {
	Done *bool `json:"done"`
}

// updateAction: PATCH /api/v1/actions/{id} {"done": true|false}, by the
// coordinator or the action's owner.
func (s *Server) updateAction(c echo.Context) error {
	return s.withMeetings(c, func(m *signal.Meetings, actor signal.Actor) error {
		var req actionUpdate
		if err := Decode(c, &req); err != nil {
			return err
		}
		if req.Done == nil {
			return signal.Invalid(signal.FieldError{Field: "done", Problem: "is required: true or false"})
		}
		a, err := m.SetActionDone(c.Request().Context(), actor, c.Param("id"), *req.Done)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, a)
	})
}

type matchList struct {
	Matches []signal.Match `json:"matches"`
}

// listMatches: GET /api/v1/matches: the reporter's matches with other
// partners' contact details only.
func (s *Server) listMatches(c echo.Context) error {
	return s.withMeetings(c, func(m *signal.Meetings, actor signal.Actor) error {
		ms, err := m.Matches(c.Request().Context(), actor)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, matchList{Matches: ms})
	})
}

// listOutcomes: GET /api/v1/outcomes: what became of the reporter's
// signals, their matches, and the actions they own.
func (s *Server) listOutcomes(c echo.Context) error {
	return s.withMeetings(c, func(m *signal.Meetings, actor signal.Actor) error {
		w, err := m.Work(c.Request().Context(), actor)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, w)
	})
}

// quarterParam reads the query parameter name (?quarter=2026-Q4 in the
// API, ?kwartaal= on the page); default the last ended quarter.
func (s *Server) quarterParam(c echo.Context, name string) (signal.Quarter, error) {
	v := c.QueryParam(name)
	if v == "" {
		return signal.LastEndedQuarter(s.now()), nil
	}
	return signal.ParseQuarter(v)
}

// getEvaluation: GET /api/v1/evaluation?quarter=2026-Q4.
func (s *Server) getEvaluation(c echo.Context) error {
	return s.withMeetings(c, func(m *signal.Meetings, actor signal.Actor) error {
		q, err := s.quarterParam(c, "quarter")
		if err != nil {
			return err
		}
		ev, err := m.Evaluation(c.Request().Context(), actor, q, signal.ActionEvaluationView)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, ev)
	})
}

// exportEvaluation: GET /api/v1/evaluation.csv?quarter=2026-Q4, for the
// municipality (audited evaluation.export).
func (s *Server) exportEvaluation(c echo.Context) error {
	return s.withMeetings(c, func(m *signal.Meetings, actor signal.Actor) error {
		q, err := s.quarterParam(c, "quarter")
		if err != nil {
			return err
		}
		ev, err := m.Evaluation(c.Request().Context(), actor, q, signal.ActionEvaluationCSV)
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := writeEvaluationCSV(&buf, ev); err != nil {
			return err
		}
		c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="evaluatie-`+q.String()+`.csv"`)
		return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
	})
}

// correctAction: POST /api/v1/actions/{id}/corrections {"owner_id",
// "description", "due_on", "reason", "version"}: the action's next version.
func (s *Server) correctAction(c echo.Context) error {
	return s.withMeetings(c, func(m *signal.Meetings, actor signal.Actor) error {
		var req signal.ActionCorrection
		if err := Decode(c, &req); err != nil {
			return err
		}
		a, err := m.CorrectAction(c.Request().Context(), actor, c.Param("id"), req)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, a)
	})
}

// correctDecision: POST /api/v1/decisions/{id}/corrections {"kind", "text",
// "reason", "version"}: the decision's next version.
func (s *Server) correctDecision(c echo.Context) error {
	return s.withMeetings(c, func(m *signal.Meetings, actor signal.Actor) error {
		var req signal.DecisionCorrection
		if err := Decode(c, &req); err != nil {
			return err
		}
		d, err := m.CorrectDecision(c.Request().Context(), actor, c.Param("id"), req)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, d)
	})
}

// recordHistory: GET /api/v1/{actions|decisions}/{id}/history: every
// version, oldest first (audited record.history).
func (s *Server) recordHistory(kind signal.RecordKind) echo.HandlerFunc {
	return func(c echo.Context) error {
		return s.withMeetings(c, func(m *signal.Meetings, actor signal.Actor) error {
			h, err := m.RecordHistory(c.Request().Context(), actor, kind, c.Param("id"))
			if err != nil {
				return err
			}
			return c.JSON(http.StatusOK, h)
		})
	}
}

type caseReopenRequest struct {
	Reason signal.CaseReopenReason `json:"reason"`
}

// reopenCase: POST /api/v1/chronology/{ref}/reopen {"reason": ...}: the
// closed case of the item runs again; its closing is kept.
func (s *Server) reopenCase(c echo.Context) error {
	return s.withMeetings(c, func(m *signal.Meetings, actor signal.Actor) error {
		var req caseReopenRequest
		if err := Decode(c, &req); err != nil {
			return err
		}
		cv, err := m.ReopenCase(c.Request().Context(), actor, c.Param("ref"), req.Reason)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, cv)
	})
}

type riskCorrection struct {
	Text    string                  `json:"text"`
	Reason  signal.CorrectionReason `json:"reason"`
	Version int                     `json:"version"`
}

// correctRisk: POST /api/v1/meetings/{id}/risks/{rid}/corrections {"text",
// "reason", "version"}: the risk's next text, the earlier one kept.
func (s *Server) correctRisk(c echo.Context) error {
	return s.withMeetings(c, func(m *signal.Meetings, actor signal.Actor) error {
		var req riskCorrection
		if err := Decode(c, &req); err != nil {
			return err
		}
		r, err := m.CorrectRisk(c.Request().Context(), actor, c.Param("id"), c.Param("rid"), req.Text, req.Reason, req.Version)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, r)
	})
}
