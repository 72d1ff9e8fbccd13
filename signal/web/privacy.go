package web

import (
	"encoding/hex"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/signaal-nl/signaal/signal"
)

// privacyRoutes registers the privacy officer's JSON API. Every route is for
// the privacy officer alone, and every view is audited: who looked at the
// log, at whom, is part of the record too.
func (s *Server) privacyRoutes(authed *echo.Group) {
	po := s.RequireRole(signal.RolePrivacyOfficer)
	g := authed.Group("/privacy", s.requirePrivacy)
	g.GET("/audit", s.apiAuditSearch, po)
	g.GET("/audit/export", s.auditExport, po)
	g.POST("/youth-lookup", s.apiYouthLookup, po)
	g.GET("/verify", s.apiVerify, po)
	g.GET("/checkpoints", s.apiCheckpoints, po)
	g.POST("/checkpoints", s.apiIssueCheckpoint, po)
	g.GET("/checkpoints/:id", s.apiCheckpointNote, po)
	g.GET("/access-reports/:subject", s.apiAccessReport, po)
	g.GET("/escalations", s.apiEscalations, po)
	g.PATCH("/escalations/:seq", s.apiUpdateEscalation, po)
	g.GET("/policies", s.apiPolicies, po)
	g.GET("/policies/:version", s.apiPolicy, po)
	g.GET("/policy-diff", s.apiPolicyDiff, po)
	g.GET("/policy-effect", s.apiPolicyEffect, po)
	g.POST("/policies/:version/approval", s.apiApprovePolicy, po)
	g.GET("/oversight", s.apiOversight, po)
	g.GET("/retention", s.apiRetention, po)
	g.POST("/retention/run", s.apiRetentionRun, po)
	g.GET("/retention/schedule", s.apiRetentionSchedule, po)
	s.accountabilityRoutes(g, po)
}

// requirePrivacy answers 503 on the console's routes when the server has
// no privacy console.
func (s *Server) requirePrivacy(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.privacy == nil && !isNotFoundRoute(c) {
			return signal.Errorf(signal.CodeUnavailable, "the privacy console is not available on this server")
		}
		return next(c)
	}
}

// entryJSON is an audit entry as the console shows it.
type entryJSON struct {
	Seq      int64                 `json:"seq"`
	Time     time.Time             `json:"time"`
	Actor    actorJSON             `json:"actor"`
	Action   string                `json:"action"`
	Object   string                `json:"object,omitempty"`
	Subject  string                `json:"subject,omitempty"`
	Decision *signal.AuditDecision `json:"decision,omitempty"`
	Origin   originJSON            `json:"origin"`
	Hash     string                `json:"hash"`
}

// actorJSON is who acted; originJSON the request it came from.
type actorJSON struct {
	UserID  string `json:"user_id"`
	Name    string `json:"name,omitempty"` // staff of the officer's cooperation by name
	Role    string `json:"role"`
	Org     string `json:"org"`
	OrgName string `json:"org_name,omitempty"`
}

type originJSON struct {
	RequestID string `json:"request_id"`
	IP        string `json:"ip"`
}

func toEntryJSON(r signal.AuditRecord, n signal.Names) entryJSON {
	return entryJSON{Seq: r.Seq, Time: r.Time, Actor: actorJSON{r.Actor.UserID, n.Users[r.Actor.UserID].Name, string(r.Actor.Role), r.Actor.OrgID, n.Orgs[r.Actor.OrgID]},
		Action: string(r.Action), Object: r.Object, Subject: r.Subject, Decision: r.Decision,
		Origin: originJSON{r.Actor.RequestID, r.Actor.IP}, Hash: "sha256:" + hex.EncodeToString(r.Hash[:])}
}

// pseudonymPattern is the shape of the keyed pseudonyms of young people
// (hex HMAC-SHA256), checked before a value from a URL is used.
var pseudonymPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

