package web

import (
	"errors"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/signaal-nl/signaal/signal"
)

// The signal meeting's pages (issue 6), for the coordinator's laptop and the
// projector in the room, and the reporter's feedback. Every page reads
// through the meeting's use cases, so each view is audited exactly as its
// JSON counterpart. Forms post back here (no JavaScript needed) and, when
// done, redirect to the item they changed; a refused form re-renders the
// agenda with an error summary linking to the field.

func init() {
	// The coordinator starts at the meetings (see startPages).
	startPages[signal.RoleCoordinator] = "/overleg"
	// newkey: a fresh idempotency key for a form that adds a record (an
	// action, a decision, a risk): the same form posted twice stores once.
	templateFuncs["newkey"] = func() string { return signal.NewIdempotencyKey(time.Now()) }
	// num: the value of an optional number (0 when absent).
	templateFuncs["num"] = func(p *int) int {
		if p == nil {
			return 0
		}
		return *p
	}
}

// meetingPages registers the meeting's pages.
func (s *Server) meetingPages(g *PageGroup) {
	chair := s.RequireRole(signal.RoleCoordinator)
	members := s.RequireRole(signal.RoleCoordinator, signal.RoleReporter)
	reporters := s.RequireRole(signal.RoleReporter)
	evaluators := s.RequireRole(signal.RoleCoordinator, signal.RolePrivacyOfficer)
	g.GET("/overleg", s.meetingsPage, chair)
	g.POST("/overleg", s.planMeetingSubmit, chair)
	g.GET("/overleg/:id", s.agendaPage, chair)
	g.GET("/overleg/:id/scherm", s.projectorPage, chair)
	g.GET("/overleg/:id/inhoud", s.contentsPage, chair)
	g.GET("/overleg/:id/jongere/:ref", s.itemPage, chair)
	g.GET("/overleg/:id/jongere/:ref/verloop", s.chronologyPage, chair)
	g.POST("/overleg/:id/jongere/:ref/heropenen", s.caseReopenSubmit, chair)
	g.GET("/overleg/:id/geschiedenis/:what/:rid", s.historyPage, chair)
	g.POST("/overleg/:id/geschiedenis/:what/:rid", s.correctionSubmit, chair)
	g.GET("/overleg/:id/verslag", s.minutesPage, members)
	g.POST("/overleg/:id/punt/:ref/:what", s.itemSubmit, chair)
	g.POST("/overleg/:id/knelpunten", s.riskSubmit, chair)
	g.POST("/overleg/:id/koppelen", s.matchSubmit, chair)
	g.POST("/overleg/:id/knelpunt/:rid", s.riskUpdateSubmit, chair)
	g.POST("/overleg/:id/knelpunt/:rid/tekst", s.riskCorrectionSubmit, chair)
	g.POST("/overleg/:id/aanwezigheid", s.attendanceSubmit, chair)
	g.POST("/overleg/:id/afsluiten", s.holdSubmit, chair)
	g.POST("/overleg/:id/verplaatsen", s.moveSubmit, chair)
	g.POST("/overleg/:id/afgelasten", s.cancelSubmit, chair)
	g.POST("/overleg/:id/heropenen", s.reopenSubmit, chair)
	g.POST("/acties/:id", s.actionSubmit, members)
	g.GET("/signalen/terugkoppeling", s.feedbackPage, reporters)
	g.GET("/evaluatie", s.evaluationPage, evaluators)
	g.GET("/evaluatie.csv", s.exportEvaluation, evaluators)
}

type meetingsData struct {
	Meetings []*signal.Meeting
	Today    string
}

// meetingsPage: GET /overleg, the coordinator's start: the meetings, latest
// first, and a form to plan the next one.
func (s *Server) meetingsPage(c echo.Context) error {
	return s.withMeetings(c, func(m *signal.Meetings, actor signal.Actor) error {
		list, err := m.List(c.Request().Context(), actor)
		if err != nil {
			return err
		}
		v := s.view(c, "meeting.list.title", meetingsData{Meetings: list, Today: signal.Today(s.now()).String()})
		return s.render(c, http.StatusOK, "meeting_list", v)
	})
}

