package signal_test

import (
	"context"
	"iter"
	"slices"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/signal"
)

// Fakes of the privacy console's stores: structs of function fields; a nil
// field is a store that must not be asked.

type fakeLog struct {
	search   func(signal.AuditQuery) (signal.AuditPage, error)
	entries  func(signal.AuditFilter) []signal.AuditRecord
	size     int64
	readers  func(actions []signal.AuditAction) []signal.ReaderCount
	perAddr  func(signal.AuditAction) []signal.FailedLogins
	recorded []signal.AuditEvent
}

func (f *fakeLog) SearchAudit(_ context.Context, q signal.AuditQuery) (signal.AuditPage, error) {
	return f.search(q)
}

func (f *fakeLog) AuditEntries(_ context.Context, af signal.AuditFilter) iter.Seq2[signal.AuditRecord, error] {
	return func(yield func(signal.AuditRecord, error) bool) {
		for _, r := range f.entries(af) {
			if !yield(r, nil) {
				return
			}
		}
	}
}

func (f *fakeLog) AuditSize(context.Context) (int64, error) { return f.size, nil }

func (f *fakeLog) ViewsPerReader(_ context.Context, actions []signal.AuditAction, _ []string, _, _ time.Time, _ int) ([]signal.ReaderCount, error) {
	return f.readers(actions), nil
}

func (f *fakeLog) CountPerAddress(_ context.Context, action signal.AuditAction, _ []string, _, _ time.Time) ([]signal.FailedLogins, error) {
	return f.perAddr(action), nil
}

func (f *fakeLog) Record(_ context.Context, _ signal.Actor, events []signal.AuditEvent) error {
	f.recorded = append(f.recorded, events...)
	return nil
}

type fakePrivacyStore struct {
	signals map[string]*signal.Signal
}

func (f fakePrivacyStore) CooperationOrgs(_ context.Context, coop string) ([]string, error) {
	return []string{"org_" + coop}, nil
}

func (f fakePrivacyStore) Signal(_ context.Context, id string) (*signal.Signal, error) {
	if s, ok := f.signals[id]; ok {
		return s, nil
	}
	return nil, signal.Errorf(signal.CodeNotFound, "no signal %s", id)
}

func (f fakePrivacyStore) SignalsOfYouth(_ context.Context, youth, coop string, _ bool) ([]*signal.Signal, error) {
	var out []*signal.Signal
	for _, id := range slices.Sorted(mapKeys(f.signals)) {
		s := f.signals[id]
		if s.Youth == youth && (coop == "" || s.CooperationID == coop) {
			out = append(out, s)
		}
	}
	return out, nil
}

func (f fakePrivacyStore) MeetingCooperation(context.Context, string) (string, error) {
	return "", signal.Errorf(signal.CodeNotFound, "no meetings here")
}

func (f fakePrivacyStore) ErasureOf(context.Context, string) (*signal.ErasureRecord, error) {
	return nil, nil
}

