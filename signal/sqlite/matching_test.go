package sqlite_test

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/signal"
)

// submitBorn records a full-level signal about name born on birth.
func (e *meetingEnv) submitBorn(by signal.Actor, name, birth, facts string) string {
	e.t.Helper()
	in := e.newSignal(name, signal.CategorySchoolAbsence, facts, "", signal.LevelFull)
	in.Youth.BirthDate = birth
	res, err := e.signals.Submit(context.Background(), by, in, "")
	if err != nil {
		e.t.Fatalf("submit %s: %v", name, err)
	}
	e.now = e.now.Add(time.Minute)
	return res.ID
}

// TestPossibleMatchesAreProposedDecidedOnceAndRemembered: evasions of one
// name are one item by the pseudonym; strangers whose names only agree
// without spaces are two; close spellings and a birth-date typo are
// proposed, never joined, until the coordinator confirms (one item from
// then on) or rejects (never proposed again), each audited under both
// young people and never changed afterwards.
func TestPossibleMatchesAreProposedDecidedOnceAndRemembered(t *testing.T) {
	e := newMeetingEnv(t)
	ctx := context.Background()
	const born = "2011-04-30"
	anna := e.submitBorn(e.school, "Anna de Vries", born, "verzuim")
	annaCyr := e.submitBorn(e.youthwork, "\u0410nn\u0430  De\u200bvries", born, "zorgen") // Cyrillic A and a, zero-width space
	jan := e.submitBorn(e.school, "Jan Nes", born, "verzuim")
	janne := e.submitBorn(e.youthwork, "Janne S", born, "zorgen")
	mo := e.submitBorn(e.school, "Mohamed Amrani", born, "verzuim")
	mo2 := e.submitBorn(e.youthwork, "Mohammed Amrani", born, "zorgen")
	sara := e.submitBorn(e.school, "Sara Bakker", "2010-03-12", "verzuim")
	sara2 := e.submitBorn(e.youthwork, "Sara Bakker", "2010-12-03", "zorgen") // day and month swapped
	m := e.plan("Overleg", e.now.Add(time.Hour))
	ag := e.agenda(m.ID, false)
	item := func(ag signal.Agenda, id string) *signal.AgendaItem {
		t.Helper()
		it, _ := findOnAgenda(ag, id)
		if it == nil {
			t.Fatalf("signal %s not on the agenda", id)
		}
		return it
	}
	if item(ag, anna).Ref != item(ag, annaCyr).Ref || !item(ag, anna).Match {
		t.Errorf("Anna written with Cyrillic letters and a zero-width space is not one item with a match")
	}
	if item(ag, jan).Ref == item(ag, janne).Ref {
		t.Errorf("Jan Nes and Janne S, born the same day, are one item")
	}
	if item(ag, mo).Ref == item(ag, mo2).Ref || item(ag, sara).Ref == item(ag, sara2).Ref {
		t.Errorf("a possible match was joined without the coordinator")
	}
	proposed := map[[2]string]signal.MatchReason{}
	for _, p := range ag.Proposals {
		proposed[[2]string{p.A, p.B}], proposed[[2]string{p.B, p.A}] = p.Reason, p.Reason
	}
	moPair := [2]string{item(ag, mo).Ref, item(ag, mo2).Ref}
	saraPair := [2]string{item(ag, sara).Ref, item(ag, sara2).Ref}
	if proposed[moPair] != signal.MatchSpelling || proposed[saraPair] != signal.MatchBirthDate {
		t.Fatalf("proposals %+v: want Mohamed/Mohammed (spelling) and Sara (birth date)", ag.Proposals)
	}
	// A proposal shows no more than the agenda does: refs, numbers, a reason.
	b, _ := json.Marshal(ag.Proposals)
	for _, s := range []string{"Mohamed", "Sara", "verzuim", "zorgen", born} {
		if strings.Contains(string(b), s) {
			t.Errorf("a proposal carries %q: %s", s, b)
		}
	}
	if pa := e.agenda(m.ID, true); len(pa.Proposals) != 0 {
		t.Errorf("the projector shows %d proposals", len(pa.Proposals))
	}

	// The coordinator cannot join two who are no possible match.
	if _, err := e.meetings.DecideMatch(ctx, e.coordinator, m.ID, item(ag, anna).Ref, item(ag, mo).Ref, true); signal.ErrorCode(err) != signal.CodeInvalid {
		t.Errorf("join Anna and Mohamed: %v, want invalid", err)
	}
	if _, err := e.meetings.DecideMatch(ctx, e.school, m.ID, moPair[0], moPair[1], true); signal.ErrorCode(err) != signal.CodeForbidden {
		t.Errorf("a reporter decides: %v, want forbidden", err)
	}
	if _, err := e.meetings.DecideMatch(ctx, e.coordinator, m.ID, moPair[0], moPair[1], true); err != nil {
		t.Fatal(err)
	}
	if _, err := e.meetings.DecideMatch(ctx, e.coordinator, m.ID, saraPair[0], saraPair[1], false); err != nil {
		t.Fatal(err)
	}
	for _, again := range []bool{true, false} {
		if _, err := e.meetings.DecideMatch(ctx, e.coordinator, m.ID, saraPair[0], saraPair[1], again); signal.ErrorCode(err) != signal.CodeConflict {
			t.Errorf("decide the Sara pair again (%v): %v, want conflict", again, err)
		}
	}

	ag = e.agenda(m.ID, false)
	if it := item(ag, mo); it.Ref != item(ag, mo2).Ref || len(it.Signals) != 2 || !it.Match {
		t.Errorf("confirmed Mohamed/Mohammed: %+v, want one item with both signals, a match", it)
	}
	if item(ag, sara).Ref == item(ag, sara2).Ref {
		t.Error("the rejected pair was joined")
	}
	for _, p := range ag.Proposals {
		if p.Reason == signal.MatchBirthDate || p.Reason == signal.MatchSpelling && (item(ag, mo).Ref == p.A || item(ag, mo).Ref == p.B) {
			t.Errorf("a decided pair is proposed again: %+v", p)
		}
	}
	// Recording under the joined item reaches one case.
	if _, err := e.meetings.AssignLead(ctx, e.coordinator, m.ID, item(ag, mo2).Ref, e.youthwork.UserID); err != nil {
		t.Fatal(err)
	}
	for _, a := range []signal.AuditAction{signal.ActionMatchConfirm, signal.ActionMatchReject} {
		if n := e.count(`SELECT count(DISTINCT subject) FROM audit_entries WHERE action = ? AND subject <> ''`, string(a)); n != 2 {
			t.Errorf("%s audited under %d young people, want 2", a, n)
		}
	}
}

