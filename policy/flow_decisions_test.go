package policy_test

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/signaal-nl/signaal/signal"
)

var update = flag.Bool("update", false, "rewrite testdata/flow-decisions.jsonl.gz from the current policy")

// flowDecisions is the recorded file: one line per input the question-flow
// walk decides on, with its decision (without policy_version, which changes
// with every edit of the files).
var flowDecisions = filepath.Join("testdata", "flow-decisions.jsonl.gz")

// TestDecisionsMatchRecorded holds the policy to the decisions recorded in
// testdata, for every input of the question-flow walk (incomplete ones
// too): a change of how the Rego is written, for readability or speed, must
// not change a decision. A deliberate change of the rules re-records them
// with `go test ./policy -run DecisionsMatchRecorded -update` and shows in
// the diff of the file's decompressed lines.
func TestDecisionsMatchRecorded(t *testing.T) {
	t.Parallel()
	var got []string
	walkQuestionFlow(t, engine(t), func(in signal.DecisionInput, d signal.Decision) {
		d.PolicyVersion = ""
		line, err := json.Marshal(struct {
			Input    signal.DecisionInput `json:"input"`
			Decision signal.Decision      `json:"decision"`
		}{in, d})
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(line))
	})
	if *update {
		writeLines(t, flowDecisions, got)
		return
	}
	want := readLines(t, flowDecisions)
	if len(got) != len(want) {
		t.Errorf("the walk decided %d inputs, %d recorded", len(got), len(want))
	}
	bad := 0
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			if bad++; bad <= 5 {
				t.Errorf("decision %d differs:\n got %s\nwant %s", i, got[i], want[i])
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d decisions differ from the recorded ones", bad, len(want))
	}
}

func writeLines(t *testing.T, name string, lines []string) {
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	zw, _ := gzip.NewWriterLevel(f, gzip.BestCompression)
	for _, l := range lines {
		zw.Write([]byte(l + "\n"))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func readLines(t *testing.T, name string) []string {
	f, err := os.Open(name)
	if err != nil {
		t.Fatalf("read recorded decisions: %v", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("read recorded decisions: %v", err)
	}
	var lines []string
	sc := bufio.NewScanner(zr)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read recorded decisions: %v", err)
	}
	return lines
}