func mapKeys[V any](m map[string]V) iter.Seq[string] {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// fakeDirectory knows organisation org_<coop> of each cooperation.
type fakeDirectory struct{}

func (fakeDirectory) Organisation(_ context.Context, id string) (signal.Organisation, error) {
	return signal.Organisation{ID: id, Name: "Org " + id, CooperationID: id[len("org_"):]}, nil
}

type fakeRetentionStore struct {
	erase  func(es []signal.Erasure, audit func(signal.Erasure) signal.AuditEvent, keyAudit func(string) signal.AuditEvent) (bool, error)
	record func(events []signal.AuditEvent) error
}

func (f fakeRetentionStore) Cooperations(context.Context) ([]signal.Cooperation, error) {
	return []signal.Cooperation{{ID: "coop1"}, {ID: "coop2"}}, nil
}

func (f fakeRetentionStore) RetentionClock(context.Context, string) (signal.RetentionClock, error) {
	return signal.RetentionClock{}, nil
}

func (f fakeRetentionStore) RetentionCandidates(context.Context, string, signal.Date, signal.Date) ([]signal.RetentionCandidate, error) {
	return nil, nil
}

func (f fakeRetentionStore) ContentHeld(context.Context, string) (int, error) { return 0, nil }

func (f fakeRetentionStore) EraseYouth(_ context.Context, _ signal.Actor, _ string, es []signal.Erasure, audit func(signal.Erasure) signal.AuditEvent, keyAudit func(string) signal.AuditEvent) (bool, error) {
	return f.erase(es, audit, keyAudit)
}

func (f fakeRetentionStore) Scrub(context.Context) {}

func (f fakeRetentionStore) RecordRun(_ context.Context, _ signal.Actor, _ signal.RetentionRunRecord, _ bool, ev signal.AuditEvent) error {
	return f.record([]signal.AuditEvent{ev})
}

func (f fakeRetentionStore) LastRun(context.Context, string) (time.Time, error) {
	return time.Time{}, nil
}

func (f fakeRetentionStore) RetentionRuns(context.Context, string, int) ([]signal.RetentionRunRecord, error) {
	return nil, nil
}

const youth = "1111111111111111111111111111111111111111111111111111111111111111"

var officer = signal.Actor{UserID: "usr_po", OrgID: "org_coop1", Role: signal.RolePrivacyOfficer}

// fakeRequests is a request store holding registered requests, and the
// erasure store's answers (the rest of its interface must not be asked).
type fakeRequests struct {
	signal.AccessRequestStore
	reqs    map[string]signal.AccessRequest
	answers map[string]*signal.ErasureAnswer
	events  *[]signal.AuditEvent
}

func (f fakeRequests) Request(_ context.Context, id string) (signal.AccessRequest, error) {
	if r, ok := f.reqs[id]; ok {
		return r, nil
	}
	return signal.AccessRequest{}, signal.Errorf(signal.CodeNotFound, "no request %s", id)
}

func (f fakeRequests) ErasureInventory(_ context.Context, coop, youth string) (signal.ErasureCounts, error) {
	return signal.ErasureCounts{Signals: 1}, nil
}

func (f fakeRequests) RecordAnswer(_ context.Context, _ signal.Actor, a signal.ErasureAnswer, ev signal.AuditEvent) (int64, error) {
	f.answers[a.Request] = &a
	*f.events = append(*f.events, ev)
	return int64(len(*f.events)), nil
}

func (f fakeRequests) Answer(_ context.Context, id string) (*signal.ErasureAnswer, error) {
	return f.answers[id], nil
}

func (f fakeRequests) EraseYouthRecords(_ context.Context, _ signal.Actor, _, _, id string, at time.Time, ev signal.AuditEvent) error {
	f.answers[id].CompletedAt = &at
	*f.events = append(*f.events, ev)
	return nil
}

// requestPrivacy is a console over young person youth's signals s1
// (cooperation coop1) and s2 (coop2), with request req_coop1aaaaaaaaaaa
// registered in coop1 and req_coop2aaaaaaaaaaa in coop2; every audit
// event lands in events.
func requestPrivacy(events *[]signal.AuditEvent, keysErased *[]string) *signal.Privacy {
	store := fakeRetentionStore{
		erase: func(es []signal.Erasure, audit func(signal.Erasure) signal.AuditEvent, keyAudit func(string) signal.AuditEvent) (bool, error) {
			for _, e := range es {
				*events = append(*events, audit(e))
			}
			if len(es) == 2 { // nothing left of the young person: the key goes in the same unit
				*events = append(*events, keyAudit(youth))
				*keysErased = append(*keysErased, youth)
				return true, nil
			}
			return false, nil
		},
	}
	reqs := fakeRequests{reqs: map[string]signal.AccessRequest{
		"req_coop1aaaaaaaaaaa": {ID: "req_coop1aaaaaaaaaaa", Cooperation: "coop1", Subject: youth, Status: signal.RequestOpen},
		"req_coop2aaaaaaaaaaa": {ID: "req_coop2aaaaaaaaaaa", Cooperation: "coop2", Subject: youth, Status: signal.RequestOpen},
	}, answers: map[string]*signal.ErasureAnswer{}, events: events}
	log := &fakeLog{entries: func(signal.AuditFilter) []signal.AuditRecord { return nil }}
	return signal.NewPrivacy(signal.PrivacyDeps{
		Store: fakePrivacyStore{signals: map[string]*signal.Signal{
			"s1": {ID: "s1", Youth: youth, CooperationID: "coop1"},
			"s2": {ID: "s2", Youth: youth, CooperationID: "coop2"},
		}},
		Log: log, Recorder: log, Directory: fakeDirectory{}, Requests: reqs,
		Retention: signal.NewRetention(store, nil, signal.RetentionOptions{}),
	})
}

// TestErasureIsOneUseCaseWhicheverDoor: the console (a privacy officer)
// and signald youth erase --request (the operator) run the same erasure,
// inside the same registered request: the request's young person in the
// request's cooperation, audited with the same actions (access.erasure,
// signal.erase per signal, access.erasure_complete); the key stays while
// another cooperation holds content.
func TestErasureIsOneUseCaseWhicheverDoor(t *testing.T) {
	for _, tc := range []struct {
		name  string
		actor signal.Actor
	}{
		{"the console", officer},
		{"signald youth erase --request", signal.Actor{UserID: "cli", Role: signal.RoleSystem}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var events []signal.AuditEvent
			var keysErased []string
			p := requestPrivacy(&events, &keysErased)
			ctx := context.Background()
			plan, err := p.ErasurePlan(ctx, tc.actor, "req_coop1aaaaaaaaaaa")
			if err != nil {
				t.Fatal(err)
			}
			events = nil
			a, err := p.EraseOnRequest(ctx, tc.actor, "req_coop1aaaaaaaaaaa", signal.ErasureObjection, plan.Fingerprint)
			if err != nil {
				t.Fatal(err)
			}
			if a.CompletedAt == nil || a.Kind != signal.AnswerErased {
				t.Fatalf("answer %+v", a)
			}
			var actions []signal.AuditAction
			for _, ev := range events {
				actions = append(actions, ev.Action)
				if ev.Subject != youth {
					t.Errorf("%s audited under subject %q", ev.Action, ev.Subject)
				}
			}
			want := []signal.AuditAction{signal.ActionAccessErasure, signal.ActionSignalErase, signal.ActionAccessErasureComplete}
			if !slices.Equal(actions, want) {
				t.Fatalf("audited %v, want %v", actions, want)
			}
			if events[1].Object != "signal/s1" {
				t.Fatalf("erased %s, want signal/s1 (the request's cooperation's)", events[1].Object)
			}
			if d := events[1].Decision; d == nil || d.Decision.PolicyVersion != "avg-art17" || d.Decision.Rule != signal.Rule(signal.ErasureObjection) {
				t.Fatalf("erasure's decision %+v; want the request's ground and reason", d)
			}
			if len(keysErased) != 0 {
				t.Fatalf("keys erased %v while another cooperation holds content", keysErased)
			}
		})
	}
}

