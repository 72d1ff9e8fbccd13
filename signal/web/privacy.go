package web

import (
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/signaal-nl/signaal/audit"
	"github.com/signaal-nl/signaal/signal"
	"golang.org/x/mod/sumdb/note"
)

// PrivacyDeps are what the privacy officer's console needs besides the
// database. A nil part answers 503 on the routes that need it.
type PrivacyDeps struct {
	// Pseudonyms turns a typed name and birth date into the young person's
	// keyed pseudonym (*keystore.Store), the same one the signals carry.
	Pseudonyms interface {
		Pseudonym(name, birthDate string) string
	}
	// Retention erases on request (and runs the job on demand).
	Retention *signal.Retention
	// CheckpointSigner signs checkpoints issued from the console;
	// CheckpointVerifier checks the signatures of stored ones when verifying.
	CheckpointSigner   note.Signer
	CheckpointVerifier note.Verifier
	// ReasonTexts are the policy's sentences per reason code
	// (*policy.Engine.ReasonTexts): the log keeps the codes, the review
	// shows the sentences beside them.
	ReasonTexts map[string]signal.Text
}

// privacyRoutes registers the privacy officer's JSON API. Every route is for
// the privacy officer alone, and every view is audited: who looked at the
// log, at whom, is part of the record too.
func (s *Server) privacyRoutes(authed *echo.Group) {
	po := s.RequireRole(signal.RolePrivacyOfficer)
	g := authed.Group("/privacy")
	g.GET("/audit", s.apiAuditSearch, po)
	g.POST("/youth-lookup", s.apiYouthLookup, po)
	g.GET("/verify", s.apiVerify, po)
	g.GET("/checkpoints", s.apiCheckpoints, po)
	g.POST("/checkpoints", s.apiIssueCheckpoint, po)
	g.GET("/checkpoints/:id", s.apiCheckpointNote, po)
	g.GET("/access-reports/:subject", s.apiAccessReport, po)
	g.POST("/erasures", s.apiErase, po)
	g.GET("/escalations", s.apiEscalations, po)
	g.PATCH("/escalations/:seq", s.apiUpdateEscalation, po)
	g.GET("/policies", s.apiPolicies, po)
	g.GET("/policies/:version", s.apiPolicy, po)
	g.GET("/policy-diff", s.apiPolicyDiff, po)
	g.GET("/oversight", s.apiOversight, po)
	g.GET("/retention", s.apiRetention, po)
	g.POST("/retention/run", s.apiRetentionRun, po)
}

// scope is the privacy officer's cooperation and its organisations: the
// console shows that cooperation's signals, escalations and actors (and the
// entries of no organisation: the system, failed logins).
type scope struct {
	coop string
	orgs []string
}

func (s *Server) scopeOf(c echo.Context) (scope, error) {
	ctx := c.Request().Context()
	u, _ := CurrentUser(c)
	org, err := s.db.Organisation(ctx, u.OrgID)
	if err != nil {
		return scope{}, fmt.Errorf("find the privacy officer's organisation: %w", err)
	}
	orgs, err := s.db.Privacy().CooperationOrgs(ctx, org.CooperationID)
	if err != nil {
		return scope{}, err
	}
	return scope{coop: org.CooperationID, orgs: orgs}, nil
}

