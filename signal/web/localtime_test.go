package web

import (
	"testing"
	"time"
)

// TestDatesAndPeriodsInWords: a coordinator and a privacy officer read days
// and periods as people write them ("4 december 2026, 14:05", "2 jaar"),
// never "04-12-2026" or "2y" (B1 language, issue 15 item 7).
func TestDatesAndPeriodsInWords(t *testing.T) {
	nl, en := &View{Lang: LangNL}, &View{Lang: LangEN}
	at := time.Date(2026, 12, 4, 13, 5, 0, 0, time.UTC) // 14:05 in Amsterdam
	for _, c := range []struct{ got, want string }{
		{nl.When(at), "4 december 2026, 14:05"},
		{en.When(at), "4 December 2026, 14:05"},
		{nl.Moments([]time.Time{at, at.Add(24 * time.Hour)}), "4 december 2026, 14:05; 5 december 2026, 14:05"},
		{nl.Span("2y"), "2 jaar"},
		{en.Span("2y"), "2 years"},
		{nl.Span("1y"), "1 jaar"},
		{nl.Span("1y6m"), "1 jaar en 6 maanden"},
		{en.Span("1y1m3d"), "1 year, 1 month and 3 days"},
		{nl.Span("730d"), "730 dagen"},
		{nl.Span("nonsense"), "nonsense"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
