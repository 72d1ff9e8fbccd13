package web

import (
	"fmt"
	"strings"

	"github.com/signaal-nl/signaal/signal"
)

// DiffOp is what a line of a diff does.
type DiffOp string

const (
	DiffSame   DiffOp = " "
	DiffAdd    DiffOp = "+"
	DiffRemove DiffOp = "-"
)

// DiffLine is one line of a line diff.
type DiffLine struct {
	Op   DiffOp `json:"op"`
	Text string `json:"text"`
}

// FileDiff is the diff of one policy file between two versions.
type FileDiff struct {
	Path    string     `json:"path"`
	Status  string     `json:"status"` // "added", "removed", "changed", "same"
	Lines   []DiffLine `json:"lines,omitempty"`
	Added   int        `json:"added"`
	Removed int        `json:"removed"`
	// Hunks are the changes with DiffContext unchanged lines around each,
	// as a unified diff shows them.
	Hunks []DiffHunk `json:"hunks,omitempty"`
}

// DiffContext is how many unchanged lines a hunk shows around a change.
const DiffContext = 3

// DiffHunk is one stretch of a unified diff: from line From (1-based) of
// the old file, FromCount lines, to line To of the new, ToCount lines.
type DiffHunk struct {
	From      int        `json:"from"`
	FromCount int        `json:"from_count"`
	To        int        `json:"to"`
	ToCount   int        `json:"to_count"`
	Lines     []DiffLine `json:"lines"`
}

// Header is the hunk's unified-diff header, "@@ -12,7 +12,8 @@".
func (h DiffHunk) Header() string {
	return fmt.Sprintf("@@ -%d,%d +%d,%d @@", h.From, h.FromCount, h.To, h.ToCount)
}

// Hunks groups a line diff into hunks with context unchanged lines around
// each change; changes closer than twice that share a hunk.
func Hunks(lines []DiffLine, context int) []DiffHunk {
	var out []DiffHunk
	// oldAt[i], newAt[i]: the 1-based line numbers before lines[i].
	oldAt, newAt := make([]int, len(lines)+1), make([]int, len(lines)+1)
	o, n := 1, 1
	for i, l := range lines {
		oldAt[i], newAt[i] = o, n
		if l.Op != DiffAdd {
			o++
		}
		if l.Op != DiffRemove {
			n++
		}
	}
	oldAt[len(lines)], newAt[len(lines)] = o, n
	i := 0
	for i < len(lines) {
		if lines[i].Op == DiffSame {
			i++
			continue
		}
		start := max(0, i-context)
		end := i
		for end < len(lines) {
			if lines[end].Op != DiffSame {
				end++
				continue
			}
			// A run of unchanged lines: the hunk ends unless another
			// change comes within 2×context.
			j := end
			for j < len(lines) && lines[j].Op == DiffSame {
				j++
			}
			if j < len(lines) && j-end <= 2*context {
				end = j
				continue
			}
			end = min(end+context, len(lines))
			break
		}
		h := DiffHunk{From: oldAt[start], To: newAt[start], Lines: lines[start:end]}
		h.FromCount, h.ToCount = oldAt[end]-oldAt[start], newAt[end]-newAt[start]
		out = append(out, h)
		i = end
	}
	return out
}

// maxDiffCells bounds the work of one file's diff (lines × lines): the
// policy files are a few hundred lines; a larger pair is shown as a whole
// removal and addition rather than spending seconds on it.
const maxDiffCells = 4_000_000

// DiffPolicies compares the files of two policy versions, file by file.
//
// Written here rather than taken from a library: it is a textbook longest
// common subsequence over lines (about forty lines), the inputs are small,
// and the diff libraries in Go's ecosystem are either unmaintained or
// internal to the Go tool chain.
func DiffPolicies(from, to []signal.PolicyFile) []FileDiff {
	byPath := map[string]string{}
	for _, f := range from {
		byPath[f.Path] = f.Content
	}
	seen := map[string]bool{}
	var out []FileDiff
	for _, f := range to {
		seen[f.Path] = true
		old, ok := byPath[f.Path]
		d := FileDiff{Path: f.Path}
		switch {
		case !ok:
			d.Status = "added"
			d.Lines = DiffLines("", f.Content)
		case old == f.Content:
			d.Status = "same"
		default:
			d.Status = "changed"
			d.Lines = DiffLines(old, f.Content)
		}
		out = append(out, count(d))
	}
	for _, f := range from {
		if !seen[f.Path] {
			out = append(out, count(FileDiff{Path: f.Path, Status: "removed", Lines: DiffLines(f.Content, "")}))
		}
	}
	return out
}

func count(d FileDiff) FileDiff {
	d.Hunks = Hunks(d.Lines, DiffContext)
	for _, l := range d.Lines {
		switch l.Op {
		case DiffAdd:
			d.Added++
		case DiffRemove:
			d.Removed++
		}
	}
	return d
}

// DiffLines returns a line diff turning a into b.
func DiffLines(a, b string) []DiffLine {
	x, y := splitLines(a), splitLines(b)
	// Common prefix and suffix first: most policy changes are small.
	pre := 0
	for pre < len(x) && pre < len(y) && x[pre] == y[pre] {
		pre++
	}
	suf := 0
	for suf < len(x)-pre && suf < len(y)-pre && x[len(x)-1-suf] == y[len(y)-1-suf] {
		suf++
	}
	var out []DiffLine
	for _, l := range x[:pre] {
		out = append(out, DiffLine{DiffSame, l})
	}
	mx, my := x[pre:len(x)-suf], y[pre:len(y)-suf]
	if len(mx)*len(my) > maxDiffCells {
		for _, l := range mx {
			out = append(out, DiffLine{DiffRemove, l})
		}
		for _, l := range my {
			out = append(out, DiffLine{DiffAdd, l})
		}
	} else {
		out = append(out, lcsDiff(mx, my)...)
	}
	for _, l := range x[len(x)-suf:] {
		out = append(out, DiffLine{DiffSame, l})
	}
	return out
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// lcsDiff is the classic dynamic-programming diff: lcs[i][j] is the length
// of the longest common subsequence of x[i:] and y[j:].
func lcsDiff(x, y []string) []DiffLine {
	n, m := len(x), len(y)
	lcs := make([][]int32, n+1)
	for i := range lcs {
		lcs[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []DiffLine
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case x[i] == y[j]:
			out = append(out, DiffLine{DiffSame, x[i]})
			i++
			j++
		case lcs[i+1][j] >= lcs[i][j+1]:
			out = append(out, DiffLine{DiffRemove, x[i]})
			i++
		default:
			out = append(out, DiffLine{DiffAdd, y[j]})
			j++
		}
	}
	for ; i < n; i++ {
		out = append(out, DiffLine{DiffRemove, x[i]})
	}
	for ; j < m; j++ {
		out = append(out, DiffLine{DiffAdd, y[j]})
	}
	return out
}
