package audit

// The internals the tests in package audit_test reach for. Those tests live
// outside the package so that they can share audit/audittest's fixtures
// with the stores' tests (audittest imports audit).

var (
	// Validating, encoding and hashing an entry as stored (a benchmark
	// fills a log without the writer; an attacker rewrites rows).
	Validate       = validate
	ToRow          = toRow
	AppendEncoding = appendEncoding
	ChainHash      = chainHash
	AppendDecision = appendDecision

	Migrations   = migrations
	IndexEntries = indexEntries // the bulk index step a writer runs
	CSVHeader    = csvHeader
)

const (
	AppendChunk = appendChunk
	IndexAfter  = indexAfter
	TimeLayout  = timeLayout
	Columns     = columns

	IPCommitPrefix = ipCommitPrefix
)

// Seq is r's sequence number.
func (r *row) Seq() int64 { return r.seq }

// Col is r's column i after seq, in the table's order.
func (r *row) Col(i int) []byte { return r.cols[i] }

// SearchSQL is the statement and arguments Search runs for q and a page of
// limit entries.
func SearchSQL(q Query, limit int) (string, []any) { return q.read(limit).sql() }

// SplitVerify makes Verify split logs into ranges of at least minimum
// entries, checked in parallel, until restore is called.
func SplitVerify(minimum int64) (restore func()) {
	old := minPerWorker
	minPerWorker = minimum
	return func() { minPerWorker = old }
}