// auditQuery reads the review's filters from query parameters (the same
// names for the API and the page), naming each bad one.
func auditQuery(get func(string) string) (signal.AuditQuery, error) {
	var (
		q  signal.AuditQuery
		fe signal.FieldErrors
	)
	parseTime := func(name string, end bool) time.Time {
		v := get(name)
		if v == "" {
			return time.Time{}
		}
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			return t
		}
		if d, err := signal.ParseDate(v); err == nil {
			t := d.Time()
			if end { // an end date includes that whole day
				t = t.AddDate(0, 0, 1)
			}
			return t
		}
		fe.Add(name, "must be a date (YYYY-MM-DD) or a time (RFC 3339)")
		return time.Time{}
	}
	q.Since = parseTime("since", false)
	q.Until = parseTime("until", true)
	q.UserID, q.Org, q.Role = get("user"), get("org"), get("role")
	q.Action, q.Object = get("action"), get("object")
	q.Outcome, q.Rule = get("outcome"), get("rule")
	if v := SubjectParam(get("subject")); v != "" {
		if !pseudonymPattern.MatchString(v) {
			fe.Add("subject", "must be a young person's pseudonym (64 hex digits); search by name and birth date to find it")
		}
		q.Subject = v
	}
	if v := get("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			fe.Add("before", "must be the next cursor of a previous page")
		}
		q.Before = n
	}
	if v := get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > signal.MaxAuditPage {
			fe.Add("limit", "must be from 1 to "+strconv.Itoa(signal.MaxAuditPage))
		}
		q.Limit = n
	}
	if !q.Since.IsZero() && !q.Until.IsZero() && !q.Since.Before(q.Until) {
		fe.Add("until", "must be after since")
	}
	return q, fe.Err()
}

// apiAuditSearch: GET /api/v1/privacy/audit?since&until&user&org&role&action&object&subject&outcome&rule&before&limit.
// Newest first; "next" is the before of the following page.
func (s *Server) apiAuditSearch(c echo.Context) error {
	q, err := auditQuery(c.QueryParam)
	if err != nil {
		return err
	}
	page, err := s.privacy.SearchAudit(c.Request().Context(), signalActor(c), q)
	if err != nil {
		return err
	}
	out := struct {
		Entries []entryJSON `json:"entries"`
		Next    int64       `json:"next,omitempty"`
	}{Entries: []entryJSON{}, Next: page.Next}
	for _, r := range page.Records {
		out.Entries = append(out.Entries, toEntryJSON(r, page.Names))
	}
	return c.JSON(http.StatusOK, out)
}

// apiYouthLookup: POST /api/v1/privacy/youth-lookup {"name", "birth_date"}
// -> {"subject"}. A POST, so the name never appears in a URL or access log.
func (s *Server) apiYouthLookup(c echo.Context) error {
	var l signal.YouthLookup
	if err := Decode(c, &l); err != nil {
		return err
	}
	subject, err := s.privacy.LookupYouth(c.Request().Context(), signalActor(c), l)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]string{"subject": subject})
}

// verifyJSON is the outcome of a verification.
type verifyJSON struct {
	OK       bool    `json:"ok"`
	From     string  `json:"from"` // "start" or "checkpoint"
	Size     int64   `json:"size"`
	Head     string  `json:"head,omitempty"`
	Hashed   int64   `json:"hashed"`
	Anchors  int     `json:"checkpoints_matched"`
	Millis   float64 `json:"elapsed_ms"`
	Rate     float64 `json:"entries_per_second"`
	FirstBad int64   `json:"first_bad_seq,omitempty"`
	Problem  string  `json:"problem,omitempty"`
	// Untrusted are stored checkpoints signed by a key this server does
	// not trust: not used to check the log, and no sign of tampering.
	Untrusted []untrustedJSON `json:"untrusted_checkpoints,omitempty"`
	// checkpoints are the stored ones, newest first, for the page.
	checkpoints []checkpointJSON
}

// untrustedJSON is a stored checkpoint signed by a key not trusted.
type untrustedJSON struct {
	ID   int64  `json:"id"`
	Size int64  `json:"size"`
	Keys string `json:"keys"` // the names of the keys that signed it
}

