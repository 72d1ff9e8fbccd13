package web

import (
	"fmt"
	"strings"
	"time"

	"github.com/signaal-nl/signaal/signal"
)

// Dates and times as people read them (issue 17): in Europe/Amsterdam (also
// the zone in which a coordinator types a meeting's date and time),
// the month written out ("4 december 2026"), not UTC or ISO.

var amsterdam = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return loc
}()

var monthNames = map[Lang][12]string{
	LangNL: {"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"},
	LangEN: {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
}

func (v *View) months() [12]string {
	if m, ok := monthNames[v.Lang]; ok {
		return m
	}
	return monthNames[LangNL]
}

// Day writes a date or the day of a time (in Europe/Amsterdam) as
// "4 december 2026"; "" for a zero or nil value.
func (v *View) Day(x any) string {
	var d signal.Date
	switch t := x.(type) {
	case time.Time:
		if t.IsZero() {
			return ""
		}
		d = signal.DateOf(t.In(amsterdam))
	case *time.Time:
		if t == nil || t.IsZero() {
			return ""
		}
		d = signal.DateOf(t.In(amsterdam))
	case signal.Date:
		d = t
	case string:
		p, err := signal.ParseDate(t)
		if err != nil {
			return t
		}
		d = p
	case *signal.Date:
		if t == nil {
			return ""
		}
		d = *t
	default:
		return fmt.Sprint(x)
	}
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%d %s %d", d.Day, v.months()[d.Month-1], d.Year)
}

// When writes a time in Europe/Amsterdam as "4 december 2026, 14:05".
func (v *View) When(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return v.Day(t) + ", " + t.In(amsterdam).Format("15:04")
}

// Span writes a retention period ("2y", "1y6m") in words: "2 jaar",
// "1 jaar en 6 maanden"; an unreadable one as it is.
func (v *View) Span(s string) string {
	p, err := signal.ParsePeriod(s)
	if err != nil {
		return s
	}
	units := [3][2][2]string{ // unit, language (nl, en), singular/plural
		{{"jaar", "jaar"}, {"year", "years"}},
		{{"maand", "maanden"}, {"month", "months"}},
		{{"dag", "dagen"}, {"day", "days"}},
	}
	lang, and := 0, " en "
	if v.Lang == LangEN {
		lang, and = 1, " and "
	}
	var parts []string
	for i, n := range []int{p.Years, p.Months, p.Days} {
		if n == 0 {
			continue
		}
		w := units[i][lang][1]
		if n == 1 {
			w = units[i][lang][0]
		}
		parts = append(parts, fmt.Sprintf("%d %s", n, w))
	}
	if len(parts) > 1 {
		return strings.Join(parts[:len(parts)-1], ", ") + and + parts[len(parts)-1]
	}
	return strings.Join(parts, "")
}

// Moments writes several times as When does, comma-separated.
func (v *View) Moments(ts []time.Time) string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = v.When(t)
	}
	return strings.Join(out, "; ")
}

// MeetingTitle is a meeting's title as the page shows it: its own title,
// or, when the domain withheld it (never checked), "Overleg van 4 december
// 2026" in the reader's language.
func (v *View) MeetingTitle(title string, withheld bool, startsAt time.Time) string {
	if withheld {
		return v.T("meeting.title.neutral", v.Day(startsAt))
	}
	return title
}
