package signal

import (
	"fmt"
	"time"
)

// SignalActivePeriod is how long a signal stays active; an observation older
// than this is refused at intake because it would already have expired
// (the reference index's two-year rule, see shared/domain.md).
const SignalActivePeriod = 2 * 365 * 24 * time.Hour

// Date is a calendar date without a time of day or zone: a birth date or
// the day something was observed. Its wire format is "YYYY-MM-DD".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate reads a date in the wire format "YYYY-MM-DD" and refuses
// anything else (other layouts, impossible days such as 2011-02-30).
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil || len(s) != len(time.DateOnly) {
		return Date{}, fmt.Errorf("must be a date written as YYYY-MM-DD")
	}
	return DateOf(t), nil
}

// DateOf returns the calendar date of t in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// String returns the date in the wire format.
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// IsZero reports whether d is the zero Date (no date given).
func (d Date) IsZero() bool { return d == Date{} }

// Before reports whether d is an earlier day than o.
func (d Date) Before(o Date) bool {
	if d.Year != o.Year {
		return d.Year < o.Year
	}
	if d.Month != o.Month {
		return d.Month < o.Month
	}
	return d.Day < o.Day
}

// AddDays returns the day n days after d (before it for a negative n).
func (d Date) AddDays(n int) Date { return DateOf(d.Time().AddDate(0, 0, n)) }

// Time returns midnight at the start of d in UTC.
func (d Date) Time() time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
}

// MarshalText writes the wire format.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads the wire format.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// AgeOn returns the age in whole years of someone born on birth, on the day
// on. Someone born on 29 February has their birthday on 1 March in a
// non-leap year: on 28 February they have not yet reached the 29th.
func AgeOn(birth, on Date) int {
	age := on.Year - birth.Year
	if on.Month < birth.Month || (on.Month == birth.Month && on.Day < birth.Day) {
		age--
	}
	return age
}

// amsterdam is the zone in which "today" is decided: the service is Dutch,
// and a youth worker recording at 00:30 local time means that local day.
var amsterdam = func() *time.Location {
	if loc, err := time.LoadLocation("Europe/Amsterdam"); err == nil {
		return loc
	}
	// Without a zone database (a minimal container), Central European Time
	// without daylight saving is at most an hour off at midnight.
	return time.FixedZone("CET", 60*60)
}()

// Today returns the date of now in the Netherlands.
func Today(now time.Time) Date { return DateOf(now.In(amsterdam)) }
