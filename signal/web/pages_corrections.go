package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/signaal-nl/signaal/signal"
)

// Corrections and their history (issue 16 item 4): one page per action or
// decision shows every version (Meetings.RecordHistory, audited) with,
// for the coordinator, the form that writes the next one. A closed case is
// reopened from the young person's chronology, with a reason and a
// confirmation.

// recordKinds maps the page's word for a record to its kind.
var recordKinds = map[string]signal.RecordKind{"actie": signal.RecordAction, "besluit": signal.RecordDecision}

type historyData struct {
	Meeting  *signal.Meeting
	History  signal.RecordHistory
	What     string // "actie" or "besluit"
	People   []signal.Professional
	Kinds    []signal.DecisionKind
	Reasons  []signal.CorrectionReason
	Current  signal.RecordVersionView
	BackItem string // the young person on the meeting's page
}

// historyPage: GET /overleg/{id}/geschiedenis/{actie|besluit}/{rid}: every
// version of the record, the current one last, and the correction form.
func (s *Server) historyPage(c echo.Context) error {
	return s.renderHistory(c, http.StatusOK, nil, nil)
}

func (s *Server) renderHistory(c echo.Context, status int, problems []FormError, form map[string][]string) error {
	kind, ok := recordKinds[c.Param("what")]
	if !ok {
		return echo.ErrNotFound
	}
	return s.withMeetings(c, func(m *signal.Meetings, actor signal.Actor) error {
		ctx := c.Request().Context()
		d, err := m.Get(ctx, actor, c.Param("id"))
		if err != nil {
			return err
		}
		h, err := m.RecordHistory(ctx, actor, kind, c.Param("rid"))
		if err != nil {
			return err
		}
		data := historyData{Meeting: d.Meeting, History: h, What: c.Param("what"), People: d.Professionals, Kinds: signal.DecisionKinds,
			Reasons: signal.CorrectionReasons, Current: h.Versions[len(h.Versions)-1],
			BackItem: "/overleg/" + d.Meeting.ID + "/jongere/" + h.Ref}
		v := s.view(c, "meeting.history.title", data)
		v.Errors, v.Form = problems, form
		if form == nil { // the form starts from the current version
			cur := data.Current
			v.Form = url.Values{"version": {strconv.Itoa(cur.Version)}, "text": {cur.Text}, "kind": {string(cur.DecisionKind)}}
			if cur.Owner != nil {
				v.Form.Set("owner_id", cur.Owner.UserID)
			}
			if cur.Due != nil {
				v.Form.Set("due_on", cur.Due.String())
			}
		}
		return s.render(c, status, "meeting_history", v)
	})
}

// correctionSubmit: POST /overleg/{id}/geschiedenis/{actie|besluit}/{rid}
// (owner_id, text, due_on | kind, text; reason; version): the next
// version. Problems re-render the page with the posted values.
func (s *Server) correctionSubmit(c echo.Context) error {
	kind, ok := recordKinds[c.Param("what")]
	if !ok {
		return echo.ErrNotFound
	}
	return s.withForm(c, s.renderHistory, func(m *signal.Meetings, actor signal.Actor, f url.Values, v *View) ([]FormError, string, error) {
		ctx, id := c.Request().Context(), c.Param("rid")
		version, _ := strconv.Atoi(f.Get("version"))
		reason := signal.CorrectionReason(f.Get("reason"))
		var err error
		switch kind {
		case signal.RecordAction:
			_, err = m.CorrectAction(ctx, actor, id, signal.ActionCorrection{OwnerID: f.Get("owner_id"), Description: f.Get("text"),
				Due: f.Get("due_on"), Reason: reason, Version: version})
		case signal.RecordDecision:
			_, err = m.CorrectDecision(ctx, actor, id, signal.DecisionCorrection{Kind: signal.DecisionKind(f.Get("kind")), Text: f.Get("text"),
				Reason: reason, Version: version})
		}
		var se *signal.Error
		switch {
		case errors.As(err, &se) && se.Code == signal.CodeInvalid:
			var problems []FormError
			for _, fe := range se.Fields {
				name := fe.Field
				if name == "description" {
					name = "text"
				}
				base := fe.Field
				if base == "reason" {
					base = "correction_reason" // not the closing's reason
				}
				problems = append(problems, FormError{name, meetingProblem(v, base, fe.Problem)})
			}
			return problems, "", nil
		case errors.As(err, &se) && se.Code == signal.CodeConflict:
			return []FormError{{"text", v.T("meeting.err.correction.conflict")}}, "", nil
		case err != nil:
			return nil, "", err
		}
		return nil, "/overleg/" + c.Param("id") + "/geschiedenis/" + c.Param("what") + "/" + id + "#versies", nil
	})
}

