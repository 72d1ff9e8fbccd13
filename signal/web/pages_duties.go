package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/signaal-nl/signaal/signal"
)

// The duties of a signal's decision on the reporter's own signal page
// (issue 15 items 5 and 6): the report to Veilig Thuis as a step of its own
// with its own confirmation and record, the consent and the justification
// written down, informing recorded or postponed with a date. Each duty has
// its own small form; its fields are named "<duty>.<field>", so a problem
// lands at the form it belongs to.

// dutyForm is one duty on the signal page.
type dutyForm struct {
	signal.DutyStatus
	Hows []signal.DutyHow
	// Postpone: informing may wait, with a reason and a date.
	Postpone bool
}

// dutiesOf turns the service's statuses into the page's forms.
func dutiesOf(sts []signal.DutyStatus) []dutyForm {
	out := make([]dutyForm, len(sts))
	for i, st := range sts {
		out[i] = dutyForm{DutyStatus: st, Hows: signal.HowsFor(st.Duty), Postpone: st.Duty == signal.DutyInformYouthParents}
	}
	return out
}

// recordDuty: POST /signalen/:id/plichten, one duty's form. A report to
// Veilig Thuis is recorded only with its confirmation ticked ("ik heb de
// melding gedaan"): sending the signal was never that report. Success
// goes back to the signal page with the record confirmed in words;
// a problem shows the page again with everything typed and the field named.
func (s *Server) recordDuty(c echo.Context) error {
	svc, err := s.signalsService()
	if err != nil {
		return err
	}
	f, err := c.FormParams()
	if err != nil {
		return signal.Errorf(signal.CodeInvalid, "unreadable form")
	}
	duty := signal.Duty(f.Get("duty"))
	if !duty.Valid() {
		return signal.Invalid(signal.FieldError{Field: "duty", Problem: "must be one of the signal's duties"})
	}
	field := func(name string) string { return f.Get(string(duty) + "." + name) }
	rec := signal.DutyRecord{Duty: duty, State: signal.DutyState(field("state")), How: signal.DutyHow(field("how")), Note: field("note")}
	if rec.State == "" {
		rec.State = signal.DutyDone
	}
	var fe signal.FieldErrors
	date := func(name string, dst *signal.Date) {
		if v := strings.TrimSpace(field(name)); v != "" {
			d, err := signal.ParseDate(v)
			if err != nil {
				fe.Add(string(duty)+"."+name, "must be a date")
				return
			}
			*dst = d
		}
	}
	date("on", &rec.On)
	date("until", &rec.Until)
	for _, p := range f[string(duty)+".parties"] {
		rec.Parties = append(rec.Parties, signal.Party(p))
	}
	if duty == signal.DutyReportVeiligThuis && field("confirm") != "1" {
		fe.Add(string(duty)+".confirm", "is required: tick that you made the report to Veilig Thuis")
	}
	if err := fe.Err(); err == nil {
		_, err = svc.RecordDuty(c.Request().Context(), signalActor(c), c.Param("id"), rec)
		if err == nil {
			return redirect(c, "/signalen/"+url.PathEscape(c.Param("id"))+"?vastgelegd="+url.QueryEscape(string(duty))+"#plichten")
		}
		var se *signal.Error
		if !errors.As(err, &se) || se.Code != signal.CodeInvalid {
			return err
		}
		for _, p := range se.Fields {
			if !strings.Contains(p.Field, ".") {
				p.Field = string(duty) + "." + p.Field
			}
			fe.Add(p.Field, p.Problem)
		}
	}
	var se *signal.Error
	errors.As(fe.Err(), &se)
	v := s.view(c, "signal.title", nil)
	v.Form = f
	v.Errors = s.dutyErrors(v, se.Fields)
	data, err := s.signalPageData(c, c.Param("id"))
	if err != nil {
		return err
	}
	v.Data = data
	return s.render(c, http.StatusBadRequest, "signal", v)
}

// dutyErrors are the problems of a duty form in the user's language.
func (s *Server) dutyErrors(v *View, fields []signal.FieldError) []FormError {
	var out []FormError
	seen := map[string]bool{}
	for _, fe := range fields {
		if seen[fe.Field] {
			continue
		}
		seen[fe.Field] = true
		duty, name, _ := strings.Cut(fe.Field, ".")
		key := "duty.problem." + name
		msg := fe.Problem
		switch {
		case name == "until" && strings.Contains(fe.Problem, "after today"):
			key += ".past"
		case name == "until" && strings.Contains(fe.Problem, "within"):
			key += ".far"
		case name == "on" && strings.Contains(fe.Problem, "future"):
			key += ".future"
		case name == "note" && strings.Contains(fe.Problem, "at most"):
			key += ".long"
		case name == "note" && strings.HasPrefix(fe.Problem, "is required"):
			key += "." + duty
		case name == "state" && strings.Contains(fe.Problem, "postponed"):
			key += ".wait"
		}
		if v.cat.Has(key) {
			msg = v.T(key)
		}
		out = append(out, FormError{Field: fe.Field, Message: msg})
	}
	return out
}

// Parties names who consented or was informed, in words: "de jongere en de
// ouders".
func (v *View) Parties(ps []signal.Party) string {
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = v.T("duty.party.in." + string(p))
	}
	return strings.Join(names, " "+v.T("duty.and")+" ")
}
