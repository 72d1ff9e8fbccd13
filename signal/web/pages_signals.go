package web

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/signaal-nl/signaal/signal"
)

// The reporter's pages (issue 5): home, the new-signal flow and a signal's
// result. They work without JavaScript: each screen is a form posted to the
// server, which renders the next. Between screens the form's values travel
// in hidden fields (over TLS, never stored or logged): nothing is stored
// before the reporter presses "send", and the policy is asked on every
// screen which question comes next (Decision.Missing). static/app.js adds
// the offline outbox on top: the send form goes to POST /api/v1/signals
// with an Idempotency-Key, kept in IndexedDB until acknowledged.

// reporterPages registers the reporter's pages.
func (s *Server) reporterPages(g *PageGroup) {
	reporter := s.RequireRole(signal.RoleReporter)
	g.GET("/signalen", s.homePage, reporter)
	g.GET("/signalen/nieuw", s.newSignalPage, reporter)
	g.POST("/signalen/nieuw", s.newSignalStep, reporter)
	g.POST("/signalen/verstuur", s.sendSignal, reporter)
	g.GET("/signalen/telefoonsleutel", s.outboxKey, reporter)
	g.GET("/signalen/:id", s.signalPage, reporter)
	g.GET("/signalen/:id/vragen", s.completeQuestion, reporter)
	g.POST("/signalen/:id/vragen", s.completeStep, reporter)
	g.POST("/signalen/:id/plichten", s.recordDuty, reporter)
}

// outboxKey: GET /signalen/telefoonsleutel, the key this reporter's phone
// encrypts its outbox with (signal.Accounts.OutboxKey): app.js fetches it
// once per login, keeps it as a WebCrypto key that cannot be exported and
// forgets it at logout. Never cached, never logged.
func (s *Server) outboxKey(c echo.Context) error {
	ob, err := s.users.OutboxKey(signalActor(c))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, map[string]string{"account": ob.Account, "key": base64.StdEncoding.EncodeToString(ob.Key)})
}

// recentLimit is how many of their signals the home page lists.
const recentLimit = 20

type homeData struct {
	Signals []signal.SignalView
	Sent    bool
	// Duties are the duties still open on the reporter's signals, with
	// the young person's name where the recent list has it.
	Duties []homeDuty
}

type homeDuty struct {
	signal.OpenDuty
	Name string
}

// homePage: GET /signalen, the reporter's start: "new signal", their recent
// signals with status and what was shared, and (filled in by app.js) the
// signals waiting on this phone to be sent.
func (s *Server) homePage(c echo.Context) error {
	svc, err := s.signalsService()
	if err != nil {
		return err
	}
	page, err := svc.List(c.Request().Context(), signalActor(c), "", recentLimit)
	if err != nil {
		return err
	}
	open, err := svc.OpenDuties(c.Request().Context(), signalActor(c))
	if err != nil {
		return err
	}
	d := homeData{Signals: page.Signals}
	for _, od := range open {
		hd := homeDuty{OpenDuty: od}
		for _, sv := range page.Signals {
			if sv.ID == od.SignalID && sv.Youth != nil {
				hd.Name = sv.Youth.Name
			}
		}
		d.Duties = append(d.Duties, hd)
	}
	return s.Render(c, http.StatusOK, "home", "home.title", d)
}

// knownYouth is a young person the reporter reported before, to pick
// instead of typing the name and birth date again.
type knownYouth struct {
	Value string // "birth date|name", the pick field's value
	Name  string
	Born  string
}

type signalFormData struct {
	Categories []signal.Category
	Contains   []signal.Field
	Known      []knownYouth
	Today      string
	Carry      []hiddenField // the answers given so far, kept while editing
	// Acute is the first question, acute danger, asked at the top of the
	// form so 112 shows at once (issue 15 item 5).
	Acute *signal.Question
	// Questions are the policy's other questions, in the form for the
	// policy on the phone (phone.js) to show as it needs them; Phone says
	// where policy.wasm is, empty when the server has none.
	Questions  []signal.Question
	Phone      policyOnPhone
	PhoneTexts map[string]string
	// Screens is where phone.js finds the texts of the check and the
	// result it makes without a connection.
	Screens string
	// Recipient names who "Verstuur signaal" sends to in the report step
	// (phone.js updates it as the worker answers).
	Recipient signal.RecipientRole
	// Partners names the partners of the signal meeting (meetingPartners).
	Partners string
	Stored   bool // always false: nothing is stored yet
}