// caseReopenSubmit: POST /overleg/{id}/jongere/{ref}/heropenen (reason,
// reopen_confirm=1): the closed case runs again and is on the next agenda;
// its closing stays in the chronology. Without the confirmation or a
// reason nothing changes.
func (s *Server) caseReopenSubmit(c echo.Context) error {
	return s.withForm(c, s.renderChronology, func(m *signal.Meetings, actor signal.Actor, f url.Values, v *View) ([]FormError, string, error) {
		var problems []FormError
		if f.Get("reason") == "" {
			problems = append(problems, FormError{"reason", v.T("meeting.err.casereopen.required")})
		}
		if f.Get("reopen_confirm") != "1" {
			problems = append(problems, FormError{"reopen_confirm", v.T("meeting.err.casereopen.confirm")})
		}
		if len(problems) > 0 {
			return problems, "", nil
		}
		_, err := m.ReopenCase(c.Request().Context(), actor, c.Param("ref"), signal.CaseReopenReason(f.Get("reason")))
		var se *signal.Error
		if errors.As(err, &se) && se.Code == signal.CodeInvalid {
			return []FormError{{"reason", v.T("meeting.err.casereopen.required")}}, "", nil
		} else if err != nil {
			return nil, "", err
		}
		return nil, "/overleg/" + c.Param("id") + "/jongere/" + c.Param("ref") + "/verloop", nil
	})
}

// withForm runs a page's form post: fn gets the parsed form and a view for
// the words of its problems; problems re-render the page (rerender, 400)
// with the posted values, none go on to next.
func (s *Server) withForm(c echo.Context, rerender func(echo.Context, int, []FormError, map[string][]string) error,
	fn func(m *signal.Meetings, actor signal.Actor, f url.Values, v *View) (problems []FormError, next string, err error)) error {
	return s.withMeetings(c, func(m *signal.Meetings, actor signal.Actor) error {
		f, err := c.FormParams()
		if err != nil {
			return signal.Errorf(signal.CodeInvalid, "unreadable form")
		}
		problems, next, err := fn(m, actor, f, s.view(c, "", nil))
		if err != nil {
			return err
		}
		if len(problems) > 0 {
			return rerender(c, http.StatusBadRequest, problems, f)
		}
		return redirect(c, next)
	})
}

// riskCorrectionSubmit: POST /overleg/{id}/knelpunt/{rid}/tekst
// (risktext-<rid>, reason, version): the risk's next text; the earlier one
// is kept. Problems re-render the agenda with the field named.
func (s *Server) riskCorrectionSubmit(c echo.Context) error {
	return s.withForm(c, s.renderAgenda, func(m *signal.Meetings, actor signal.Actor, f url.Values, v *View) ([]FormError, string, error) {
		rid := c.Param("rid")
		name := "risktext-" + rid
		version, _ := strconv.Atoi(f.Get("version"))
		_, err := m.CorrectRisk(c.Request().Context(), actor, c.Param("id"), rid, f.Get(name), signal.CorrectionReason(f.Get("reason")), version)
		var se *signal.Error
		switch {
		case errors.As(err, &se) && se.Code == signal.CodeInvalid:
			var problems []FormError
			for _, fe := range se.Fields {
				base := "risk"
				if fe.Field == "reason" {
					base = "correction_reason"
				}
				problems = append(problems, FormError{name, meetingProblem(v, base, fe.Problem)})
			}
			return problems, "", nil
		case err != nil:
			return nil, "", err
		}
		return nil, "/overleg/" + c.Param("id") + "#risico-" + rid, nil
	})
}