// planMeetingSubmit: POST /overleg (title, date, time).
func (s *Server) planMeetingSubmit(c echo.Context) error {
	return s.withMeetings(c, func(m *signal.Meetings, actor signal.Actor) error {
		f, err := c.FormParams()
		if err != nil {
			return signal.Errorf(signal.CodeInvalid, "unreadable form")
		}
		v := s.view(c, "meeting.list.title", nil)
		v.Form = f
		in := signal.NewMeeting{Title: f.Get("title")}
		var problems []FormError
		if f.Get("date") == "" {
			problems = append(problems, FormError{"date", v.T("meeting.err.date.required")})
		} else if t, err := time.ParseInLocation("2006-01-02 15:04", f.Get("date")+" "+cmpOr(f.Get("time"), "14:00"), amsterdam); err != nil {
			problems = append(problems, FormError{"date", v.T("meeting.err.date.invalid")})
		} else {
			in.StartsAt = t.Format(time.RFC3339)
		}
		var mt *signal.Meeting
		if len(problems) == 0 {
			mt, err = m.Plan(c.Request().Context(), actor, in)
		}
		var se *signal.Error
		if len(problems) > 0 || errors.As(err, &se) && se.Code == signal.CodeInvalid {
			if se != nil {
				for _, fe := range se.Fields {
					name := fe.Field
					if name == "starts_at" {
						name = "date"
					}
					problems = append(problems, FormError{name, meetingProblem(v, name, fe.Problem)})
				}
			}
			list, lerr := m.List(c.Request().Context(), actor)
			if lerr != nil {
				return lerr
			}
			v.Errors = problems
			v.Data = meetingsData{Meetings: list, Today: signal.Today(s.now()).String()}
			return s.render(c, http.StatusBadRequest, "meeting_list", v)
		}
		if err != nil {
			return err
		}
		return redirect(c, "/overleg/"+mt.ID)
	})
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// meetingProblem is a domain field problem in the user's language.
func meetingProblem(v *View, field, problem string) string {
	kind := "invalid"
	switch {
	case strings.HasPrefix(problem, "is required"):
		kind = "required"
	case strings.Contains(problem, "in the past"), strings.Contains(problem, "a year ago"):
		kind = "past"
	case strings.Contains(problem, "at most"):
		kind = "toolong"
	case strings.Contains(problem, "not an active professional"):
		kind = "person"
	default:
		kind = checkKind(problem, kind)
	}
	// Item fields are named "i<n>-<field>".
	base := field
	if i := strings.IndexByte(field, '-'); i > 0 && strings.HasPrefix(field, "i") {
		base = field[i+1:]
	}
	key := "meeting.err." + base + "." + kind
	if v.cat.Has(key) {
		return v.T(key)
	}
	// What the text check refused in an action or a decision: the same
	// words for either field.
	if key := "meeting.err.check." + kind; v.cat.Has(key) {
		return v.T(key)
	}
	return v.T("meeting.err.generic") + " (" + problem + ")"
}

// checkKind names what the meeting's text gate refused (see
// signal/meeting_text.go), or returns def.
func checkKind(problem, def string) string {
	for _, k := range []struct{ says, kind string }{
		{"not what (existence level)", "existence"},
		{"data were erased", "erased"},
		{"names a young person known to the meeting", "known_name"},
		{"a name or a birth date", "identity"},
		{"contact details", "contact"},
		{"a BSN", "bsn"},
		{"about health", "health"},
		{"religion or ethnic origin", "religion_ethnicity"},
		{"criminal data", "criminal"},
	} {
		if strings.Contains(problem, k.says) {
			return k.kind
		}
	}
	return def
}

type agendaData struct {
	Agenda  signal.Agenda
	Detail  signal.MeetingDetail
	Today   string
	Reasons []signal.CloseReason
	Kinds   []signal.DecisionKind
	Planned bool
	// Early: the meeting is planned for a later day than today (the hold
	// form warns before it is closed early).
	Early       bool
	ChartTitles bool
	// Back is where a form of an opened item returns to (its own page);
	// "" on the whole agenda.
	Back string
}

// agendaPage: GET /overleg/{id}, the chair's agenda (audited agenda.view:
// each young person shown, with the signals and levels shown).
func (s *Server) agendaPage(c echo.Context) error {
	return s.renderAgenda(c, http.StatusOK, nil, nil)
}

func (s *Server) renderAgenda(c echo.Context, status int, problems []FormError, form map[string][]string) error {
	return s.withMeetings(c, func(m *signal.Meetings, actor signal.Actor) error {
		ctx := c.Request().Context()
		d, err := m.Get(ctx, actor, c.Param("id"))
		if err != nil {
			return err
		}
		ag, err := m.Agenda(ctx, actor, c.Param("id"), false)
		if err != nil {
			return err
		}
		v := s.view(c, "meeting.agenda.title", agendaData{
			Agenda: ag, Detail: d, Today: signal.Today(s.now()).String(),
			Reasons: signal.CloseReasons, Kinds: signal.DecisionKinds, Planned: ag.Meeting.Status == signal.MeetingPlanned,
			Early: signal.Today(s.now()).Before(signal.Today(ag.Meeting.StartsAt)),
		})
		v.Errors, v.Form = problems, form
		return s.render(c, status, "meeting_agenda", v)
	})
}

type contentsData struct {
	Contents signal.AgendaContents
	Levels   []signal.Level
	Sections []signal.AgendaSection
	Filtered bool
}

// contentsPage: GET /overleg/{id}/inhoud[?section=&level=&partner=&match=1
// &open=1&overdue=1], the agenda's contents list per young person: numbers,
// counts per level, partners, "besproken"; no one is shown (audited as one
// agenda.contents entry). Each line opens the young person.
func (s *Server) contentsPage(c echo.Context) error {
	return s.withMeetings(c, func(m *signal.Meetings, actor signal.Actor) error {
		f, err := contentsFilter(c.QueryParams())
		if err != nil {
			return err
		}
		ct, err := m.Contents(c.Request().Context(), actor, c.Param("id"), f)
		if err != nil {
			return err
		}
		v := s.view(c, "meeting.contents.title", contentsData{Contents: ct, Filtered: f != signal.ContentsFilter{},
			Levels:   []signal.Level{signal.LevelFull, signal.LevelMinimal, signal.LevelExistence, signal.LevelAnonymous},
			Sections: []signal.AgendaSection{signal.SectionNew, signal.SectionCarried, signal.SectionFollowUp}})
		v.Form = c.QueryParams()
		return s.render(c, http.StatusOK, "meeting_contents", v)
	})
}

type itemData struct {
	Agenda agendaData // for the item's forms (meeting-item)
	Opened signal.OpenedItem
}

// itemPage: GET /overleg/{id}/jongere/{ref}, one young person opened from
// the contents list: the item as on the agenda, with its forms (audited
// agenda.open, or agenda.reopen when shown unchanged before).
func (s *Server) itemPage(c echo.Context) error {
	return s.renderItem(c, http.StatusOK, nil, nil)
}

// renderItem renders one young person opened, with what a refused form
// posted (problems, form).
func (s *Server) renderItem(c echo.Context, status int, problems []FormError, form map[string][]string) error {
	return s.withMeetings(c, func(m *signal.Meetings, actor signal.Actor) error {
		ctx := c.Request().Context()
		d, err := m.Get(ctx, actor, c.Param("id"))
		if err != nil {
			return err
		}
		op, err := m.OpenItem(ctx, actor, c.Param("id"), c.Param("ref"))
		if err != nil {
			return err
		}
		data := itemData{Opened: op, Agenda: agendaData{
			Agenda: signal.Agenda{Meeting: op.Meeting}, Detail: d, Today: signal.Today(s.now()).String(),
			Reasons: signal.CloseReasons, Kinds: signal.DecisionKinds, Planned: op.Meeting.Status == signal.MeetingPlanned,
			Back: "/overleg/" + op.Meeting.ID + "/jongere/" + op.Item.Ref,
		}}
		v := s.view(c, "meeting.item.title", data)
		v.Errors, v.Form = problems, form
		return s.render(c, status, "meeting_item", v)
	})
}

type chronologyData struct {
	Meeting    *signal.Meeting
	Chronology signal.Chronology
	// Reasons a closed case may be reopened for (the form under a closed
	// case).
	Reasons []signal.CaseReopenReason
}

// chronologyPage: GET /overleg/{id}/jongere/{ref}/verloop, one young person
// across meetings (audited chronology.view); the meeting is where the
// coordinator came from and goes back to.
func (s *Server) chronologyPage(c echo.Context) error {
	return s.renderChronology(c, http.StatusOK, nil, nil)
}

// renderChronology renders the chronology, with what a refused reopening
// of the case posted.
func (s *Server) renderChronology(c echo.Context, status int, problems []FormError, form map[string][]string) error {
	return s.withMeetings(c, func(m *signal.Meetings, actor signal.Actor) error {
		ctx := c.Request().Context()
		d, err := m.Get(ctx, actor, c.Param("id"))
		if err != nil {
			return err
		}
		ch, err := m.Chronology(ctx, actor, c.Param("ref"))
		if err != nil {
			return err
		}
		v := s.view(c, "meeting.chronology.title", chronologyData{Meeting: d.Meeting, Chronology: ch, Reasons: signal.CaseReopenReasons})
		v.Errors, v.Form = problems, form
		return s.render(c, status, "meeting_chronology", v)
	})
}

// projectorPage: GET /overleg/{id}/scherm, for the room's screen:
// identities only where a signal of the young person is shared in full
// (audited agenda.project).
func (s *Server) projectorPage(c echo.Context) error {
	return s.withMeetings(c, func(m *signal.Meetings, actor signal.Actor) error {
		ag, err := m.Agenda(c.Request().Context(), actor, c.Param("id"), true)
		if err != nil {
			return err
		}
		return s.Render(c, http.StatusOK, "meeting_projector", "meeting.projector.title", ag)
	})
}

// minutesPage: GET /overleg/{id}/verslag, printable (print styles turn it
// into a clean document; the browser's "print to PDF" makes the PDF).
func (s *Server) minutesPage(c echo.Context) error {
	return s.renderMinutes(c, http.StatusOK, nil, nil)
}

type minutesData struct {
	Minutes signal.Minutes
	// Chair: the reader chairs the meeting and may reopen it.
	Chair   bool
	Reasons []signal.ReopenReason
}

// renderMinutes renders the minutes, with what a refused reopening posted.
func (s *Server) renderMinutes(c echo.Context, status int, problems []FormError, form map[string][]string) error {
	return s.withMeetings(c, func(m *signal.Meetings, actor signal.Actor) error {
		mn, err := m.Minutes(c.Request().Context(), actor, c.Param("id"))
		if err != nil {
			return err
		}
		v := s.view(c, "meeting.minutes.title", minutesData{Minutes: mn, Chair: actor.Role == signal.RoleCoordinator, Reasons: signal.ReopenReasons})
		v.Errors, v.Form = problems, form
		return s.render(c, status, "meeting_minutes", v)
	})
}

// reopenSubmit: POST /overleg/{id}/heropenen (reason, reopen_confirm=1):
// the meeting held last is planned again, to correct or add what was
// recorded. Without the confirmation or a reason nothing changes.
func (s *Server) reopenSubmit(c echo.Context) error {
	return s.withForm(c, s.renderMinutes, func(m *signal.Meetings, actor signal.Actor, f url.Values, v *View) ([]FormError, string, error) {
		var problems []FormError
		if f.Get("reason") == "" {
			problems = append(problems, FormError{"reason", v.T("meeting.err.reopen.required")})
		}
		if f.Get("reopen_confirm") != "1" {
			problems = append(problems, FormError{"reopen_confirm", v.T("meeting.err.confirm.required")})
		}
		if len(problems) == 0 {
			_, err := m.Reopen(c.Request().Context(), actor, c.Param("id"), signal.ReopenReason(f.Get("reason")))
			var se *signal.Error
			if errors.As(err, &se) && se.Code == signal.CodeInvalid {
				problems = append(problems, FormError{"reason", v.T("meeting.err.reopen.required")})
			} else if err != nil {
				return nil, "", err
			}
		}
		return problems, "/overleg/" + c.Param("id"), nil
	})
}

// itemSubmit: POST /overleg/{id}/punt/{ref}/{lead|actie|besluit|sluiten}.
// The form's fields are named "i<n>-<field>" (n: the item's number), so
// each field on the long agenda page has its own id for the error summary.
func (s *Server) itemSubmit(c echo.Context) error {
	return s.withMeetings(c, func(m *signal.Meetings, actor signal.Actor) error {
		f, err := c.FormParams()
		if err != nil {
			return signal.Errorf(signal.CodeInvalid, "unreadable form")
		}
		n := f.Get("n")
		if _, err := strconv.Atoi(n); err != nil {
			return signal.Invalid(signal.FieldError{Field: "n", Problem: "must be the item's number"})
		}
		field := func(name string) string { return f.Get("i" + n + "-" + name) }
		ctx, id, ref := c.Request().Context(), c.Param("id"), c.Param("ref")
		// Posted from the young person's own page (opened from the
		// contents list): back there, errors too.
		opened := f.Get("back") == "/overleg/"+id+"/jongere/"+ref
		switch c.Param("what") {
		case "lead":
			_, err = m.AssignLead(ctx, actor, id, ref, field("user_id"))
		case "actie":
			_, err = m.AddAction(ctx, actor, id, ref, signal.NewAction{OwnerID: field("owner_id"), Description: field("description"), Due: field("due_on"),
				Key: f.Get("idempotency_key")})
		case "besluit":
			_, err = m.Decide(ctx, actor, id, ref, signal.NewDecision{Kind: signal.DecisionKind(field("kind")), Text: field("text"), Key: f.Get("idempotency_key")})
		case "sluiten":
			err = m.CloseCase(ctx, actor, id, ref, signal.CloseReason(field("reason")))
		default:
			return echo.ErrNotFound
		}
		var se *signal.Error
		if errors.As(err, &se) && se.Code == signal.CodeInvalid {
			v := s.view(c, "", nil)
			var problems []FormError
			for _, fe := range se.Fields {
				name := "i" + n + "-" + fe.Field
				problems = append(problems, FormError{name, meetingProblem(v, name, fe.Problem)})
			}
			if opened {
				return s.renderItem(c, http.StatusBadRequest, problems, f)
			}
			return s.renderAgenda(c, http.StatusBadRequest, problems, f)
		}
		if err != nil {
			return err
		}
		if opened {
			return redirect(c, "/overleg/"+id+"/jongere/"+ref) // the opened young person's own page
		}
		return redirect(c, "/overleg/"+id+"#punt-"+n)
	})
}

// riskSubmit: POST /overleg/{id}/knelpunten (text).
func (s *Server) riskSubmit(c echo.Context) error {
	return s.withMeetings(c, func(m *signal.Meetings, actor signal.Actor) error {
		f, err := c.FormParams()
		if err != nil {
			return signal.Errorf(signal.CodeInvalid, "unreadable form")
		}
		_, err = m.AddRisk(c.Request().Context(), actor, c.Param("id"), f.Get("risk"), f.Get("idempotency_key"))
		var se *signal.Error
		if errors.As(err, &se) && se.Code == signal.CodeInvalid {
			v := s.view(c, "", nil)
			var problems []FormError
			for _, fe := range se.Fields {
				problems = append(problems, FormError{"risk", meetingProblem(v, "risk", fe.Problem)})
			}
			return s.renderAgenda(c, http.StatusBadRequest, problems, f)
		}
		if err != nil {
			return err
		}
		return redirect(c, "/overleg/"+c.Param("id")+"#knelpunten")
	})
}

// matchSubmit: POST /overleg/{id}/koppelen (a, b: item refs; same=1|0):
// the coordinator's answer to a proposed match.
func (s *Server) matchSubmit(c echo.Context) error {
	return s.withMeetings(c, func(m *signal.Meetings, actor signal.Actor) error {
		f, err := c.FormParams()
		if err != nil {
			return signal.Errorf(signal.CodeInvalid, "unreadable form")
		}
		if _, err := m.DecideMatch(c.Request().Context(), actor, c.Param("id"), f.Get("a"), f.Get("b"), f.Get("same") == "1"); err != nil {
			return err
		}
		return redirect(c, "/overleg/"+c.Param("id")+"#koppelen")
	})
}

// riskUpdateSubmit: POST /overleg/{id}/knelpunt/{rid} (owner_id, status).
func (s *Server) riskUpdateSubmit(c echo.Context) error {
	return s.withMeetings(c, func(m *signal.Meetings, actor signal.Actor) error {
		f, err := c.FormParams()
		if err != nil {
			return signal.Errorf(signal.CodeInvalid, "unreadable form")
		}
		if _, err := m.UpdateRisk(c.Request().Context(), actor, c.Param("id"), c.Param("rid"), f.Get("owner_id"),
			signal.RiskStatus(f.Get("status"))); err != nil {
			return err
		}
		return redirect(c, "/overleg/"+c.Param("id")+"#risico-"+c.Param("rid"))
	})
}

// attendanceSubmit: POST /overleg/{id}/aanwezigheid (att-<org id> per
// member: present, apologies, absent; empty: not filled in).
func (s *Server) attendanceSubmit(c echo.Context) error {
	return s.withMeetings(c, func(m *signal.Meetings, actor signal.Actor) error {
		f, err := c.FormParams()
		if err != nil {
			return signal.Errorf(signal.CodeInvalid, "unreadable form")
		}
		att := map[string]signal.AttendanceStatus{}
		for name, vs := range f {
			if org, ok := strings.CutPrefix(name, "att-"); ok && len(vs) > 0 && vs[0] != "" {
				att[org] = signal.AttendanceStatus(vs[0])
			}
		}
		err = m.RecordAttendance(c.Request().Context(), actor, c.Param("id"), att)
		var se *signal.Error
		if errors.As(err, &se) && se.Code == signal.CodeInvalid {
			v := s.view(c, "", nil)
			var problems []FormError
			for _, fe := range se.Fields {
				name := fe.Field
				if org, ok := strings.CutPrefix(strings.TrimSuffix(name, "]"), "attendance["); ok {
					name = "att-" + org
				}
				problems = append(problems, FormError{name, meetingProblem(v, name, fe.Problem)})
			}
			return s.renderAgenda(c, http.StatusBadRequest, problems, f)
		}
		if err != nil {
			return err
		}
		return redirect(c, "/overleg/"+c.Param("id")+"#leden")
	})
}

// holdSubmit: POST /overleg/{id}/afsluiten: the meeting is over; on to the
// minutes.
//
// Closing cannot be undone from the page: the form asks the chair to
// confirm (field "confirm") and warns when the meeting is planned for a
// later day; without the confirmation nothing changes.
func (s *Server) holdSubmit(c echo.Context) error {
	return s.withForm(c, s.renderAgenda, func(m *signal.Meetings, actor signal.Actor, f url.Values, v *View) ([]FormError, string, error) {
		if f.Get("confirm") != "1" {
			return []FormError{{"confirm", v.T("meeting.err.confirm.required")}}, "", nil
		}
		if _, err := m.Hold(c.Request().Context(), actor, c.Param("id")); err != nil {
			return nil, "", err
		}
		return nil, "/overleg/" + c.Param("id") + "/verslag", nil
	})
}

// moveSubmit: POST /overleg/{id}/verplaatsen (date, time): a planned
// meeting gets a new start; what is on its agenda does not change.
func (s *Server) moveSubmit(c echo.Context) error {
	return s.withForm(c, s.renderAgenda, func(m *signal.Meetings, actor signal.Actor, f url.Values, v *View) ([]FormError, string, error) {
		var problems []FormError
		var at string
		if f.Get("date") == "" {
			problems = append(problems, FormError{"date", v.T("meeting.err.date.required")})
		} else if t, err := time.ParseInLocation("2006-01-02 15:04", f.Get("date")+" "+cmpOr(f.Get("time"), "14:00"), amsterdam); err != nil {
			problems = append(problems, FormError{"date", v.T("meeting.err.date.invalid")})
		} else {
			at = t.Format(time.RFC3339)
		}
		if len(problems) == 0 {
			_, err := m.Move(c.Request().Context(), actor, c.Param("id"), at)
			var se *signal.Error
			if errors.As(err, &se) && se.Code == signal.CodeInvalid {
				for _, fe := range se.Fields {
					problems = append(problems, FormError{"date", meetingProblem(v, "date", fe.Problem)})
				}
			} else if err != nil {
				return nil, "", err
			}
		}
		return problems, "/overleg/" + c.Param("id"), nil
	})
}

// cancelSubmit: POST /overleg/{id}/afgelasten (cancel_confirm=1): the
// meeting will not take place; its items go to the next meeting held.
// Without the confirmation nothing changes.
func (s *Server) cancelSubmit(c echo.Context) error {
	return s.withForm(c, s.renderAgenda, func(m *signal.Meetings, actor signal.Actor, f url.Values, v *View) ([]FormError, string, error) {
		if f.Get("cancel_confirm") != "1" {
			return []FormError{{"cancel_confirm", v.T("meeting.err.confirm.required")}}, "", nil
		}
		if _, err := m.Cancel(c.Request().Context(), actor, c.Param("id")); err != nil {
			return nil, "", err
		}
		return nil, "/overleg", nil
	})
}

// actionSubmit: POST /acties/{id} (done=1|0, back=the page to return to).
func (s *Server) actionSubmit(c echo.Context) error {
	return s.withMeetings(c, func(m *signal.Meetings, actor signal.Actor) error {
		done := c.FormValue("done") == "1"
		if _, err := m.SetActionDone(c.Request().Context(), actor, c.Param("id"), done); err != nil {
			return err
		}
		return redirect(c, c.FormValue("back"))
	})
}

type feedbackData struct {
	Work     signal.MyWork
	Meetings []*signal.Meeting
}

// feedbackPage: GET /signalen/terugkoppeling, the reporter's matches (the
// other partner's contact only), what became of their signals, the actions
// they own, and the minutes they receive.
func (s *Server) feedbackPage(c echo.Context) error {
	return s.withMeetings(c, func(m *signal.Meetings, actor signal.Actor) error {
		w, err := m.Work(c.Request().Context(), actor)
		if err != nil {
			return err
		}
		list, err := m.List(c.Request().Context(), actor)
		if err != nil {
			return err
		}
		return s.Render(c, http.StatusOK, "meeting_feedback", "meeting.feedback.title", feedbackData{Work: w, Meetings: list})
	})
}

type evaluationData struct {
	Evaluation signal.Evaluation
	Chart      barChart
	Quarters   []string
	Previous   string
}

// evaluationPage: GET /evaluatie?kwartaal=2026-Q4: the figures, a bar chart
// of signals per category (the same figures in the table beside it) and the
// CSV link.
func (s *Server) evaluationPage(c echo.Context) error {
	return s.withMeetings(c, func(m *signal.Meetings, actor signal.Actor) error {
		q, err := s.quarterParam(c, "kwartaal")
		if err != nil {
			return err
		}
		ev, err := m.Evaluation(c.Request().Context(), actor, q, signal.ActionEvaluationView)
		if err != nil {
			return err
		}
		v := s.view(c, "meeting.evaluation.title", nil)
		d := evaluationData{Evaluation: ev}
		var rows []barRow
		for _, r := range ev.ByCategory {
			rows = append(rows, barRow{Label: v.T("category." + r.Key), Figure: r.Figure})
		}
		d.Chart = newBarChart(rows)
		cur := signal.LastEndedQuarter(s.now()) // the running quarter is never shown
		for i := 0; i < 8; i++ {
			d.Quarters = append(d.Quarters, cur.String())
			cur = cur.Previous()
		}
		v.Data = d
		return s.render(c, http.StatusOK, "meeting_evaluation", v)
	})
}

// barChart is a horizontal bar chart drawn on the server as SVG: no script,
// no inline style (the CSP forbids both); the template gives it a title and
// description, and the same figures stand in a table beside it.
type barChart struct {
	Width, Height int
	Bars          []bar
}

type bar struct {
	Label            string
	Text             string // the figure as published ("<5" included)
	Y, Width, TextX  int
	Suppressed       bool
	LabelY, BarMiddY int
}

type barRow struct {
	Label  string
	Figure signal.Figure
}

func newBarChart(rows []barRow) barChart {
	const (
		labelW = 280
		barMax = 320
		rowH   = 32
	)
	most := 0
	for _, r := range rows {
		if !r.Figure.Withheld() && r.Figure.Value > most {
			most = r.Figure.Value
		}
	}
	ch := barChart{Width: labelW + barMax + 60, Height: rowH*len(rows) + 8}
	for i, r := range rows {
		b := bar{Label: r.Label, Text: r.Figure.String(), Y: 4 + i*rowH, Suppressed: r.Figure.Withheld()}
		if !r.Figure.Withheld() && most > 0 {
			b.Width = int(math.Round(float64(barMax) * float64(r.Figure.Value) / float64(most)))
		}
		b.TextX = labelW + b.Width + 6
		b.LabelY = b.Y + rowH/2 + 5
		b.BarMiddY = b.Y + 4
		ch.Bars = append(ch.Bars, b)
	}
	return ch
}