// onPhone are the questions phone.js never shows: the age comes from the
// birth date, the fields and their separation from the texts.
var notOnPhone = []string{"risk.acute_danger", "youth.age", "youth.capable", "fields", "facts_opinions_separated"}

// phoneTextKeys are the catalogue texts phone.js writes the decision with.
func (s *Server) phoneTexts(v *View) map[string]string {
	out := map[string]string{}
	add := func(prefix string, values ...string) {
		for _, x := range values {
			out[prefix+x] = v.T(prefix + x)
		}
	}
	for _, o := range signal.Outcomes {
		add("outcome.", string(o))
	}
	for _, l := range signal.Levels {
		add("level.", string(l))
	}
	for _, r := range signal.RecipientRoles {
		add("recipient.", string(r))
	}
	for _, l := range signal.Levels {
		add("report.recipient.", string(l))
	}
	out["recipient.partners"] = v.T("recipient.partners")
	out["lang"] = string(v.Lang)
	out["answer.yes"], out["answer.no"], out["form.required"] = v.T("answer.yes"), v.T("answer.no"), v.T("form.required")
	return out
}

// newSignalPage: GET /signalen/nieuw, screen 1 (who) and 2 (what) of a new
// signal. The page is also the app shell the service worker keeps, so it
// holds no young person's data except the reporter's own earlier ones.
func (s *Server) newSignalPage(c echo.Context) error {
	v := s.view(c, "new.title", nil)
	v.Form = url.Values{"observed_on": {signal.Today(s.now()).String()}}
	return s.renderSignalForm(c, http.StatusOK, v)
}

func (s *Server) renderSignalForm(c echo.Context, status int, v *View) error {
	d := signalFormData{Categories: signal.Categories, Contains: signal.ContainedFields, Today: signal.Today(s.now()).String(),
		Phone: s.policyOnPhone(), Recipient: recipientOf(v.Form), Partners: s.meetingPartners(c)}
	except := append(slices.Clone(formFields), "answers.risk.acute_danger")
	if q, ok := s.question("risk.acute_danger"); ok {
		d.Acute = &q
	}
	if d.Phone.URL != "" {
		d.PhoneTexts, d.Screens = s.phoneTexts(v), s.phoneScreensURL(v.Lang)
		d.PhoneTexts["partners"] = d.Partners
		c.Response().Header().Set("Content-Security-Policy", cspWithWasm)
	}
	d.Carry = carry(v.Form, except...)
	// The app shell (?shell=1) the service worker keeps holds no young
	// person's name: the list of earlier ones is left out.
	if svc, err := s.signalsService(); err == nil && c.QueryParam("shell") == "" {
		page, err := svc.List(c.Request().Context(), signalActor(c), "", signal.MaxPageSize)
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, sv := range page.Signals {
			if sv.Youth == nil || sv.Youth.Name == "" || seen[sv.Youth.Ref] {
				continue
			}
			seen[sv.Youth.Ref] = true
			d.Known = append(d.Known, knownYouth{Value: sv.Youth.BirthDate + "|" + sv.Youth.Name, Name: sv.Youth.Name, Born: sv.Youth.BirthDate})
		}
	}
	v.Title, v.Data = "new.title", d
	return s.render(c, status, "signal_form", v)
}

// signalForm reads a new signal and its answers from a posted form; the
// field names are the wire paths ("youth.name", "answers.consent.youth").
func signalForm(f url.Values) (signal.NewSignal, []signal.FieldError) {
	in := signal.NewSignal{
		Youth:      signal.NewYouth{Name: f.Get("youth.name"), BirthDate: f.Get("youth.birth_date")},
		Category:   signal.Category(f.Get("category")),
		Facts:      f.Get("facts"),
		Opinions:   f.Get("opinions"),
		ObservedOn: f.Get("observed_on"),
	}
	if pick := f.Get("youth.pick"); pick != "" && strings.TrimSpace(in.Youth.Name) == "" && in.Youth.BirthDate == "" {
		in.Youth.BirthDate, in.Youth.Name, _ = strings.Cut(pick, "|")
	}
	for _, x := range f["contains"] {
		in.Contains = append(in.Contains, signal.Field(x))
	}
	in.Versions = versionsForm(f)
	var problems []signal.FieldError
	for _, p := range signal.AnswerPaths {
		if val := f.Get("answers." + p); val != "" {
			if err := signal.SetAnswer(&in.Answers, p, val); err != nil {
				problems = append(problems, signal.FieldError{Field: "answers." + p, Problem: "invalid"})
			}
		}
	}
	return in, problems
}

