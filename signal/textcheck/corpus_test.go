package textcheck

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

// corpusCase is one block of testdata/corpus.txt.
type corpusCase struct {
	id                       string
	subject                  Subject
	text                     string
	expect, falseAlarm, miss []string // "kind=text"
}

func readCorpus(t *testing.T, path string) []corpusCase {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cases []corpusCase
	var lines []string
	list := func(s string) []string {
		var out []string
		for _, f := range strings.Split(s, "|") {
			if f = strings.TrimSpace(f); f != "" {
				out = append(out, f)
			}
		}
		return out
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		if id, ok := strings.CutPrefix(line, "--- "); ok {
			if len(cases) > 0 {
				cases[len(cases)-1].text = strings.TrimSpace(strings.Join(lines, "\n"))
			}
			cases = append(cases, corpusCase{id: id, subject: Subject{Name: "Sanne de Vries", BirthDate: "2011-03-14"}})
			lines = nil
			continue
		}
		if len(cases) == 0 {
			continue
		}
		c := &cases[len(cases)-1]
		if v, ok := strings.CutPrefix(line, "subject:"); ok {
			f := strings.Split(v, "|")
			c.subject = Subject{Name: strings.TrimSpace(f[0])}
			if len(f) > 1 {
				c.subject.BirthDate = strings.TrimSpace(f[1])
			}
			if len(f) > 2 {
				for _, n := range strings.Split(f[2], ",") {
					c.subject.KnownNames = append(c.subject.KnownNames, strings.TrimSpace(n))
				}
			}
		} else if v, ok := strings.CutPrefix(line, "expect:"); ok {
			c.expect = list(v)
		} else if v, ok := strings.CutPrefix(line, "falsealarm:"); ok {
			c.falseAlarm = list(v)
		} else if v, ok := strings.CutPrefix(line, "miss:"); ok {
			c.miss = list(v)
		} else {
			lines = append(lines, line)
		}
	}
	if len(cases) > 0 {
		cases[len(cases)-1].text = strings.TrimSpace(strings.Join(lines, "\n"))
	}
	return cases
}

func findingKeys(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%s=%s", f.Kind, f.Text))
	}
	slices.Sort(out)
	return out
}

// TestCorpus runs the check on realistic texts written for it and holds it
// to exactly the findings listed, the known false alarms and misses
// included, so that a change in either shows. It logs the counts the
// issue asks for (go test -run Corpus -v).
func TestCorpus(t *testing.T) {
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	cases := readCorpus(t, "testdata/corpus.txt")
	if len(cases) < 60 {
		t.Fatalf("corpus has %d texts, want at least 60", len(cases))
	}
	var texts, clean, cleanAlarmed, findings, falseAlarms, misses int
	for _, cc := range cases {
		t.Run(cc.id, func(t *testing.T) {
			got := findingKeys(c.Check(cc.text, cc.subject))
			want := append(slices.Clone(cc.expect), cc.falseAlarm...)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("%q\n got  %q\n want %q (expect + falsealarm)", cc.text, got, want)
			}
			for _, m := range cc.miss {
				if slices.Contains(got, m) {
					t.Errorf("%s is listed as a miss but is found now: move it to expect", m)
				}
			}
		})
		texts++
		if len(cc.expect)+len(cc.miss) == 0 {
			clean++
			if len(cc.falseAlarm) > 0 {
				cleanAlarmed++
			}
		}
		findings += len(cc.expect)
		falseAlarms += len(cc.falseAlarm)
		misses += len(cc.miss)
	}
	t.Logf("corpus: %d texts, %d of them with nothing to find (%d of those raised a false alarm); %d findings raised rightly, %d false alarms, %d misses",
		texts, clean, cleanAlarmed, findings, falseAlarms, misses)
}

// TestDemoTexts counts the check's false alarms on the texts the demo
// writes (cmd/signald/demo_meeting.go, copied to testdata/demo.txt with what
// each should raise; TestDemoCopyIsCurrent keeps the copy honest).
func TestDemoTexts(t *testing.T) {
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	cases := readCorpus(t, "testdata/demo.txt")
	var falseAlarms, misses, findings int
	for _, cc := range cases {
		got := findingKeys(c.Check(cc.text, cc.subject))
		want := append(slices.Clone(cc.expect), cc.falseAlarm...)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: %q\n got  %q\n want %q", cc.id, cc.text, got, want)
		}
		findings += len(cc.expect)
		falseAlarms += len(cc.falseAlarm)
		misses += len(cc.miss)
	}
	t.Logf("demo: %d texts; %d findings raised rightly, %d false alarms, %d misses", len(cases), findings, falseAlarms, misses)
}