// TestEraseRefusals: no erasure outside a registered request of the
// officer's own cooperation, nor without the plan's fingerprint and a
// ground of art. 17(1); a refused erasure erases nothing.
func TestEraseRefusals(t *testing.T) {
	var events []signal.AuditEvent
	var keys []string
	p := requestPrivacy(&events, &keys)
	ctx := context.Background()
	plan, err := p.ErasurePlan(ctx, officer, "req_coop1aaaaaaaaaaa")
	if err != nil {
		t.Fatal(err)
	}
	events = nil
	for _, tc := range []struct {
		name        string
		actor       signal.Actor
		id          string
		reason      signal.ErasureReason
		fingerprint string
		want        signal.Code
	}{
		{"a coordinator", signal.Actor{Role: signal.RoleCoordinator, OrgID: "org_coop1"}, "req_coop1aaaaaaaaaaa", signal.ErasureObjection, plan.Fingerprint, signal.CodeForbidden},
		{"an administrator", signal.Actor{Role: signal.RoleAdmin, OrgID: "org_coop1"}, "req_coop1aaaaaaaaaaa", signal.ErasureObjection, plan.Fingerprint, signal.CodeForbidden},
		{"no registered request", officer, "req_nonexistentaaaaa", signal.ErasureObjection, plan.Fingerprint, signal.CodeNotFound},
		{"another cooperation's request", officer, "req_coop2aaaaaaaaaaa", signal.ErasureObjection, plan.Fingerprint, signal.CodeNotFound},
		{"no reason", officer, "req_coop1aaaaaaaaaaa", "", plan.Fingerprint, signal.CodeInvalid},
		{"a scheduled reason", officer, "req_coop1aaaaaaaaaaa", signal.ErasureAgeLimit, plan.Fingerprint, signal.CodeInvalid},
		{"no fingerprint", officer, "req_coop1aaaaaaaaaaa", signal.ErasureObjection, "", signal.CodeInvalid},
		{"another plan's fingerprint", officer, "req_coop1aaaaaaaaaaa", signal.ErasureObjection, "s9.v0.c0.l0.a0.d0.m0.n0.t0", signal.CodeConflict},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := p.EraseOnRequest(ctx, tc.actor, tc.id, tc.reason, tc.fingerprint); signal.ErrorCode(err) != tc.want {
				t.Fatalf("EraseOnRequest: %v; want %s", err, tc.want)
			}
			if len(events) != 0 {
				t.Fatalf("a refused erasure audited %+v", events)
			}
		})
	}
}