// formFields are the fields of screens 1 and 2 that the later screens carry.
var formFields = []string{"youth.name", "youth.birth_date", "youth.pick", "category", "facts", "opinions", "observed_on", "contains"}

// hiddenField is one name/value the next screen carries.
type hiddenField struct{ Name, Value string }

// carry returns the form's values of screens 1 and 2 and its answers as
// hidden fields, without the fields named in except.
func carry(f url.Values, except ...string) []hiddenField {
	var out []hiddenField
	names := append(slices.Clone(formFields), answerFields()...)
	for _, n := range names {
		if slices.Contains(except, n) {
			continue
		}
		for _, v := range f[n] {
			if v != "" {
				out = append(out, hiddenField{n, v})
			}
		}
	}
	return out
}

func answerFields() []string {
	out := make([]string, len(signal.AnswerPaths))
	for i, p := range signal.AnswerPaths {
		out[i] = "answers." + p
	}
	return out
}

type questionData struct {
	Action   string
	Question signal.Question
	Number   int
	Carry    []hiddenField
	Edit     bool // offer "change the signal" (the new-signal flow)
}

type summaryData struct {
	Action    string
	Recipient signal.RecipientRole
	// Partners names the partners of the signal meeting (meetingPartners).
	Partners string
	Decision signal.Decision
	// Review is what the gate makes of the texts (for a stored draft being
	// completed, of its stored texts, which are not edited here): the young
	// person's name, the findings per text and what each recipient will
	// read.
	Review *signal.Review
	// Versions are the texts to write or confirm for the meeting's level
	// below full, with their findings marked.
	Versions []versionForm
	// FullText are the findings in the signal's own text that the decision
	// does not allow at full.
	FullText []findingNote
	// Reviewed is the digest of the texts per level as this summary shows
	// them (reviewedDigest); a send whose texts differ shows the summary
	// again instead of sending text the reporter has not seen checked.
	Reviewed string
	// PhoneDiffers says how the decision the phone showed differs from
	// the server's ("" when it does not).
	PhoneDiffers string
	// Changed: the reporter changed a text after the summary was shown.
	Changed bool
	Carry   []hiddenField
	Key     string // the Idempotency-Key of this submission
	Edit    bool
	Submit  string // the send button's catalogue key
	Outbox  bool   // app.js sends it through the outbox
	Confirm bool   // completing a draft: the post stores the answers
	Check   string // where "check again" posts the texts per level
	Stored  bool   // false: the decision is a preview
}

// newSignalStep: POST /signalen/nieuw, the next screen of a new signal:
// the form again with its problems, the next question the policy needs, or
// the summary before sending. Nothing is stored.
func (s *Server) newSignalStep(c echo.Context) error {
	svc, err := s.signalsService()
	if err != nil {
		return err
	}
	f, err := c.FormParams()
	if err != nil {
		return signal.Errorf(signal.CodeInvalid, "unreadable form")
	}
	v := s.view(c, "new.title", nil)
	v.Form = f
	if f.Get("edit") != "" {
		return s.renderSignalForm(c, http.StatusOK, v)
	}
	in, answerProblems := signalForm(f)
	if len(answerProblems) > 0 {
		return signal.Invalid(answerProblems...)
	}
	d, err := svc.Preview(c.Request().Context(), signalActor(c), in)
	if err != nil {
		var se *signal.Error
		if errors.As(err, &se) && se.Code == signal.CodeInvalid {
			v.Errors = s.formErrors(v, se.Fields)
			return s.renderSignalForm(c, http.StatusBadRequest, v)
		}
		return err
	}
	if diff := phoneDiffers(v, f.Get("phone_decision"), d); diff != "" {
		c.Set(ctxPhoneDiffers, diff)
	}
	return s.nextScreen(c, v, d, "/signalen/nieuw", "/signalen/verstuur", true)
}

// ctxPhoneDiffers holds, for the summary, how the phone's decision differs
// from the server's.
const ctxPhoneDiffers = "signaal.phone-differs"

