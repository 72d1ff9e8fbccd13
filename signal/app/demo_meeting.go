package app

import (
	"context"
	"fmt"
	"time"

	"github.com/signaal-nl/signaal/signal"
)

// demoSignal is one signal of the demo, with the answers that give the
// meeting level it shows (all four the agenda can show). contains is what
// the reporter ticked the text holds besides facts and opinions. Below full
// the reporter confirms the facts as the text for the level (the form asks
// for it, issue 14): the demo's texts for those levels name no one.
type demoSignal struct {
	reporter, name, born string
	category             signal.Category
	facts, opinions      string
	level                signal.Level
	contains             []signal.Field
}

var demoSignals = []demoSignal{
	{"mentor@demo.signaal.nl", "Sanne de Vries", "2011-03-14", signal.CategorySchoolAbsence,
		"Sinds de herfstvakantie 9 van de 20 lesdagen afwezig, telkens afgemeld door moeder wegens buikpijn.", "Ze lijkt zich terug te trekken uit de klas.", signal.LevelFull,
		[]signal.Field{signal.FieldHealth}},
	{"jongerenwerker@demo.signaal.nl", "Sanne de Vries", "2011-03-14", signal.CategorySubstanceUse,
		"Drie avonden na 23.00 uur gezien bij de skatebaan met oudere jongeren die blowden.", "", signal.LevelExistence, nil},
	{"jongerenwerker@demo.signaal.nl", "Daan Jansen", "2012-01-09", signal.CategoryWellbeing,
		"Vertelde in het buurthuis dat hij thuis niet meer durft te slapen; schrok van harde geluiden.", "", signal.LevelMinimal, nil},
	{"mentor@demo.signaal.nl", "Noor Visser", "2010-12-30", signal.CategoryOnline,
		"Klasgenoten laten berichten zien waarin een onbekende volwassene haar om foto's vraagt.", "", signal.LevelAnonymous, nil},
}

// demoAnswers gives each level for a young person of 12 to 15 with the
// signal meeting as recipient (see policy-contract.md).
func demoAnswers(level signal.Level) signal.Answers {
	p := signal.PurposeCoordinateSupport
	yes, no := true, false
	harm := signal.HarmNone
	a := signal.Answers{Purpose: &p, LegalDuty: &no}
	a.Risk.AcuteDanger, a.Risk.AskingEndangers, a.Risk.Harm = &no, &no, &harm
	a.Abuse.Suspected = &no
	consent := func(c signal.ConsentAnswer, recorded bool) {
		a.Consent.Youth, a.Consent.Parents, a.Consent.Recorded = &c, &c, &recorded
	}
	switch level {
	case signal.LevelFull:
		consent(signal.ConsentGiven, true)
	case signal.LevelMinimal:
		consent(signal.ConsentRefused, true)
		likely := signal.HarmLikely
		a.Risk.Harm = &likely
		a.DutyConflict.NoOtherWay, a.DutyConflict.PreventsHarm, a.DutyConflict.ExpertConsulted = &yes, &yes, &yes
	case signal.LevelExistence:
		consent(signal.ConsentRefused, true)
	case signal.LevelAnonymous:
		consent(signal.ConsentNotAsked, false)
	}
	return a
}

// seedDemoMeeting gives the demo something to look at: signals of two
// partners at every level the meeting can see (one young person signalled
// by both, a match) and a planned meeting next week. It runs through the
// use cases, so everything is decided by the real policy, sealed and
// audited; it creates nothing twice (no signals when the demo reporters
// have any, no meeting when the cooperation has one).
func (a *App) seedDemoMeeting(ctx context.Context, now time.Time) error {
	db, signals, meetings := a.DB, a.Signals, a.Meetings
	actor := func(email string) (signal.Actor, error) {
		u, _, err := db.UserByEmail(ctx, email)
		if err != nil {
			return signal.Actor{}, fmt.Errorf("demo account %s: %w", email, err)
		}
		return signal.Actor{UserID: u.ID, OrgID: u.OrgID, Role: u.Role, RequestID: "demo-seed"}, nil
	}
	mentor, err := actor("mentor@demo.signaal.nl")
	if err != nil {
		return err
	}
	existing, err := db.Meetings().ReporterSignals(ctx, mentor.UserID)
	if err != nil {
		return err
	}
	if len(existing) == 0 {
		for _, d := range demoSignals {
			by, err := actor(d.reporter)
			if err != nil {
				return err
			}
			in := signal.NewSignal{
				Youth: signal.NewYouth{Name: d.name, BirthDate: d.born}, Category: d.category,
				Facts: d.facts, Opinions: d.opinions, ObservedOn: signal.Today(now.Add(-48 * time.Hour)).String(),
				Answers: demoAnswers(d.level), Contains: d.contains,
			}
			switch d.level {
			case signal.LevelMinimal:
				in.Versions.Minimal = &signal.TextVersion{Facts: d.facts}
			case signal.LevelAnonymous:
				in.Versions.Anonymous = &signal.TextVersion{Facts: d.facts, Opinions: d.opinions}
			}
			res, err := signals.Submit(ctx, by, in, "")
			if err != nil {
				return fmt.Errorf("demo signal: %w", err)
			}
			if res.Decision.Level != d.level {
				return fmt.Errorf("demo signal about %s: the policy decided level %s, the demo expects %s", d.name, res.Decision.Level, d.level)
			}
		}
	}
	chair, err := actor("zorgcoordinator@demo.signaal.nl")
	if err != nil {
		return err
	}
	list, err := meetings.List(ctx, chair)
	if err != nil {
		return err
	}
	if len(list) > 0 {
		return nil
	}
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		loc = time.FixedZone("CET", 3600)
	}
	day := signal.Today(now.Add(7 * 24 * time.Hour))
	starts := time.Date(day.Year, day.Month, day.Day, 14, 0, 0, 0, loc)
	if _, err := meetings.Plan(ctx, chair, signal.NewMeeting{Title: "Signaleringsoverleg Demo", StartsAt: starts.Format(time.RFC3339)}); err != nil {
		return fmt.Errorf("demo meeting: %w", err)
	}
	return nil
}