func TestWhichDecisionsEscalate(t *testing.T) {
	decide := func(outcome string, obligations ...string) signal.AuditRecord {
		return signal.AuditRecord{Seq: 7, Action: signal.ActionShareDecide, Object: "signal/s1", Subject: youth,
			Actor: signal.Actor{OrgID: "org_coop1"}, Decision: &signal.AuditDecision{Outcome: outcome, Obligations: obligations}}
	}
	read := decide(string(signal.OutcomeEscalate))
	read.Action = signal.ActionSignalRead
	for _, tc := range []struct {
		name    string
		record  signal.AuditRecord
		wantWhy string // "" for none
	}{
		{"the policy escalates (R6, R9b)", decide(string(signal.OutcomeEscalate)), "escalate"},
		{"a share that notifies the privacy officer (R10)", decide(string(signal.OutcomeShareFull), string(signal.ObligationNotifyPrivacyOfficer)), "notify_privacy_officer"},
		{"a plain share", decide(string(signal.OutcomeShareFull), string(signal.ObligationRecordJustification)), ""},
		{"a refusal", decide(string(signal.OutcomeDoNotShare)), ""},
		{"not a decision", read, ""},
		{"a decision entry without a decision", signal.AuditRecord{Action: signal.ActionShareDecide}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, ok := signal.EscalationOf(tc.record)
			if ok != (tc.wantWhy != "") || e.Why != tc.wantWhy {
				t.Fatalf("EscalationOf = %+v, %v; want why %q", e, ok, tc.wantWhy)
			}
			if ok && (e.Seq != 7 || e.Subject != youth || e.Org != "org_coop1" || e.Status != signal.EscalationOpen) {
				t.Fatalf("escalation %+v", e)
			}
		})
	}
}

// TestEscalationUpdateRefusedIdentically: whichever door asks (the API's
// PATCH, the page's form), the same refusal is the same error, so the same
// status.
func TestEscalationUpdateRefusedIdentically(t *testing.T) {
	p := signal.NewPrivacy(signal.PrivacyDeps{Directory: fakeDirectory{}, Store: fakePrivacyStore{}})
	ctx := context.Background()
	if _, err := signal.ParseEscalationSeq("abc"); signal.ErrorCode(err) != signal.CodeInvalid {
		t.Fatalf("ParseEscalationSeq(abc): %v; want invalid", err)
	}
	for _, tc := range []struct {
		name   string
		seq    int64
		status signal.EscalationStatus
		field  string
	}{
		{"no status", 3, "", "status"},
		{"an unknown status", 3, "closed", "status"},
		{"no escalation number", 0, signal.EscalationDone, "seq"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := p.UpdateEscalation(ctx, officer, tc.seq, signal.EscalationChange{Status: tc.status})
			var se *signal.Error
			if signal.ErrorCode(err) != signal.CodeInvalid || !asError(err, &se) || se.Fields[0].Field != tc.field {
				t.Fatalf("UpdateEscalation: %v; want invalid %s", err, tc.field)
			}
		})
	}
	if _, err := p.UpdateEscalation(ctx, signal.Actor{Role: signal.RoleAdmin, OrgID: "org_coop1"}, 3, signal.EscalationChange{Status: signal.EscalationDone}); signal.ErrorCode(err) != signal.CodeForbidden {
		t.Fatalf("an admin: %v; want forbidden", err)
	}
}

// TestAccessReportCountsDisclosures: reads, lists and any entry that showed
// a signal at some level are views; decisions are decisions; an erasure
// and a lookup are neither.
func TestAccessReportCountsDisclosures(t *testing.T) {
	entry := func(seq int64, action signal.AuditAction, level string) signal.AuditRecord {
		r := signal.AuditRecord{Seq: seq, Action: action, Object: "signal/s1", Subject: youth, Actor: signal.Actor{UserID: "usr_x", OrgID: "org_coop1"}}
		if level != "" {
			r.Decision = &signal.AuditDecision{Level: level}
		}
		return r
	}
	log := &fakeLog{entries: func(signal.AuditFilter) []signal.AuditRecord {
		return []signal.AuditRecord{
			entry(1, signal.ActionShareDecide, "full"),
			entry(2, signal.ActionSignalRead, "full"),
			entry(3, signal.ActionSignalsList, "minimal"),
			entry(4, signal.ActionCaseDecide, "existence"),
			entry(5, signal.ActionSignalErase, "none"),
			entry(6, signal.ActionMeetingView, "none"),
			entry(7, signal.ActionYouthLookup, ""),
		}
	}}
	p := signal.NewPrivacy(signal.PrivacyDeps{Log: log, Recorder: log, Directory: fakeDirectory{},
		Store: fakePrivacyStore{signals: map[string]*signal.Signal{"s1": {ID: "s1", Youth: youth, CooperationID: "coop1", OrgID: "org_coop1"}}}})
	rep, err := p.AccessReport(context.Background(), officer, youth)
	if err != nil {
		t.Fatal(err)
	}
	seqs := func(evs []signal.AccessEvent) (out []int64) {
		for _, e := range evs {
			out = append(out, e.Seq)
		}
		return out
	}
	if len(rep.Signals) != 1 || !slices.Equal(seqs(rep.Signals[0].Decisions), []int64{1}) || !slices.Equal(seqs(rep.Signals[0].Views), []int64{2, 3, 4}) {
		t.Fatalf("report %+v; want decision 1 and views 2, 3, 4", rep.Signals)
	}
	if len(log.recorded) != 1 || log.recorded[0].Action != signal.ActionAccessReport {
		t.Fatalf("recorded %+v; want the report audited", log.recorded)
	}
}