// phoneDiffers compares the decision the phone made with the policy on the
// phone (phone.js sends it as phone_decision) with the server's, which is
// the authority: "" when they agree (or the phone made none), else the
// sentence that tells the worker both.
func phoneDiffers(v *View, phone string, d signal.Decision) string {
	if phone == "" || d.Outcome == signal.OutcomeIncomplete {
		return ""
	}
	var p struct {
		Outcome, Level, Rule string
		Version              string `json:"policy_version"`
	}
	if json.Unmarshal([]byte(phone), &p) != nil {
		return ""
	}
	if p.Outcome == string(d.Outcome) && p.Level == string(d.Level) && p.Rule == string(d.Rule) && p.Version == d.PolicyVersion {
		return ""
	}
	// "Niet delen (niets gedeeld)": the outcome without its full stop,
	// the level in its short form, so the sentence around it reads clean.
	say := func(outcome, level string) string {
		return strings.TrimSuffix(v.Label("outcome.", outcome), ".") + " (" + v.Label("level.short.", level) + ")"
	}
	return v.T("phone.differs.text", say(p.Outcome, p.Level), say(string(d.Outcome), string(d.Level)))
}

// nextScreen renders the next question the decision is missing, or, when
// it is complete, the summary whose form posts to send.
func (s *Server) nextScreen(c echo.Context, v *View, d signal.Decision, ask, send string, edit bool) error {
	f := v.Form
	if d.Outcome == signal.OutcomeIncomplete && len(d.Missing) > 0 {
		var err error
		q, ok := s.question(d.Missing[0])
		if !ok {
			return signal.Errorf(signal.CodeInternal, "the policy asks %q, which is not in its catalogue", d.Missing[0])
		}
		if q, err = s.underAgreement(c, q); err != nil {
			return err
		}
		if q.ID == "purpose" && f.Has("category") && f.Get("category") != string(signal.CategoryRadicalisation) {
			// That purpose belongs to the category radicalisation only.
			q.Answers = slices.DeleteFunc(slices.Clone(q.Answers), func(a signal.AnswerOption) bool {
				return a.Value == string(signal.PurposeRadicalisationConcern)
			})
		}
		name := "answers." + q.ID
		if f.Get("asked") == q.ID && f.Get(name) == "" {
			v.Errors = []FormError{{name, v.T("question.choose")}}
		}
		answered := 0
		for _, p := range answerFields() {
			if f.Get(p) != "" {
				answered++
			}
		}
		v.Title = "question.title"
		v.Data = questionData{Action: ask, Question: q, Number: answered + 1, Carry: carry(f, name), Edit: edit}
		status := http.StatusOK
		if v.Errors != nil {
			status = http.StatusBadRequest
		}
		return s.render(c, status, "signal_question", v)
	}
	v.Title = "summary.title"
	sd := summaryData{Action: send, Decision: d, Carry: carry(f), Edit: edit, Recipient: recipientOf(f), Partners: s.meetingPartners(c)}
	if edit {
		if err := s.reviewTexts(c, f, &sd); err != nil {
			return err
		}
		sd.Changed, _ = c.Get(ctxReviewChanged).(bool)
		sd.PhoneDiffers, _ = c.Get(ctxPhoneDiffers).(string)
	}
	sd.Check = "/signalen/nieuw"
	if r, ok := c.Get(ctxCompleteReview).(*signal.Review); ok && !edit {
		sd.Review, sd.Check = r, send
		sd.Changed, _ = c.Get(ctxReviewChanged).(bool)
		if r.Write != "" {
			sd.Versions = []versionForm{reviewVersion(r, r.Write, f)}
			sd.Reviewed = reviewedDigest(f)
			sd.Carry = carry(f, versionFields...)
		}
	}
	if edit {
		sd.Key, sd.Submit, sd.Outbox = signal.NewIdempotencyKey(s.now()), "summary.send", true
	} else {
		sd.Submit, sd.Confirm = "summary.save", true
	}
	v.Data = sd
	return s.render(c, http.StatusOK, "signal_summary", v)
}

func (s *Server) question(id string) (signal.Question, bool) {
	for _, q := range s.questions {
		if q.ID == id {
			return q, true
		}
	}
	return signal.Question{}, false
}

// sendSignal: POST /signalen/verstuur, the summary's send button without
// JavaScript (app.js sends the same fields to POST /api/v1/signals). The
// Idempotency-Key of the summary makes a repeated post store once.
func (s *Server) sendSignal(c echo.Context) error {
	svc, err := s.signalsService()
	if err != nil {
		return err
	}
	f, err := c.FormParams()
	if err != nil {
		return signal.Errorf(signal.CodeInvalid, "unreadable form")
	}
	in, answerProblems := signalForm(f)
	if len(answerProblems) > 0 {
		return signal.Invalid(answerProblems...)
	}
	if r := f.Get("reviewed"); r != "" && r != reviewedDigest(f) {
		// The texts per level changed after the summary showed what each
		// recipient reads: show it again for what they are now.
		c.Set(ctxReviewChanged, true)
		return s.newSignalStep(c)
	}
	key := f.Get("idempotency_key")
	if key != "" {
		if err := signal.ValidIdempotencyKey(key); err != nil {
			return err
		}
	}
	res, err := svc.Submit(c.Request().Context(), signalActor(c), in, key)
	if err != nil {
		var se *signal.Error
		if errors.As(err, &se) && se.Code == signal.CodeInvalid {
			v := s.view(c, "new.title", nil)
			v.Form = f
			v.Errors = s.formErrors(v, se.Fields)
			return s.renderSignalForm(c, http.StatusBadRequest, v)
		}
		return err
	}
	return redirect(c, "/signalen/"+url.PathEscape(res.ID))
}