// verify runs the check from the start or from the last stored checkpoint
// (from "start" or "checkpoint"); the API and the page only render it.
func (s *Server) verify(c echo.Context, from string) (verifyJSON, error) {
	v, err := s.privacy.VerifyAudit(c.Request().Context(), signalActor(c), from == "checkpoint")
	if err != nil {
		return verifyJSON{}, err
	}
	out := verifyJSON{From: "start", OK: v.Intact, Size: v.Size, Head: v.Head, Hashed: v.Hashed, Anchors: v.Anchors,
		FirstBad: v.FirstBad, Problem: v.Problem}
	if v.FromCheckpoint {
		out.From = "checkpoint"
	}
	for _, cp := range v.Checkpoints {
		out.checkpoints = append(out.checkpoints, toCheckpointJSON(cp))
	}
	for _, u := range v.Untrusted {
		out.Untrusted = append(out.Untrusted, untrustedJSON{ID: u.ID, Size: u.Size, Keys: u.Keys})
	}
	if v.Intact {
		out.Millis = float64(v.Elapsed.Microseconds()) / 1000
		if v.Elapsed > 0 {
			out.Rate = float64(v.Hashed) / v.Elapsed.Seconds()
		}
	}
	return out, nil
}

// NextAfterBad is the review's cursor that shows the first bad entry at the
// top of the page.
func (v verifyJSON) NextAfterBad() int64 { return v.FirstBad + 1 }

// verifyFrom reads where a check starts, the same for the API's query and
// the page's form: "start" (also when not given) or "checkpoint".
func verifyFrom(from string) (string, error) {
	switch from {
	case "", "start":
		return "start", nil
	case "checkpoint":
		return from, nil
	default:
		return "", signal.Invalid(signal.FieldError{Field: "from", Problem: "must be start or checkpoint"})
	}
}

// apiVerify: GET /api/v1/privacy/verify?from=start|checkpoint. 200 with
// ok=false and the first bad entry for a tampered log.
func (s *Server) apiVerify(c echo.Context) error {
	from, err := verifyFrom(c.QueryParam("from"))
	if err != nil {
		return err
	}
	out, err := s.verify(c, from)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

type checkpointJSON struct {
	ID     int64     `json:"id,omitempty"`
	Origin string    `json:"origin"`
	Size   int64     `json:"size"`
	Head   string    `json:"head"`
	Time   time.Time `json:"time"`
}

func toCheckpointJSON(cp signal.AuditCheckpoint) checkpointJSON {
	return checkpointJSON{ID: cp.ID, Origin: cp.Origin, Size: cp.Size, Head: cp.Head, Time: cp.Time}
}

// checkpoints lists the stored checkpoints, newest first, and audits the
// viewing.
func (s *Server) checkpoints(c echo.Context) ([]checkpointJSON, error) {
	cps, err := s.privacy.Checkpoints(c.Request().Context(), signalActor(c))
	if err != nil {
		return nil, err
	}
	out := []checkpointJSON{}
	for _, cp := range cps {
		out = append(out, toCheckpointJSON(cp))
	}
	return out, nil
}

// apiCheckpoints: GET /api/v1/privacy/checkpoints, newest first.
func (s *Server) apiCheckpoints(c echo.Context) error {
	out, err := s.checkpoints(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"checkpoints": out})
}

// apiIssueCheckpoint: POST /api/v1/privacy/checkpoints -> 201.
func (s *Server) apiIssueCheckpoint(c echo.Context) error {
	cp, err := s.privacy.IssueCheckpoint(c.Request().Context(), signalActor(c))
	if err != nil {
		return err
	}
	out := toCheckpointJSON(cp)
	out.ID = 0
	return c.JSON(http.StatusCreated, out)
}

