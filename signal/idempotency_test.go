package signal

import (
	"strings"
	"testing"
	"time"
)

func TestNewIdempotencyKeyIsAUUIDv7OrderedByTime(t *testing.T) {
	t0 := time.Date(2026, 11, 22, 23, 0, 0, 0, time.UTC)
	a, b := NewIdempotencyKey(t0), NewIdempotencyKey(t0.Add(time.Millisecond))
	if a == NewIdempotencyKey(t0) {
		t.Errorf("two keys of the same millisecond are equal: %s", a)
	}
	if err := ValidIdempotencyKey(a); err != nil {
		t.Errorf("NewIdempotencyKey() = %q is not a valid key: %v", a, err)
	}
	ta, ok := uuidv7Time(a)
	if !ok {
		t.Fatalf("NewIdempotencyKey() = %q is not recognised as a UUIDv7", a)
	}
	if want := "01a2057ce180"; ta != want { // 2026-11-22T23:00:00Z = 1795388400000 ms
		t.Errorf("timestamp of %s = %s, want %s", a, ta, want)
	}
	tb, _ := uuidv7Time(b)
	if !(ta < tb) {
		t.Errorf("a key made a millisecond later sorts before: %s, %s", ta, tb)
	}
}

func TestIdempotencyKeyRef(t *testing.T) {
	tests := []struct {
		name, key, want string
	}{
		{"UUIDv7: its timestamp in front", "019aadf3-b680-7abc-8def-0123456789ab", "019aadf3b680.D"},
		{"UUIDv7 in upper case: the same timestamp", "019AADF3-B680-7ABC-BDEF-0123456789AB", "019aadf3b680.D"},
		{"UUIDv4: the digest alone", "0c4b6f0e-3b7a-4c1e-9a2d-5f6e7d8c9b0a", "D"},
		{"v7 digit but wrong variant", "019aadf3-b680-7abc-cdef-0123456789ab", "D"},
		{"not hex", "019aadf3-b680-7abc-8def-0123456789zz", "D"},
		{"hyphens misplaced", "019aadf3b-680-7abc-8def-0123456789ab", "D"},
		{"anything a client makes up", "retry-42", "D"},
		{"a timestamp with a name after it", "019aadf3-b680-7abc-8def-jan.jansen", "D"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := idempotencyKeyRef(tt.key, "D"); got != tt.want {
				t.Errorf("idempotencyKeyRef(%q) = %q, want %q", tt.key, got, tt.want)
			}
		})
	}
	if strings.Contains(idempotencyKeyRef("019aadf3-b680-7abc-8def-0123456789ab", "D"), "0123456789ab") {
		t.Error("the key's random part is stored as given")
	}
}