type signalPageData struct {
	Stored    bool // true: the decision is the stored one
	Signal    signal.SignalView
	Decision  signal.Decision
	Recipient signal.RecipientRole
	// Partners names the partners of the signal meeting (meetingPartners).
	Partners string
	// Duties are what the decision asks of the reporter and what they
	// recorded; Recorded the duty just recorded (its confirmation).
	Duties   []dutyForm
	Recorded signal.Duty
	Today    string
	// Sent: the page is the result of sending it (step 3 of 3), so it says
	// "sent" in words and what the recipient reads of it (Review).
	Sent   bool
	Review *signal.Review
}

// recipientOf is the recipient a form's answers name, else the default
// (the cooperation's signal meeting).
func recipientOf(f url.Values) signal.RecipientRole {
	if r := f.Get("answers.recipient.role"); r != "" {
		return signal.RecipientRole(r)
	}
	return *signal.DefaultRecipient().Role
}

// signalPage: GET /signalen/:id, the reporter's own signal: what they
// recorded and what the policy decided (or the questions still open).
func (s *Server) signalPage(c echo.Context) error {
	d, err := s.signalPageData(c, c.Param("id"))
	if err != nil {
		return err
	}
	if r := signal.Duty(c.QueryParam("vastgelegd")); r.Valid() {
		d.Recorded = r
	}
	return s.Render(c, http.StatusOK, "signal", "signal.title", d)
}

// signalPageData is the reporter's own signal id with its decision and
// duties.
func (s *Server) signalPageData(c echo.Context, id string) (signalPageData, error) {
	svc, err := s.signalsService()
	if err != nil {
		return signalPageData{}, err
	}
	ctx, actor := c.Request().Context(), signalActor(c)
	sv, err := svc.Get(ctx, actor, id)
	if err != nil {
		return signalPageData{}, err
	}
	d := signalPageData{Stored: true, Signal: sv, Recipient: *signal.DefaultRecipient().Role, Today: signal.Today(s.now()).String(), Partners: s.meetingPartners(c),
		Sent: c.QueryParam("verstuurd") != ""}
	if sv.Decision != nil {
		d.Decision = *sv.Decision
	}
	if sv.Answers != nil && sv.Answers.Recipient.Role != nil {
		d.Recipient = *sv.Answers.Recipient.Role
	}
	if !sv.Erased {
		sts, err := svc.DutiesOfSignal(ctx, actor, id)
		if err != nil {
			return signalPageData{}, err
		}
		d.Duties = dutiesOf(sts)
	}
	if d.Sent && sv.Status == signal.StatusDecided && !sv.Erased {
		// What went, as the server's check let it go: a text the level
		// does not allow did not go, and the reporter sees that here.
		r, err := svc.ReviewComplete(ctx, actor, sv.ID, signal.Answers{}, signal.Versions{})
		if err != nil {
			return signalPageData{}, err
		}
		if r.Write != "" {
			// No text stored for the level: none went (ReviewComplete
			// judges the text it proposes to write as if it were there).
			for i := range r.Outgoing {
				if r.Outgoing[i].Level == r.Write {
					r.Outgoing[i].Facts, r.Outgoing[i].Opinions, r.Outgoing[i].Version = "", "", ""
					r.Outgoing[i].Withheld = true
				}
			}
		}
		d.Review = &r
	}
	return d, nil
}

// completeQuestion: GET /signalen/:id/vragen, the first open question of a
// draft.
func (s *Server) completeQuestion(c echo.Context) error {
	return s.completeWith(c, url.Values{})
}

// completeStep: POST /signalen/:id/vragen, the next open question of a
// draft, its summary, or (confirm) storing the answers.
func (s *Server) completeStep(c echo.Context) error {
	f, err := c.FormParams()
	if err != nil {
		return signal.Errorf(signal.CodeInvalid, "unreadable form")
	}
	return s.completeWith(c, f)
}

