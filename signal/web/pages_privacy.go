package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/signaal-nl/signaal/signal"
)

// The privacy officer's pages (issue 7), on the shared page framework: a
// dashboard, the audit review, the integrity check, access requests,
// escalations and policy governance. They call the same functions as the
// JSON API (privacy.go), so every view is audited the same way. A name and
// birth date are only ever posted (never in a URL), turned into the
// pseudonym at once, and the browser is sent on to a URL that carries the
// pseudonym only.

// privacyPages registers the privacy officer's pages.
func (s *Server) privacyPages(g *PageGroup) {
	po := s.RequireRole(signal.RolePrivacyOfficer)
	g = g.With(s.requirePrivacy)
	g.GET("/privacy", s.privacyHomePage, po)
	g.GET("/privacy/audit", s.privacyAuditPage, po)
	g.GET("/privacy/audit/export", s.auditExport, po)
	g.POST("/privacy/zoek", s.privacyLookupSubmit, po)
	g.GET("/privacy/integriteit", s.privacyVerifyPage, po)
	g.POST("/privacy/integriteit", s.privacyVerifySubmit, po)
	g.POST("/privacy/checkpoints", s.privacyCheckpointSubmit, po)
	g.GET("/privacy/checkpoints/:id", s.apiCheckpointNote, po)
	g.GET("/privacy/inzage", s.privacyAccessPage, po)
	g.POST("/privacy/inzage", s.privacyAccessSubmit, po)
	g.GET("/privacy/inzage/:subject", s.privacyReportPage, po)
	g.GET("/privacy/escalaties", s.privacyEscalationsPage, po)
	g.POST("/privacy/escalaties/:seq", s.privacyEscalationSubmit, po)
	g.GET("/privacy/beleid", s.privacyPoliciesPage, po)
	g.GET("/privacy/beleid/verschil", s.privacyDiffPage, po)
	g.POST("/privacy/beleid/goedkeuren", s.privacyApproveSubmit, po)
	s.requestPages(g)
	s.accountabilityPages(g, po)
	s.retentionPages(g, po)
}

type privacyHomeData = signal.Dashboard

// privacyHomePage: GET /privacy, the dashboard: oversight signals of the
// last seven days and the open escalations.
func (s *Server) privacyHomePage(c echo.Context) error {
	w, err := oversightWindow(c)
	if err != nil {
		return err
	}
	d, err := s.privacy.Dashboard(c.Request().Context(), signalActor(c), w)
	if err != nil {
		return err
	}
	return s.Render(c, http.StatusOK, "privacy_home", "privacy.home.title", d)
}

type auditPageData struct {
	Texts   map[string]signal.Text // reason sentences by code
	Entries []entryJSON
	Next    string // the URL of the next page, "" on the last
	Subject string
	Filters url.Values
	// ExportCSV and ExportJSONL download the whole selection.
	ExportCSV, ExportJSONL string
	Names                  signal.Names
}

// privacyAuditPage: GET /privacy/audit with the API's filters as query
// parameters; a bad filter re-renders the form with its error.
func (s *Server) privacyAuditPage(c echo.Context) error {
	v := s.view(c, "privacy.audit.title", nil)
	form := c.QueryParams()
	v.Form = form
	d := auditPageData{Entries: []entryJSON{}, Subject: SubjectParam(form.Get("subject")), Filters: form, Texts: s.texts}
	q, err := auditQuery(form.Get)
	if err != nil {
		v.Errors = formErrors(v, err)
		v.Data = d
		return s.render(c, http.StatusBadRequest, "privacy_audit", v)
	}
	page, err := s.privacy.SearchAudit(c.Request().Context(), signalActor(c), q)
	if err != nil {
		return err
	}
	d.Names = page.Names
	for _, r := range page.Records {
		d.Entries = append(d.Entries, toEntryJSON(r, page.Names))
	}
	if page.Next > 0 {
		next := url.Values{}
		for k, vs := range form {
			if k != "before" {
				next[k] = vs
			}
		}
		next.Set("before", strconv.FormatInt(page.Next, 10))
		d.Next = "/privacy/audit?" + next.Encode()
	}
	export := url.Values{}
	for k, vs := range form {
		if k != "before" && k != "limit" {
			export[k] = vs
		}
	}
	export.Set("format", "csv")
	d.ExportCSV = "/privacy/audit/export?" + export.Encode()
	export.Set("format", "jsonl")
	d.ExportJSONL = "/privacy/audit/export?" + export.Encode()
	v.Data = d
	return s.render(c, http.StatusOK, "privacy_audit", v)
}

// formErrors turns a domain error's field problems into the page's error
// summary, in the page's language where the catalogue has the field.
func formErrors(v *View, err error) []FormError {
	var se *signal.Error
	if !errors.As(err, &se) {
		return []FormError{{Field: "", Message: v.T("privacy.error.generic")}}
	}
	var out []FormError
	for _, f := range se.Fields {
		out = append(out, FormError{Field: f.Field, Message: v.T("privacy.field."+f.Field) + ": " + f.Problem})
	}
	return out
}