// record audits a console view by the current user.
func (s *Server) record(c echo.Context, action signal.AuditAction, object, subject string) error {
	if err := s.db.Privacy().Record(c.Request().Context(), signalActor(c), signal.AuditEvent{Action: action, Object: object, Subject: subject}); err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// entryJSON is an audit entry as the console shows it.
type entryJSON struct {
	Seq      int64           `json:"seq"`
	Time     time.Time       `json:"time"`
	Actor    actorJSON       `json:"actor"`
	Action   string          `json:"action"`
	Object   string          `json:"object,omitempty"`
	Subject  string          `json:"subject,omitempty"`
	Decision *audit.Decision `json:"decision,omitempty"`
	Origin   originJSON      `json:"origin"`
	Hash     string          `json:"hash"`
}

type actorJSON struct {
	UserID string `json:"user_id"`
	Role   string `json:"role"`
	Org    string `json:"org"`
}

type originJSON struct {
	RequestID string `json:"request_id"`
	IP        string `json:"ip"`
}

func toEntryJSON(r audit.Record) entryJSON {
	return entryJSON{Seq: r.Seq, Time: r.Time, Actor: actorJSON(r.Actor), Action: r.Action, Object: r.Object, Subject: r.Subject,
		Decision: r.Decision, Origin: originJSON(r.Origin), Hash: "sha256:" + hex.EncodeToString(r.Hash[:])}
}

// pseudonymPattern is the shape of the keyed pseudonyms of young people
// (hex HMAC-SHA256), checked before a value from a URL is used.
var pseudonymPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

// auditQuery reads the review's filters from query parameters (the same
// names for the API and the page), naming each bad one.
func auditQuery(get func(string) string) (audit.Query, error) {
	var (
		q  audit.Query
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
	if v := get("subject"); v != "" {
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
		if err != nil || n < 1 || n > audit.MaxPage {
			fe.Add("limit", "must be from 1 to "+strconv.Itoa(audit.MaxPage))
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
	page, err := s.searchAudit(c, q)
	if err != nil {
		return err
	}
	out := struct {
		Entries []entryJSON `json:"entries"`
		Next    int64       `json:"next,omitempty"`
	}{Entries: []entryJSON{}, Next: page.Next}
	for _, r := range page.Records {
		out.Entries = append(out.Entries, toEntryJSON(r))
	}
	return c.JSON(http.StatusOK, out)
}

// searchAudit runs a validated query, narrowed to the caller's cooperation,
// and audits the search (under the subject searched for, if any); the API
// and the page only render the page it returns.
func (s *Server) searchAudit(c echo.Context, q audit.Query) (audit.Page, error) {
	sc, err := s.scopeOf(c)
	if err != nil {
		return audit.Page{}, err
	}
	q.Orgs = sc.orgs
	page, err := audit.Search(c.Request().Context(), s.db.Read(), q)
	if err != nil {
		return audit.Page{}, err
	}
	if err := s.record(c, signal.ActionAuditSearch, "audit", q.Subject); err != nil {
		return audit.Page{}, err
	}
	return page, nil
}

// lookupSubject turns a name and birth date into the pseudonym and audits
// the lookup under it. The name and birth date are not stored, logged or
// audited: only the pseudonym leaves this function.
func (s *Server) lookupSubject(c echo.Context, l signal.YouthLookup) (string, error) {
	if s.privacy.Pseudonyms == nil {
		return "", signal.Errorf(signal.CodeUnavailable, "looking up young people is not available on this server")
	}
	subject, err := l.Pseudonym(s.privacy.Pseudonyms)
	if err != nil {
		return "", err
	}
	if err := s.record(c, signal.ActionYouthLookup, "youth", subject); err != nil {
		return "", err
	}
	return subject, nil
}

// apiYouthLookup: POST /api/v1/privacy/youth-lookup {"name", "birth_date"}
// -> {"subject"}. A POST, so the name never appears in a URL or access log.
func (s *Server) apiYouthLookup(c echo.Context) error {
	var l signal.YouthLookup
	if err := Decode(c, &l); err != nil {
		return err
	}
	subject, err := s.lookupSubject(c, l)
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
}

// verify runs audit.Verify from the start, or from the last stored
// checkpoint, and audits that it was run.
func (s *Server) verify(c echo.Context, from string) (verifyJSON, error) {
	ctx := c.Request().Context()
	out := verifyJSON{From: from}
	opts := audit.VerifyOptions{Verifier: s.privacy.CheckpointVerifier, Now: s.now}
	if from == "checkpoint" {
		stored, err := audit.StoredCheckpoints(ctx, s.db.Read())
		var te *audit.TamperError
		switch {
		case errors.As(err, &te):
			out.FirstBad, out.Problem = te.Seq, te.Problem
			return out, s.record(c, signal.ActionAuditVerify, "audit", "")
		case err != nil:
			return out, err
		case len(stored) > 0:
			last := stored[len(stored)-1].Checkpoint
			opts.From = &last
		default:
			out.From = "start" // no checkpoint yet
		}
	}
	start := time.Now()
	res, err := audit.Verify(ctx, s.db.Read(), opts)
	var te *audit.TamperError
	switch {
	case errors.As(err, &te):
		out.FirstBad, out.Problem = te.Seq, te.Problem
	case err != nil:
		return out, err
	default:
		out.OK = true
		out.Size, out.Head, out.Hashed, out.Anchors = res.Size, res.HeadString(), res.Hashed, res.Anchors
		elapsed := time.Since(start)
		out.Millis = float64(elapsed.Microseconds()) / 1000
		if elapsed > 0 {
			out.Rate = float64(res.Hashed) / elapsed.Seconds()
		}
	}
	return out, s.record(c, signal.ActionAuditVerify, "audit", "")
}

// NextAfterBad is the review's cursor that shows the first bad entry at the
// top of the page.
func (v verifyJSON) NextAfterBad() int64 { return v.FirstBad + 1 }

func verifyFrom(c echo.Context) (string, error) {
	switch from := c.QueryParam("from"); from {
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
	from, err := verifyFrom(c)
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

func (s *Server) checkpoints(c echo.Context) ([]checkpointJSON, error) {
	stored, err := audit.StoredCheckpoints(c.Request().Context(), s.db.Read())
	if err != nil {
		return nil, err
	}
	out := []checkpointJSON{}
	for i := len(stored) - 1; i >= 0; i-- { // newest first
		cp := stored[i]
		out = append(out, checkpointJSON{ID: cp.ID, Origin: cp.Origin, Size: cp.Size,
			Head: "sha256:" + hex.EncodeToString(cp.Head[:]), Time: cp.Time})
	}
	return out, nil
}

// apiCheckpoints: GET /api/v1/privacy/checkpoints, newest first.
func (s *Server) apiCheckpoints(c echo.Context) error {
	out, err := s.checkpoints(c)
	if err != nil {
		return err
	}
	if err := s.record(c, signal.ActionAuditVerify, "audit/checkpoints", ""); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"checkpoints": out})
}

// issueCheckpoint signs the log's current head, stores it and audits it.
func (s *Server) issueCheckpoint(c echo.Context) (audit.Checkpoint, error) {
	if s.privacy.CheckpointSigner == nil {
		return audit.Checkpoint{}, signal.Errorf(signal.CodeUnavailable, "this server has no checkpoint key")
	}
	cp, _, err := s.db.Writer().Checkpoint(c.Request().Context(), s.privacy.CheckpointSigner)
	if err != nil {
		return cp, err
	}
	return cp, s.record(c, signal.ActionAuditCheckpoint, "audit/checkpoint/"+strconv.FormatInt(cp.Size, 10), "")
}

// apiIssueCheckpoint: POST /api/v1/privacy/checkpoints -> 201.
func (s *Server) apiIssueCheckpoint(c echo.Context) error {
	cp, err := s.issueCheckpoint(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, checkpointJSON{Origin: cp.Origin, Size: cp.Size, Head: "sha256:" + hex.EncodeToString(cp.Head[:]), Time: cp.Time})
}

// apiCheckpointNote: GET /api/v1/privacy/checkpoints/{id}: the signed note,
// as a file to keep outside Signaal.
func (s *Server) apiCheckpointNote(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		return signal.Invalid(signal.FieldError{Field: "id", Problem: "must be a checkpoint number"})
	}
	stored, err := audit.StoredCheckpoints(c.Request().Context(), s.db.Read())
	if err != nil {
		return err
	}
	for _, cp := range stored {
		if cp.ID == id {
			if err := s.record(c, signal.ActionAuditVerify, "audit/checkpoint/"+strconv.FormatInt(cp.Size, 10), ""); err != nil {
				return err
			}
			c.Response().Header().Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="signaal-checkpoint-%d.txt"`, cp.Size))
			return c.Blob(http.StatusOK, "text/plain; charset=utf-8", []byte(cp.Note))
		}
	}
	return signal.Errorf(signal.CodeNotFound, "no checkpoint %d", id)
}

// accessReport builds the access report of subject, with content when
// asked, and audits its creation (apart for one with content).
func (s *Server) accessReport(c echo.Context, subject string, withContent bool) (signal.AccessReport, error) {
	ctx := c.Request().Context()
	sc, err := s.scopeOf(c)
	if err != nil {
		return signal.AccessReport{}, err
	}
	rep, sigs, err := s.db.Privacy().AccessReport(ctx, subject, sc.coop)
	if err != nil {
		return rep, err
	}
	object := "access-report"
	if withContent {
		if s.signals == nil {
			return rep, signal.Errorf(signal.CodeUnavailable, "signal content is not available on this server")
		}
		rep.WithContent = true
		object = "access-report/content"
		for i, sig := range sigs {
			content, err := s.signals.AccessContentOf(ctx, sig)
			if err != nil {
				return rep, err
			}
			rep.Signals[i].Content = content
		}
	}
	return rep, s.record(c, signal.ActionAccessReport, object, subject)
}

func subjectParam(c echo.Context) (string, error) {
	subject := c.Param("subject")
	if !pseudonymPattern.MatchString(subject) {
		return "", signal.Invalid(signal.FieldError{Field: "subject", Problem: "must be a young person's pseudonym (64 hex digits)"})
	}
	return subject, nil
}

// apiAccessReport: GET /api/v1/privacy/access-reports/{subject}[?content=true].
func (s *Server) apiAccessReport(c echo.Context) error {
	subject, err := subjectParam(c)
	if err != nil {
		return err
	}
	withContent, err := boolParam(c, "content")
	if err != nil {
		return err
	}
	rep, err := s.accessReport(c, subject, withContent)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `inline; filename="inzageverzoek.json"`)
	return c.JSON(http.StatusOK, rep)
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

// eraseRequest is the body of POST /api/v1/privacy/erasures.
type eraseRequest struct {
	Subject  string               `json:"subject"`
	SignalID string               `json:"signal_id"`
	Reason   signal.ErasureReason `json:"reason"`
}

func (s *Server) erase(c echo.Context, req eraseRequest) ([]signal.Erasure, error) {
	if s.privacy.Retention == nil {
		return nil, signal.Errorf(signal.CodeUnavailable, "erasure is not available on this server")
	}
	if req.Subject != "" && !pseudonymPattern.MatchString(req.Subject) {
		return nil, signal.Invalid(signal.FieldError{Field: "subject", Problem: "must be a young person's pseudonym (64 hex digits)"})
	}
	sc, err := s.scopeOf(c)
	if err != nil {
		return nil, err
	}
	return s.privacy.Retention.Erase(c.Request().Context(), signalActor(c), s.db.Privacy().Cooperation(sc.coop),
		signal.EraseRequest{Youth: req.Subject, SignalID: req.SignalID, Reason: req.Reason})
}

// apiErase: POST /api/v1/privacy/erasures {"subject" | "signal_id", "reason"}.
func (s *Server) apiErase(c echo.Context) error {
	var req eraseRequest
	if err := Decode(c, &req); err != nil {
		return err
	}
	done, err := s.erase(c, req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"erased": done})
}

func escalationStatus(v string) (signal.EscalationStatus, error) {
	st := signal.EscalationStatus(v)
	if v != "" && !st.Valid() {
		return "", signal.Invalid(signal.FieldError{Field: "status", Problem: "must be open, in_progress or done"})
	}
	return st, nil
}

// escalations validates ?status, loads the cooperation's escalation queue
// and audits the viewing; the API and the page only render what it returns.
func (s *Server) escalations(c echo.Context) ([]signal.Escalation, signal.EscalationStatus, error) {
	st, err := escalationStatus(c.QueryParam("status"))
	if err != nil {
		return nil, "", err
	}
	sc, err := s.scopeOf(c)
	if err != nil {
		return nil, "", err
	}
	list, err := s.db.Privacy().Escalations(c.Request().Context(), sc.coop, st)
	if err != nil {
		return nil, "", err
	}
	if err := s.record(c, signal.ActionEscalationView, "escalations", ""); err != nil {
		return nil, "", err
	}
	return list, st, nil
}

// apiEscalations: GET /api/v1/privacy/escalations[?status=open].
func (s *Server) apiEscalations(c echo.Context) error {
	list, _, err := s.escalations(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"escalations": list})
}

// apiUpdateEscalation: PATCH /api/v1/privacy/escalations/{seq} {"status"}.
func (s *Server) apiUpdateEscalation(c echo.Context) error {
	seq, err := strconv.ParseInt(c.Param("seq"), 10, 64)
	if err != nil || seq < 1 {
		return signal.Invalid(signal.FieldError{Field: "seq", Problem: "must be the number of an escalation"})
	}
	var body struct {
		Status signal.EscalationStatus `json:"status"`
	}
	if err := Decode(c, &body); err != nil {
		return err
	}
	if body.Status == "" {
		return signal.Invalid(signal.FieldError{Field: "status", Problem: "is required: open, in_progress or done"})
	}
	sc, err := s.scopeOf(c)
	if err != nil {
		return err
	}
	e, err := s.db.Privacy().UpdateEscalation(c.Request().Context(), signalActor(c), sc.coop, seq, body.Status)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, e)
}

// policiesJSON is the governance overview.
type policiesJSON struct {
	InForce  *signal.PolicyLoad     `json:"in_force,omitempty"`
	Versions []signal.PolicyVersion `json:"versions"`
	Loads    []signal.PolicyLoad    `json:"loads"`
}

// policies loads the governance overview at the time and audits the
// viewing; the API and the page only render what it returns.
func (s *Server) policies(c echo.Context, at time.Time) (policiesJSON, error) {
	ctx := c.Request().Context()
	p := s.db.Privacy()
	var out policiesJSON
	var err error
	if out.Versions, err = p.PolicyVersions(ctx); err != nil {
		return out, err
	}
	if out.Loads, err = p.PolicyLoads(ctx, 200); err != nil {
		return out, err
	}
	if l, err := p.PolicyInForce(ctx, at); err == nil {
		out.InForce = &l
	} else if signal.ErrorCode(err) != signal.CodeNotFound {
		return out, err
	}
	return out, s.record(c, signal.ActionPolicyView, "policies", "")
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
	out, err := s.policies(c, at)
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
	v, err := s.db.Privacy().PolicyVersion(c.Request().Context(), version)
	if err != nil {
		return err
	}
	if err := s.record(c, signal.ActionPolicyView, "policy/"+version, ""); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

func (s *Server) policyDiff(c echo.Context, fromV, toV string) ([]signal.FileDiff, error) {
	from, err := policyVersionParam("from", fromV)
	if err != nil {
		return nil, err
	}
	to, err := policyVersionParam("to", toV)
	if err != nil {
		return nil, err
	}
	ctx := c.Request().Context()
	a, err := s.db.Privacy().PolicyVersion(ctx, from)
	if err != nil {
		return nil, err
	}
	b, err := s.db.Privacy().PolicyVersion(ctx, to)
	if err != nil {
		return nil, err
	}
	if err := s.record(c, signal.ActionPolicyView, "policy-diff/"+from, ""); err != nil {
		return nil, err
	}
	return signal.DiffPolicies(a.Files, b.Files), nil
}

// apiPolicyDiff: GET /api/v1/privacy/policy-diff?from=VERSION&to=VERSION.
func (s *Server) apiPolicyDiff(c echo.Context) error {
	files, err := s.policyDiff(c, c.QueryParam("from"), c.QueryParam("to"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"from": c.QueryParam("from"), "to": c.QueryParam("to"), "files": files})
}

// oversight reads the dashboard over the last days.
func (s *Server) oversight(c echo.Context) (signal.Oversight, error) {
	days, threshold := 7, 50
	var fe signal.FieldErrors
	if v := c.QueryParam("days"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 366 {
			fe.Add("days", "must be from 1 to 366")
		}
		days = n
	}
	if v := c.QueryParam("threshold"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			fe.Add("threshold", "must be a positive number of signal views")
		}
		threshold = n
	}
	if err := fe.Err(); err != nil {
		return signal.Oversight{}, err
	}
	sc, err := s.scopeOf(c)
	if err != nil {
		return signal.Oversight{}, err
	}
	until := s.now()
	o, err := s.db.Privacy().Oversight(c.Request().Context(), sc.coop, sc.orgs, until.AddDate(0, 0, -days), until, threshold)
	if err != nil {
		return o, err
	}
	return o, s.record(c, signal.ActionOversightView, "oversight", "")
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
	if s.privacy.Retention == nil {
		return signal.Errorf(signal.CodeUnavailable, "retention is not available on this server")
	}
	run, err := s.privacy.Retention.Run(c.Request().Context(), true)
	if err != nil {
		return err
	}
	if err := s.record(c, signal.ActionPolicyView, "retention", ""); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"period": s.privacy.Retention.Period().String(), "due": run})
}

// apiRetentionRun: POST /api/v1/privacy/retention/run: erase what has
// expired now, rather than wait for the hourly job.
func (s *Server) apiRetentionRun(c echo.Context) error {
	if s.privacy.Retention == nil {
		return signal.Errorf(signal.CodeUnavailable, "retention is not available on this server")
	}
	run, err := s.privacy.Retention.Run(c.Request().Context(), false)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, run)
}