func (s *Server) completeWith(c echo.Context, f url.Values) error {
	svc, err := s.signalsService()
	if err != nil {
		return err
	}
	id := c.Param("id")
	var more signal.Answers
	for _, p := range signal.AnswerPaths {
		if val := f.Get("answers." + p); val != "" {
			if err := signal.SetAnswer(&more, p, val); err != nil {
				return err
			}
		}
	}
	ctx := c.Request().Context()
	versions := versionsForm(f)
	if f.Get("confirm") != "" && f.Get("check") == "" {
		if r := f.Get("reviewed"); r != "" && r != reviewedDigest(f) {
			// The text per level changed after the summary showed what
			// the meeting reads: show it again for what it is now.
			c.Set(ctxReviewChanged, true)
		} else {
			if _, err := svc.Complete(ctx, signalActor(c), id, more, versions); err != nil {
				return err
			}
			return redirect(c, "/signalen/"+url.PathEscape(id))
		}
	}
	d, err := svc.PreviewComplete(ctx, signalActor(c), id, more)
	if err != nil {
		return err
	}
	if d.Outcome != signal.OutcomeIncomplete || len(d.Missing) == 0 {
		// The summary: what each recipient will read of the stored texts,
		// and the text for the meeting's level where none is stored yet.
		r, err := svc.ReviewComplete(ctx, signalActor(c), id, more, versions)
		if err != nil {
			return err
		}
		if r.Write != "" && f.Get("versions."+string(r.Write)+".facts") == "" {
			f.Set("versions."+string(r.Write)+".facts", r.Proposed.Facts)
			if r.Write == signal.LevelAnonymous {
				f.Set("versions.anonymous.opinions", r.Proposed.Opinions)
			}
		}
		c.Set(ctxCompleteReview, &r)
	}
	v := s.view(c, "question.title", nil)
	v.Form = f
	action := "/signalen/" + url.PathEscape(id) + "/vragen"
	return s.nextScreen(c, v, d, action, action, false)
}

// formErrors turns the domain's field problems into messages in the user's
// language, in the order of the form. Known problems have a catalogue
// text per field; others keep the domain's (English) wording after the
// field's name, which is still precise.
func (s *Server) formErrors(v *View, fields []signal.FieldError) []FormError {
	order := []string{"youth.name", "youth.birth_date", "category", "facts", "opinions", "observed_on", "contains"}
	rank := func(f string) int {
		for i, o := range order {
			if strings.HasPrefix(f, o) {
				return i
			}
		}
		return len(order)
	}
	sorted := slices.Clone(fields)
	slices.SortStableFunc(sorted, func(a, b signal.FieldError) int { return rank(a.Field) - rank(b.Field) })
	var out []FormError
	seen := map[string]bool{}
	for _, fe := range sorted {
		field := fe.Field
		if strings.HasPrefix(field, "contains[") {
			field = "contains"
		}
		if seen[field] {
			continue
		}
		seen[field] = true
		out = append(out, FormError{Field: field, Message: problemText(v, field, fe.Problem)})
	}
	return out
}

// problemText is the catalogue text for a domain problem of a field.
func problemText(v *View, field, problem string) string {
	kind := "invalid"
	switch {
	case strings.HasPrefix(problem, "is required"):
		kind = "required"
	case strings.Contains(problem, "future"):
		kind = "future"
	case strings.Contains(problem, "at most"):
		kind = "toolong"
	case strings.Contains(problem, "older than"):
		kind = "tooold"
	case strings.Contains(problem, "within the last two years"):
		kind = "expired"
	case strings.Contains(problem, "before youth.birth_date"):
		kind = "beforebirth"
	}
	key := "form." + field + "." + kind
	if v.cat.Has(key) {
		return v.T(key)
	}
	return v.T("label."+field) + ": " + problem
}

// meetingPartners names who "het signaleringsoverleg" is in the reporter's
// cooperation: "Demo College, Jongerenwerk Test, Gemeente Test". "" when
// the map cannot be read (the page then names the meeting alone).
func (s *Server) meetingPartners(c echo.Context) string {
	if s.admin == nil {
		return ""
	}
	m, err := s.admin.Map(c.Request().Context(), signalActor(c))
	if err != nil {
		s.logger.Warn("read the cooperation's partners", "error", err.Error())
		return ""
	}
	return strings.Join(m.MeetingPartners(), ", ")
}