// lookupForm checks the name and birth date of a lookup form with messages
// in the page's language.
func lookupForm(v *View, c echo.Context) (signal.YouthLookup, bool) {
	l := signal.YouthLookup{Name: strings.TrimSpace(c.FormValue("name")), BirthDate: c.FormValue("birth_date")}
	if l.Name == "" {
		v.Errors = append(v.Errors, FormError{"name", v.T("privacy.lookup.name.required")})
	}
	if l.BirthDate == "" {
		v.Errors = append(v.Errors, FormError{"birth_date", v.T("privacy.lookup.birth.required")})
	} else if _, err := signal.ParseDate(l.BirthDate); err != nil {
		v.Errors = append(v.Errors, FormError{"birth_date", v.T("privacy.lookup.birth.invalid")})
	}
	// Only the birth date is put back in the form on an error; the name is
	// typed again rather than echoed in more pages than necessary.
	v.Form = url.Values{"birth_date": {l.BirthDate}, "name": {l.Name}}
	return l, len(v.Errors) == 0
}

// privacyLookupSubmit: POST /privacy/zoek {name, birth_date} -> the audit
// review of that young person, by pseudonym.
func (s *Server) privacyLookupSubmit(c echo.Context) error {
	v := s.view(c, "privacy.audit.title", auditPageData{Entries: []entryJSON{}})
	l, ok := lookupForm(v, c)
	if !ok {
		return s.render(c, http.StatusBadRequest, "privacy_audit", v)
	}
	subject, err := s.privacy.LookupYouth(c.Request().Context(), signalActor(c), l)
	if err != nil {
		return err
	}
	return redirect(c, "/privacy/audit?"+url.Values{"subject": {subject}}.Encode())
}

type verifyPageData struct {
	Result      *verifyJSON
	Checkpoints []checkpointJSON
	Issued      bool
}

// privacyVerifyPage: GET /privacy/integriteit: the verify buttons and the
// checkpoints with their downloads.
func (s *Server) privacyVerifyPage(c echo.Context) error {
	cps, err := s.checkpoints(c)
	if err != nil {
		return err
	}
	return s.Render(c, http.StatusOK, "privacy_verify", "privacy.verify.title",
		verifyPageData{Issued: c.QueryParam("issued") == "1", Checkpoints: cps})
}

// privacyVerifySubmit: POST /privacy/integriteit {from}: runs the check and
// shows the result (entries per second, or the first bad entry).
func (s *Server) privacyVerifySubmit(c echo.Context) error {
	from, err := verifyFrom(c.FormValue("from"))
	if err != nil {
		return err
	}
	res, err := s.verify(c, from)
	if err != nil {
		return err
	}
	return s.Render(c, http.StatusOK, "privacy_verify", "privacy.verify.title",
		verifyPageData{Result: &res, Checkpoints: res.checkpoints})
}

// privacyCheckpointSubmit: POST /privacy/checkpoints: sign a checkpoint now.
func (s *Server) privacyCheckpointSubmit(c echo.Context) error {
	if _, err := s.privacy.IssueCheckpoint(c.Request().Context(), signalActor(c)); err != nil {
		return err
	}
	return redirect(c, "/privacy/integriteit?issued=1")
}

// privacyAccessPage: GET /privacy/inzage: the access request form.
func (s *Server) privacyAccessPage(c echo.Context) error {
	return s.Render(c, http.StatusOK, "privacy_access", "privacy.access.title", nil)
}

// privacyAccessSubmit: POST /privacy/inzage {name, birth_date}: the report
// without content (content is read inside a registered request only).
func (s *Server) privacyAccessSubmit(c echo.Context) error {
	v := s.view(c, "privacy.access.title", nil)
	l, ok := lookupForm(v, c)
	if !ok {
		return s.render(c, http.StatusBadRequest, "privacy_access", v)
	}
	subject, err := s.privacy.LookupYouth(c.Request().Context(), signalActor(c), l)
	if err != nil {
		return err
	}
	return redirect(c, "/privacy/inzage/"+subject)
}

type reportPageData struct {
	Report  signal.AccessReport
	JSONURL string
}

// privacyReportPage: GET /privacy/inzage/{subject}: the printable access
// report without content (erasure goes through a registered request, see
// pages_requests.go); ?content=true is
// refused (audited): content is read inside a registered request only.
func (s *Server) privacyReportPage(c echo.Context) error {
	rep, subject, err := s.accessReport(c)
	if err != nil {
		return err
	}
	jsonURL := "/api/v1/privacy/access-reports/" + subject
	return s.Render(c, http.StatusOK, "privacy_report", "privacy.report.title",
		reportPageData{Report: rep, JSONURL: jsonURL})
}

