package web

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/signaal-nl/signaal/signal"
)

// The summary before sending shows the young person's name and, per
// recipient, the exact text that will go; where the meeting may see less
// than full, the reporter writes or confirms the text for that level there,
// with the check's findings shown in place (issue 14, items 2, 3 and 6).
// What the summary shows is what the gate (signal/gate.go) will let through:
// both ask signal.Signals.Review.

// versionFields are the form fields of the texts per level. They are on
// the summary itself, so the questions' screens do not carry them.
var versionFields = []string{
	"versions.minimal.facts", "versions.minimal.confirmed", "versions.minimal.reason",
	"versions.anonymous.facts", "versions.anonymous.opinions", "versions.anonymous.confirmed", "versions.anonymous.reason",
}

// versionsForm reads the texts per level from a form. A level whose facts
// are empty has no version. Each ticked "confirmed" is a possible name the
// reporter confirmed, with the level's reason.
func versionsForm(f url.Values) signal.Versions {
	read := func(level string) *signal.TextVersion {
		facts := f.Get("versions." + level + ".facts")
		if strings.TrimSpace(facts) == "" {
			return nil
		}
		v := &signal.TextVersion{Facts: facts, Opinions: f.Get("versions." + level + ".opinions")}
		for _, words := range f["versions."+level+".confirmed"] {
			v.Confirmed = append(v.Confirmed, signal.Confirmation{Kind: signal.FindingPersonName, Text: words, Reason: f.Get("versions." + level + ".reason")})
		}
		return v
	}
	return signal.Versions{Minimal: read("minimal"), Anonymous: read("anonymous")}
}

// versionForm is one level's text on the summary.
type versionForm struct {
	Level    signal.Level
	Opinions bool // the level may read opinions (anonymous)
	Facts    []findingNote
	OpNotes  []findingNote
	// Confirmable are possible names the reporter may confirm.
	Confirmable []string
	Reason      string
}

// findingNote is one finding as the reporter reads it.
type findingNote struct {
	Words    string
	Kind     signal.FindingKind
	Blocking bool // the text does not go while it is there
}

func notes(c signal.TextCheck) []findingNote {
	out := make([]findingNote, 0, len(c.Findings))
	for _, f := range c.Findings {
		blocking := false
		for _, b := range c.Blocking {
			if b.Start == f.Start && b.End == f.End {
				blocking = true
			}
		}
		out = append(out, findingNote{Words: f.Text, Kind: f.Kind, Blocking: blocking})
	}
	return out
}

// reviewTexts fills in the summary's review: where the meeting may see
// less than full and the reporter has not written the level's text yet,
// the signal's own text is put in for them to fix or confirm.
func (s *Server) reviewTexts(c echo.Context, f url.Values, sd *summaryData) error {
	svc, err := s.signalsService()
	if err != nil {
		return err
	}
	in, _ := signalForm(f)
	level := sd.Decision.Level
	if r := in.Answers.Recipient.Role; r != nil && *r != signal.RecipientSignalMeeting {
		level = signal.LevelNone
	}
	switch level {
	case signal.LevelMinimal:
		if in.Versions.Minimal == nil && f.Get("versions.minimal.facts") == "" {
			f.Set("versions.minimal.facts", in.Facts)
		}
	case signal.LevelAnonymous:
		if in.Versions.Anonymous == nil && f.Get("versions.anonymous.facts") == "" {
			f.Set("versions.anonymous.facts", in.Facts)
			f.Set("versions.anonymous.opinions", in.Opinions)
		}
	}
	in, _ = signalForm(f)
	r, err := svc.Review(c.Request().Context(), signalActor(c), in)
	if err != nil {
		return err
	}
	sd.Review = &r
	sd.Reviewed = reviewedDigest(f)
	sd.Carry = carry(f, versionFields...)
	for _, path := range []string{"facts", "opinions"} {
		for _, n := range notes(r.Checks[path]) {
			if n.Blocking {
				sd.FullText = append(sd.FullText, n)
			}
		}
	}
	if level == signal.LevelMinimal || level == signal.LevelAnonymous {
		sd.Versions = []versionForm{reviewVersion(&r, level, f)}
	}
	return nil
}

// reviewVersion is the summary's text for level: its findings as the
// review found them, and the possible names the reporter may confirm.
func reviewVersion(r *signal.Review, level signal.Level, f url.Values) versionForm {
	vf := versionForm{Level: level, Opinions: level == signal.LevelAnonymous, Reason: f.Get("versions." + string(level) + ".reason")}
	vf.Facts = notes(r.Checks["versions."+string(level)+".facts"])
	vf.OpNotes = notes(r.Checks["versions."+string(level)+".opinions"])
	seen := map[string]bool{}
	for _, n := range append(append([]findingNote{}, vf.Facts...), vf.OpNotes...) {
		if n.Kind == signal.FindingPersonName && !seen[n.Words] {
			seen[n.Words] = true
			vf.Confirmable = append(vf.Confirmable, n.Words)
		}
	}
	return vf
}

// ctxReviewChanged marks a send whose texts per level differ from the ones
// the summary showed (see sendSignal).
const ctxReviewChanged = "signaal.review_changed"

// ctxCompleteReview carries the review of a stored draft being completed
// (Signals.ReviewComplete) to its summary.
const ctxCompleteReview = "signaal.complete_review"

// reviewedDigest is a digest of a form's texts per level and its
// confirmations, as the summary reviewed them: a send carrying another
// digest was changed after the reporter saw what each recipient reads. It
// protects nothing secret (the page holds the texts themselves); it only
// tells "changed".
func reviewedDigest(f url.Values) string {
	h := sha256.New()
	for _, name := range versionFields {
		for _, v := range f[name] {
			// A browser sends a textarea's line ends as CR LF.
			v = strings.TrimSpace(strings.ReplaceAll(v, "\r\n", "\n"))
			h.Write([]byte(name + "\x00" + v + "\x00"))
		}
		h.Write([]byte{1})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}
