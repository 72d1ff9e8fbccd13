package signal

import (
	"strings"
	"testing"
)

func TestParsePeriod(t *testing.T) {
	tests := []struct {
		in      string
		want    Period
		wantErr string
	}{
		{"2y", Period{Years: 2}, ""},
		{"18m", Period{Months: 18}, ""},
		{"730d", Period{Days: 730}, ""},
		{"1y6m", Period{Years: 1, Months: 6}, ""},
		{"", Period{}, "must be a period"},
		{"2", Period{}, "must be a period"},
		{"2h", Period{}, "unit"},
		{"0y", Period{}, "longer than zero"},
		{"y", Period{}, "must be a period"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParsePeriod(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParsePeriod(%q) = %v, %v; want error with %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParsePeriod(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
			if again, _ := ParsePeriod(got.String()); again != got {
				t.Fatalf("String %q does not read back", got.String())
			}
		})
	}
}

func TestExpiryOf(t *testing.T) {
	d := func(s string) Date {
		v, err := ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name            string
		period          Period
		observed, birth string
		wantOn          string
		wantReason      ErasureReason
	}{
		{"a fifteen-year-old: two years after the observation", DefaultRetention, "2026-11-22", "2011-04-30", "2028-11-22", ErasureRetentionPeriod},
		{"turns 23 within the period: on the 23rd birthday", DefaultRetention, "2026-11-22", "2004-01-15", "2027-01-15", ErasureAgeLimit},
		{"born on 29 February: 23 on 1 March", DefaultRetention, "2026-11-22", "2004-02-29", "2027-03-01", ErasureAgeLimit},
		{"a shorter period", Period{Months: 6}, "2026-11-22", "2011-04-30", "2027-05-22", ErasureRetentionPeriod},
		{"observed on 29 February: period ends on 1 March", Period{Years: 1}, "2024-02-29", "2011-04-30", "2025-03-01", ErasureRetentionPeriod},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ExpiryOf(tt.period, d(tt.observed), d(tt.birth))
			if got.On != d(tt.wantOn) || got.Reason != tt.wantReason {
				t.Fatalf("ExpiryOf = %v %s, want %s %s", got.On, got.Reason, tt.wantOn, tt.wantReason)
			}
		})
	}
}