// apiCheckpointNote: GET /api/v1/privacy/checkpoints/{id}: the signed note,
// as a file to keep outside Signaal.
func (s *Server) apiCheckpointNote(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		return signal.Invalid(signal.FieldError{Field: "id", Problem: "must be a checkpoint number"})
	}
	cp, err := s.privacy.CheckpointNote(c.Request().Context(), signalActor(c), id)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="signaal-checkpoint-%d.txt"`, cp.Size))
	return c.Blob(http.StatusOK, "text/plain; charset=utf-8", []byte(cp.Note))
}

func subjectParam(c echo.Context) (string, error) {
	subject := c.Param("subject")
	if !pseudonymPattern.MatchString(subject) {
		return "", signal.Invalid(signal.FieldError{Field: "subject", Problem: "must be a young person's pseudonym (64 hex digits)"})
	}
	return subject, nil
}

// apiAccessReport: GET /api/v1/privacy/access-reports/{subject}: the report
// without content; ?content=true is refused (content only inside a
// registered request, requests.go).
func (s *Server) apiAccessReport(c echo.Context) error {
	rep, _, err := s.accessReport(c)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `inline; filename="inzageverzoek.json"`)
	return c.JSON(http.StatusOK, rep)
}

// accessReport loads the access report (no content) of the young person
// in the path, for the API and the page, and returns it with the
// pseudonym; ?content=true is refused and audited (content only inside a
// registered request).
func (s *Server) accessReport(c echo.Context) (signal.AccessReport, string, error) {
	subject, err := subjectParam(c)
	if err != nil {
		return signal.AccessReport{}, "", err
	}
	withContent, err := boolParam(c, "content")
	if err != nil {
		return signal.AccessReport{}, "", err
	}
	if withContent {
		return signal.AccessReport{}, "", s.refuseContent(c, subject)
	}
	rep, err := s.privacy.AccessReport(c.Request().Context(), signalActor(c), subject)
	return rep, subject, err
}

func boolParam(c echo.Context, name string) (bool, error) {
	v := c.QueryParam(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, signal.Invalid(signal.FieldError{Field: name, Problem: "must be true or false"})
	}
	return b, nil
}

// escalations loads the cooperation's escalation queue with ?status and
// audits the viewing; the API and the page only render what it returns.
func (s *Server) escalations(c echo.Context) ([]signal.Escalation, signal.EscalationStatus, error) {
	st, err := signal.ParseEscalationStatus(c.QueryParam("status"))
	if err != nil {
		return nil, "", err
	}
	list, err := s.privacy.Escalations(c.Request().Context(), signalActor(c), st)
	return list, st, err
}

// apiEscalations: GET /api/v1/privacy/escalations[?status=open].
func (s *Server) apiEscalations(c echo.Context) error {
	list, _, err := s.escalations(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"escalations": list})
}

// updateEscalation records the officer's work on escalation :seq: the
// API's PATCH and the page's form, with one answer for the same refusal.
func (s *Server) updateEscalation(c echo.Context, change signal.EscalationChange) (signal.Escalation, error) {
	seq, err := signal.ParseEscalationSeq(c.Param("seq"))
	if err != nil {
		return signal.Escalation{}, err
	}
	return s.privacy.UpdateEscalation(c.Request().Context(), signalActor(c), seq, change)
}

// apiUpdateEscalation: PATCH /api/v1/privacy/escalations/{seq} {"status",
// "owner", "advice", "decision", "note"} (each optional; one at least).
func (s *Server) apiUpdateEscalation(c echo.Context) error {
	var body signal.EscalationChange
	if err := Decode(c, &body); err != nil {
		return err
	}
	e, err := s.updateEscalation(c, body)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, e)
}

// apiPolicies: GET /api/v1/privacy/policies[?at=TIME]: the versions, the
// loads, and the version in force at the time (default now).
func (s *Server) apiPolicies(c echo.Context) error {
	at := s.now()
	if v := c.QueryParam("at"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return signal.Invalid(signal.FieldError{Field: "at", Problem: "must be a time (RFC 3339)"})
		}
		at = t
	}
	out, err := s.privacy.Policies(c.Request().Context(), signalActor(c), at)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

var versionPattern = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

func policyVersionParam(name, v string) (string, error) {
	if !versionPattern.MatchString(v) {
		return "", signal.Invalid(signal.FieldError{Field: name, Problem: "must be a policy version (sha256: and 64 hex digits)"})
	}
	return v, nil
}

// apiPolicy: GET /api/v1/privacy/policies/{version}: one version with its files.
func (s *Server) apiPolicy(c echo.Context) error {
	version, err := policyVersionParam("version", c.Param("version"))
	if err != nil {
		return err
	}
	v, err := s.privacy.PolicyVersion(c.Request().Context(), signalActor(c), version)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

// policyDiff compares two policy versions line by line, the API's and the
// page's.
func (s *Server) policyDiff(c echo.Context, fromV, toV string) ([]FileDiff, error) {
	from, err := policyVersionParam("from", fromV)
	if err != nil {
		return nil, err
	}
	to, err := policyVersionParam("to", toV)
	if err != nil {
		return nil, err
	}
	a, b, err := s.privacy.ComparePolicies(c.Request().Context(), signalActor(c), from, to)
	if err != nil {
		return nil, err
	}
	return DiffPolicies(a.Files, b.Files), nil
}

// apiPolicyDiff: GET /api/v1/privacy/policy-diff?from=VERSION&to=VERSION.
func (s *Server) apiPolicyDiff(c echo.Context) error {
	files, err := s.policyDiff(c, c.QueryParam("from"), c.QueryParam("to"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"from": c.QueryParam("from"), "to": c.QueryParam("to"), "files": files})
}

// oversightWindow reads ?days and ?threshold (the API's and the
// dashboard's); the service checks their range.
func oversightWindow(c echo.Context) (signal.OversightWindow, error) {
	var w signal.OversightWindow
	var fe signal.FieldErrors
	if v := c.QueryParam("days"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			fe.Add("days", "must be from 1 to 366")
		}
		w.Days = n
	}
	if v := c.QueryParam("threshold"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			fe.Add("threshold", "must be a positive number of signal views")
		}
		w.Threshold = n
	}
	return w, fe.Err()
}

// oversight reads the dashboard over the last days.
func (s *Server) oversight(c echo.Context) (signal.Oversight, error) {
	w, err := oversightWindow(c)
	if err != nil {
		return signal.Oversight{}, err
	}
	return s.privacy.Oversight(c.Request().Context(), signalActor(c), w)
}

// apiOversight: GET /api/v1/privacy/oversight[?days=7&threshold=50].
func (s *Server) apiOversight(c echo.Context) error {
	o, err := s.oversight(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, o)
}

// apiRetention: GET /api/v1/privacy/retention: the configured period and
// what a run now would erase (a dry run).
func (s *Server) apiRetention(c echo.Context) error {
	period, run, err := s.privacy.RetentionDue(c.Request().Context(), signalActor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"period": period.String(), "due": run})
}

// apiRetentionRun: POST /api/v1/privacy/retention/run [{"confirm": true}]:
// erase what has expired now, rather than wait for the hourly job. A run
// that stops before erasing anything answers 409 with why; confirm is the
// officer's word past it (signal.RetentionRequest).
func (s *Server) apiRetentionRun(c echo.Context) error {
	var body struct {
		Confirm bool `json:"confirm"`
	}
	if c.Request().ContentLength != 0 {
		if err := Decode(c, &body); err != nil {
			return err
		}
	}
	run, err := s.privacy.RunRetention(c.Request().Context(), signalActor(c), body.Confirm)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, run)
}

// apiPolicyEffect: GET /api/v1/privacy/policy-effect?from=VERSION&to=VERSION:
// the rules changed by name and how the cooperation's recorded question
// paths would end under each version (counts per change of outcome).
func (s *Server) apiPolicyEffect(c echo.Context) error {
	from, err := policyVersionParam("from", c.QueryParam("from"))
	if err != nil {
		return err
	}
	to, err := policyVersionParam("to", c.QueryParam("to"))
	if err != nil {
		return err
	}
	eff, err := s.privacy.PolicyEffect(c.Request().Context(), signalActor(c), from, to)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, eff)
}

// apiApprovePolicy: POST /api/v1/privacy/policies/{version}/approval -> 201
// the approval; 409 when approved already.
func (s *Server) apiApprovePolicy(c echo.Context) error {
	version, err := policyVersionParam("version", c.Param("version"))
	if err != nil {
		return err
	}
	a, err := s.privacy.ApprovePolicy(c.Request().Context(), signalActor(c), version)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, a)
}