// TestErasureForgetsTheMatchDecisionsAboutTheYoungPerson: erasing a young
// person also erases the coordinator's answers about whether they and
// another young person are one (a confirmed pair and a rejected pair); the
// answers about two other young people stay, and the agenda still holds
// the other half of the confirmed pair on its own.
func TestErasureForgetsTheMatchDecisionsAboutTheYoungPerson(t *testing.T) {
	e := newMeetingEnv(t)
	ctx := context.Background()
	const born = "2011-04-30"
	mo := e.submitBorn(e.school, "Mohamed Amrani", born, "verzuim")
	mo2 := e.submitBorn(e.youthwork, "Mohammed Amrani", born, "zorgen")
	moB := e.submitBorn(e.school, "Mohamad Amrani", born, "verzuim") // another close spelling
	sara := e.submitBorn(e.school, "Sara Bakker", "2010-03-12", "verzuim")
	sara2 := e.submitBorn(e.youthwork, "Sara Bakker", "2010-12-03", "zorgen")
	m := e.plan("Overleg", e.now.Add(time.Hour))
	ag := e.agenda(m.ID, false)
	ref := func(ag signal.Agenda, id string) string {
		t.Helper()
		it, _ := findOnAgenda(ag, id)
		if it == nil {
			t.Fatalf("signal %s not on the agenda", id)
		}
		return it.Ref
	}
	decide := func(a, b string, same bool) {
		t.Helper()
		if _, err := e.meetings.DecideMatch(ctx, e.coordinator, m.ID, a, b, same); err != nil {
			t.Fatalf("decide %s/%s (%v): %v", a, b, same, err)
		}
	}
	decide(ref(ag, mo), ref(ag, moB), false)
	decide(ref(ag, mo), ref(ag, mo2), true)
	decide(ref(ag, sara), ref(ag, sara2), false)
	if n := e.count(`SELECT count(*) FROM match_decisions`); n != 3 {
		t.Fatalf("%d match decisions stored, want 3", n)
	}
	s, err := e.db.Signals().Signal(ctx, mo)
	if err != nil {
		t.Fatal(err)
	}
	eraseOnRequest(t, e.db, e.keys, e.now, s.CooperationID, s.Youth)
	if n := e.count(`SELECT count(*) FROM match_decisions WHERE youth_a = ? OR youth_b = ?`, s.Youth, s.Youth); n != 0 {
		t.Errorf("%d match decisions about the erased young person are left", n)
	}
	if n := e.count(`SELECT count(*) FROM match_decisions`); n != 1 {
		t.Errorf("%d match decisions left, want 1 (the Sara pair, about others)", n)
	}
	ag = e.agenda(m.ID, false)
	if r := ref(ag, mo2); r == "" {
		t.Error("the other half of the confirmed pair has no item after the erasure")
	}
	if ref(ag, sara) == ref(ag, sara2) {
		t.Error("the rejected Sara pair is joined after an erasure of someone else")
	}
}