// TestOversightCountsTheDisclosuresAndFailedLogins: the oversight asks the
// log for the same actions the access report calls views (reads and lists
// of signals, and the meeting's agenda, projector, opened items and
// minutes, like any other read of content: issue 16, item 8; not the
// contents list, which shows no one), and for failed logins; refusals of
// another cooperation about none of its signals are left out.
func TestOversightCountsTheDisclosuresAndFailedLogins(t *testing.T) {
	log := &fakeLog{
		readers: func(actions []signal.AuditAction) []signal.ReaderCount {
			if slices.Equal(actions, []signal.AuditAction{signal.ActionAccessContentRead}) {
				return nil // the officers' content reads, counted apart
			}
			for _, a := range []signal.AuditAction{signal.ActionSignalRead, signal.ActionSignalsList, signal.ActionAgendaView,
				signal.ActionAgendaProject, signal.ActionAgendaOpen, signal.ActionAgendaReopen, signal.ActionMinutesView} {
				if !slices.Contains(actions, a) {
					t.Errorf("views counted by %v: %s left out", actions, a)
				}
			}
			if slices.Contains(actions, signal.ActionAgendaContents) {
				t.Errorf("views counted by %v: the contents list shows no one", actions)
			}
			return []signal.ReaderCount{{UserID: "usr_x", Views: 60}}
		},
		search: func(q signal.AuditQuery) (signal.AuditPage, error) {
			if q.Action != string(signal.ActionAccessDenied) {
				t.Errorf("refusals searched by %q", q.Action)
			}
			return signal.AuditPage{Records: []signal.AuditRecord{
				{Seq: 1, Action: signal.ActionAccessDenied, Actor: signal.Actor{OrgID: "org_coop1"}, Object: "route/x"},
				{Seq: 2, Action: signal.ActionAccessDenied, Actor: signal.Actor{OrgID: "org_coop2"}, Object: "signal/s1"},
				{Seq: 3, Action: signal.ActionAccessDenied, Actor: signal.Actor{OrgID: "org_coop2"}, Object: "route/y"},
			}}, nil
		},
		perAddr: func(a signal.AuditAction) []signal.FailedLogins {
			if a != signal.ActionLoginFail {
				t.Errorf("failed logins counted by %q", a)
			}
			return []signal.FailedLogins{{IP: "192.0.2.1", Count: 3}, {IP: "192.0.2.2", Count: 2}}
		},
	}
	p := signal.NewPrivacy(signal.PrivacyDeps{Log: log, Recorder: log, Directory: fakeDirectory{},
		Store: fakePrivacyStore{signals: map[string]*signal.Signal{"s1": {ID: "s1", CooperationID: "coop1"}}}})
	o, err := p.Oversight(context.Background(), officer, signal.OversightWindow{})
	if err != nil {
		t.Fatal(err)
	}
	var refused []int64
	for _, r := range o.Refused {
		refused = append(refused, r.Seq)
	}
	if len(o.HeavyReaders) != 1 || !slices.Equal(refused, []int64{1, 2}) || o.FailedLoginsTotal != 5 || o.Threshold != 50 {
		t.Fatalf("oversight %+v", o)
	}
	if _, err := p.Oversight(context.Background(), officer, signal.OversightWindow{Days: 400}); signal.ErrorCode(err) != signal.CodeInvalid {
		t.Fatalf("400 days: %v; want invalid", err)
	}
}

func asError(err error, target **signal.Error) bool {
	se, ok := err.(*signal.Error)
	if ok {
		*target = se
	}
	return ok
}
