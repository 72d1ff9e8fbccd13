package audit_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/signaal-nl/signaal/audit"
	"github.com/signaal-nl/signaal/audit/audittest"
)

const sampleDigest = "hmac:5f0c2a9e8b7d6c4f3a2b1c0d9e8f7a6b"

// TestInputDigestStandsForTheInput (issue 18 finding 6): a decision can be
// logged with a keyed digest of its input instead of the input, whose
// answers (abuse.suspected, consent, …) a reader of the database would
// otherwise read. Such an entry stores no input at all; entries written
// before, with their input, keep it and still verify beside the new ones,
// by Verify and by an independent recomputation of every hash.
func TestInputDigestStandsForTheInput(t *testing.T) {
	l := newTestLog(t, audit.ChainOptions{})
	ctx := context.Background()
	old := audittest.Entry(1) // as written before: the input itself
	audittest.AppendOne(t, l.w.Do, old)
	digested := audittest.Entry(2)
	digested.Decision.Input = nil
	digested.Decision.InputDigest = sampleDigest
	audittest.AppendOne(t, l.w.Do, digested)
	read := audittest.Entry(3)
	read.Decision.Input = nil // a read: neither
	audittest.AppendOne(t, l.w.Do, read)

	stored := func(seq int) string {
		var d string
		if err := l.db.QueryRowContext(ctx, `SELECT decision FROM audit_entries WHERE seq = ?`, seq).Scan(&d); err != nil {
			t.Fatal(err)
		}
		return d
	}
	if d := stored(1); !strings.Contains(d, `"input":{"purpose":"coordinate_support","youth":{"age":15,"capable":true},"fields":["facts"]}`) || strings.Contains(d, "input_digest") {
		t.Errorf("the entry written as before is stored as %s; want its input, no digest", d)
	}
	if d := stored(2); strings.Contains(d, `"input":`) || strings.Contains(d, "capable") || !strings.HasSuffix(d, `,"input_digest":"`+sampleDigest+`"}`) {
		t.Errorf("the entry with a digest is stored as %s; want the digest and no input", d)
	}
	if d := stored(3); !strings.HasSuffix(d, `"input":{}}`) {
		t.Errorf("an entry without input or digest is stored as %s; want \"input\":{} as ever", d)
	}
	if n := chainOK(t, l.db); n != 3 {
		t.Fatalf("chain of %d entries, want 3", n)
	}
	res, err := audit.Verify(ctx, readHandle(t, l.path), audit.VerifyOptions{})
	if err != nil || res.Size != 3 || res.Hashed != 3 {
		t.Fatalf("verify: %+v, %v", res, err)
	}
	var got []audit.Record
	for r, err := range audit.Entries(ctx, readHandle(t, l.path), audit.Filter{}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	if len(got) != 3 || got[1].Decision.InputDigest != sampleDigest || len(got[1].Decision.Input) != 0 || len(got[0].Decision.Input) == 0 {
		t.Fatalf("read back: %+v", got)
	}

	// An entry with both is refused: the input would be stored beside its
	// digest; a digest must be a code.
	for _, c := range []struct {
		name, field string
		edit        func(d *audit.Decision)
	}{
		{"input and digest", "decision.input", func(d *audit.Decision) { d.InputDigest = sampleDigest }},
		{"a digest with free text", "decision.input_digest", func(d *audit.Decision) { d.Input, d.InputDigest = nil, "misbruik vermoed" }},
	} {
		e := audittest.Entry(4)
		c.edit(e.Decision)
		err := l.w.Do(ctx, func(ctx context.Context, tx *audit.Appender) error {
			_, err := tx.Append(ctx, e)
			return err
		})
		var ee *audit.EntryError
		if !errors.As(err, &ee) || len(ee.Problems) != 1 || ee.Problems[0].Field != c.field {
			t.Errorf("%s: %v; want a refusal naming %s", c.name, err, c.field)
		}
	}
	if n := chainOK(t, l.db); n != 3 {
		t.Fatalf("after the refusals the chain has %d entries, want 3", n)
	}
}