// TestEvaluationCountsYoungPeopleAndMatchesAsTheAgendaShowsThem: the
// evaluation's young people and matches are the agenda's items and its
// items with signals of two or more partners. An anonymous signal about a
// young person the school named stays its own item in both (joining it in
// the count would tell the coordinator whom it is about); a pair the
// coordinator confirmed is one in both.
func TestEvaluationCountsYoungPeopleAndMatchesAsTheAgendaShowsThem(t *testing.T) {
	e := newMeetingEnv(t)
	ctx := context.Background()
	names := []string{"Lotte Jansen", "Daan de Boer", "Sem Mulder", "Fenna Bos", "Luuk Peters"}
	for _, n := range names {
		e.submit(e.school, n, signal.CategoryWellbeing, "zorgen over welzijn", "", signal.LevelFull)
		e.submit(e.youthwork, n, signal.CategoryWellbeing, "zorgen over welzijn", "", signal.LevelFull)
	}
	for _, n := range names[:2] {
		e.submit(e.youthwork, n, signal.CategoryWellbeing, "zorgen over welzijn", "", signal.LevelAnonymous)
	}
	mo := e.submitBorn(e.school, "Mohamed Amrani", "2011-04-30", "verzuim")
	mo2 := e.submitBorn(e.youthwork, "Mohammed Amrani", "2011-04-30", "zorgen")
	m := e.plan("Overleg", e.now.Add(time.Hour))
	ag := e.agenda(m.ID, false)
	a, _ := findOnAgenda(ag, mo)
	b, _ := findOnAgenda(ag, mo2)
	if a == nil || b == nil {
		t.Fatal("the Mohamed signals are not on the agenda")
	}
	if _, err := e.meetings.DecideMatch(ctx, e.coordinator, m.ID, a.Ref, b.Ref, true); err != nil {
		t.Fatal(err)
	}
	ag = e.agenda(m.ID, false)
	matches := 0
	for _, it := range ag.Items {
		if it.Match {
			matches++
		}
	}
	if len(ag.Items) != 8 || matches != 6 {
		t.Fatalf("agenda: %d items, %d matches; want 8 (5 named, 2 anonymous, Mohamed) and 6", len(ag.Items), matches)
	}
	// The figures are given once the quarter has ended.
	q := signal.QuarterOf(e.now)
	if _, err := e.meetings.Evaluation(ctx, e.coordinator, q, ""); signal.ErrorCode(err) != signal.CodeInvalid {
		t.Fatalf("the running quarter's evaluation: %v, want refused", err)
	}
	e.now = q.End().Time().Add(time.Hour)
	ev, err := e.meetings.Evaluation(ctx, e.coordinator, q, "")
	if err != nil {
		t.Fatal(err)
	}
	if ev.YoungPeople.String() != strconv.Itoa(len(ag.Items)) || ev.Matches.String() != strconv.Itoa(matches) {
		t.Errorf("evaluation: %s young people, %s matches; the agenda shows %d items, %d matches",
			ev.YoungPeople, ev.Matches, len(ag.Items), matches)
	}
}

// TestProposalsComeAPageAtATime: thirteen spellings of one name, born the
// same day, are 78 possible pairs; the agenda proposes the first
// MaxProposals and counts the rest, and a decided pair makes room for the
// next (the bench's 217,809 proposals were one unbounded list).
func TestProposalsComeAPageAtATime(t *testing.T) {
	e := newMeetingEnv(t)
	ctx := context.Background()
	names := []string{"Lotte Jansen"}
	for _, v := range []string{"Lotta", "Lotti", "Lotty", "Lotto", "Lottu", "Latte", "Litte", "Lutte", "Lette"} {
		names = append(names, v+" Jansen")
	}
	names = append(names, "Lotte Jansan", "Lotte Jansin", "Lotte Janson")
	for _, n := range names {
		e.submit(e.school, n, signal.CategoryWellbeing, "zorgen over welzijn", "", signal.LevelFull)
	}
	m := e.plan("Overleg", e.now.Add(time.Hour))
	ag := e.agenda(m.ID, false)
	total := len(ag.Proposals) + ag.MoreProposals
	if len(ag.Proposals) != signal.MaxProposals || total != 78 {
		t.Fatalf("%d proposals shown, %d more; want %d shown of 78", len(ag.Proposals), ag.MoreProposals, signal.MaxProposals)
	}
	for i := 1; i < len(ag.Proposals); i++ {
		if a, b := ag.Proposals[i-1], ag.Proposals[i]; a.ANum > b.ANum {
			t.Fatalf("proposals out of the agenda's order at %d: %+v %+v", i, a, b)
		}
	}
	p := ag.Proposals[0]
	if _, err := e.meetings.DecideMatch(ctx, e.coordinator, m.ID, p.A, p.B, false); err != nil {
		t.Fatal(err)
	}
	ag = e.agenda(m.ID, false)
	if len(ag.Proposals) != signal.MaxProposals || ag.MoreProposals != 78-1-signal.MaxProposals {
		t.Errorf("after one decision: %d shown, %d more", len(ag.Proposals), ag.MoreProposals)
	}
	for _, q := range ag.Proposals {
		if q.A == p.A && q.B == p.B {
			t.Error("a decided pair is proposed again")
		}
	}
}