type escalationsPageData struct {
	Escalations []signal.Escalation
	Status      string
	Statuses    []signal.EscalationStatus
	Decisions   []signal.EscalationDecision
	Officers    []signal.Colleague
	// Fields are the work form's fields, in order; each escalation's are
	// named esc.<seq>.<field> (FieldID f-esc-<seq>-<field>), so the error
	// summary links to the field of the escalation that was posted.
	Fields []string
}

// escalationFields are the fields of an escalation's work form.
var escalationFields = []string{"status", "owner", "decision", "advice", "note"}

// privacyEscalationsPage: GET /privacy/escalaties[?status=open]: the queue.
func (s *Server) privacyEscalationsPage(c echo.Context) error {
	v, err := s.escalationsView(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "privacy_escalations", v)
}

func (s *Server) escalationsView(c echo.Context) (*View, error) {
	list, st, err := s.escalations(c)
	if err != nil {
		return nil, err
	}
	officers, err := s.privacy.Officers(c.Request().Context(), signalActor(c))
	if err != nil {
		return nil, err
	}
	return s.view(c, "privacy.escalations.title", escalationsPageData{Escalations: list, Status: string(st),
		Statuses: signal.EscalationStatuses, Decisions: signal.EscalationDecisions, Officers: officers, Fields: escalationFields}), nil
}

// privacyEscalationSubmit: POST /privacy/escalaties/{seq} {status, owner,
// decision, advice, note}; a refusal shows the queue again with the
// problem named.
func (s *Server) privacyEscalationSubmit(c echo.Context) error {
	owner, advice, note := c.FormValue("owner"), c.FormValue("advice"), c.FormValue("note")
	decision := signal.EscalationDecision(c.FormValue("decision"))
	change := signal.EscalationChange{Status: signal.EscalationStatus(c.FormValue("status")), Owner: &owner, Advice: &advice,
		Decision: &decision, Note: &note}
	_, err := s.updateEscalation(c, change)
	if signal.ErrorCode(err) == signal.CodeInvalid {
		v, verr := s.escalationsView(c)
		if verr != nil {
			return verr
		}
		v.Errors = formErrors(v, err)
		for i, e := range v.Errors {
			if slices.Contains(escalationFields, e.Field) {
				v.Errors[i].Field = "esc." + c.Param("seq") + "." + e.Field
			}
		}
		return s.render(c, http.StatusBadRequest, "privacy_escalations", v)
	}
	if err != nil {
		return err
	}
	return redirect(c, "/privacy/escalaties#esc-"+c.Param("seq"))
}

// privacyPoliciesPage: GET /privacy/beleid: versions, loads, the version in
// force now, and the form to compare two versions.
func (s *Server) privacyPoliciesPage(c echo.Context) error {
	out, err := s.privacy.Policies(c.Request().Context(), signalActor(c), s.now())
	if err != nil {
		return err
	}
	return s.Render(c, http.StatusOK, "privacy_policies", "privacy.policies.title", out)
}

type diffPageData struct {
	From, To string
	Files    []FileDiff
	// Effect is which rules changed and how the recorded paths would end;
	// nil when the server cannot compare (EffectError says why).
	Effect      *signal.PolicyEffect
	EffectError string
	// Approval is the cooperation's approval of To, nil if none.
	Approval *signal.PolicyApproval
}

// privacyDiffPage: GET /privacy/beleid/verschil?from&to: the unified diff
// with context, the rules changed by name, the effect on the recorded
// question paths, and the approval of the new version.
func (s *Server) privacyDiffPage(c echo.Context) error {
	from, to := c.QueryParam("from"), c.QueryParam("to")
	files, err := s.policyDiff(c, from, to)
	if err != nil {
		return err
	}
	d := diffPageData{From: from, To: to, Files: files}
	ctx, actor := c.Request().Context(), signalActor(c)
	eff, err := s.privacy.PolicyEffect(ctx, actor, from, to)
	switch signal.ErrorCode(err) {
	case "":
		d.Effect = &eff
	case signal.CodeUnavailable:
		d.EffectError = "unavailable"
	default:
		return err
	}
	pol, err := s.privacy.Policies(ctx, actor, s.now())
	if err != nil {
		return err
	}
	if a, ok := pol.Approvals[to]; ok {
		d.Approval = &a
	}
	return s.Render(c, http.StatusOK, "privacy_diff", "privacy.diff.title", d)
}

// privacyApproveSubmit: POST /privacy/beleid/goedkeuren {version, from}:
// the officer approves a version for the cooperation, back to the
// comparison it was approved from.
func (s *Server) privacyApproveSubmit(c echo.Context) error {
	version, err := policyVersionParam("version", c.FormValue("version"))
	if err != nil {
		return err
	}
	if _, err := s.privacy.ApprovePolicy(c.Request().Context(), signalActor(c), version); err != nil && signal.ErrorCode(err) != signal.CodeConflict {
		return err
	}
	if from, err := policyVersionParam("from", c.FormValue("from")); err == nil {
		return redirect(c, "/privacy/beleid/verschil?"+url.Values{"from": {from}, "to": {version}}.Encode()+"#approval")
	}
	return redirect(c, "/privacy/beleid")
}
