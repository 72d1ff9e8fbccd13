package sqlite_test

import (
	"context"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/signal"
)

// refsOf lists the item refs of an agenda list, sorted.
func refsOf(list []signal.AgendaItem) []string {
	out := []string{}
	for _, it := range list {
		out = append(out, it.Ref)
	}
	sort.Strings(out)
	return out
}

// newIDs lists the ids of the signals an agenda shows as new, sorted.
func newIDs(ag signal.Agenda) []string {
	out := []string{}
	for _, it := range ag.Items {
		for _, v := range it.Signals {
			out = append(out, v.ID)
		}
	}
	sort.Strings(out)
	return out
}

func sorted(ss ...string) []string {
	out := slices.Clone(ss)
	sort.Strings(out)
	return out
}

// TestEverySignalIsNewOnExactlyOneAgendaAndNoItemDisappears runs three
// meetings in a row, each held later than planned, one moved to a start
// before the meeting held ahead of it and one cancelled in between, with
// signals arriving before, during (between the planned start and the close)
// and after each, one of them half a second after a close and one at the
// very instant of it. Every signal is new on exactly one agenda: the first
// meeting held after it came in. An item nobody recorded anything about
// comes back on the next agenda ("niet besproken, doorschuiven") until a
// meeting does; a running case comes back until it is closed.
func TestEverySignalIsNewOnExactlyOneAgendaAndNoItemDisappears(t *testing.T) {
	e := newMeetingEnv(t)
	ctx := context.Background()
	full, anon := signal.LevelFull, signal.LevelAnonymous
	cat := signal.CategorySchoolAbsence
	base := e.now
	ref := func(ag signal.Agenda, sig string) string {
		t.Helper()
		it, _ := findOnAgenda(ag, sig)
		if it == nil {
			t.Fatalf("signal %s is not on the agenda of %s", sig, ag.Meeting.Title)
		}
		return it.Ref
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	hold := func(m *signal.Meeting, at time.Time) {
		t.Helper()
		e.now = at
		_, err := e.meetings.Hold(ctx, e.coordinator, m.ID)
		must(err)
	}
	due := func() string { return signal.Today(e.now.Add(14 * 24 * time.Hour)).String() }

	m1 := e.plan("Overleg 1", base.Add(24*time.Hour))
	m2 := e.plan("Overleg 2", base.Add(8*24*time.Hour))
	m3 := e.plan("Overleg 3", base.Add(15*24*time.Hour))

	// Before meeting 1.
	anna := e.submit(e.school, "Anna Appel", cat, "verzuim", "", full)
	bram := e.submit(e.youthwork, "Bram Boom", cat, "zorgen", "", anon)
	cas := e.submit(e.school, "Cas Claes", cat, "verzuim", "", full)
	// Meeting 1 started on time but runs: Dewi's signal comes in after the
	// planned start, before the close.
	e.now = m1.StartsAt.Add(30 * time.Minute)
	dewi := e.submit(e.youthwork, "Dewi Dekker", cat, "zorgen", "", full)
	ag := e.agenda(m1.ID, false)
	if got := newIDs(ag); !slices.Equal(got, sorted(anna, bram, cas, dewi)) {
		t.Fatalf("meeting 1 while it runs: new %v", got)
	}
	_, err := e.meetings.AssignLead(ctx, e.coordinator, m1.ID, ref(ag, anna), e.youthwork.UserID)
	must(err)
	_, err = e.meetings.Decide(ctx, e.coordinator, m1.ID, ref(ag, cas), signal.NewDecision{Kind: signal.DecisionNoAction, Text: "school pakt het zelf op"})
	must(err)
	must(e.meetings.CloseCase(ctx, e.coordinator, m1.ID, ref(ag, cas), signal.CloseNoConcern))
	// Bram and Dewi are not discussed. Meeting 1 closes two days late, at
	// a whole second.
	held1 := m1.StartsAt.Add(48 * time.Hour).Truncate(time.Second)
	hold(m1, held1)

	// At the instant of the close and half a second after it: both belong
	// to the next meeting (a window is [held before, held)).
	fenna := e.submit(e.school, "Fenna Fris", cat, "verzuim", "", full)
	e.now = held1.Add(500 * time.Millisecond)
	eva := e.submit(e.youthwork, "Eva Eik", cat, "zorgen", "", full)
	// Meeting 2 is moved to earlier than planned.
	moved, err := e.meetings.Move(ctx, e.coordinator, m2.ID, held1.Add(3*24*time.Hour).Format(time.RFC3339))
	must(err)
	if !moved.StartsAt.Equal(held1.Add(3 * 24 * time.Hour)) {
		t.Fatalf("moved to %v", moved.StartsAt)
	}
	anna2 := e.submit(e.youthwork, "Anna Appel", cat, "zorgen", "", full) // a second partner: a match
	e.now = held1.Add(3*24*time.Hour + 10*time.Minute)
	gijs := e.submit(e.school, "Gijs Gans", cat, "verzuim", "", anon)
	ag = e.agenda(m2.ID, false)
	if got := newIDs(ag); !slices.Equal(got, sorted(fenna, eva, anna2, gijs)) {
		t.Fatalf("meeting 2 while it runs: new %v", got)
	}
	_, err = e.meetings.AddAction(ctx, e.coordinator, m2.ID, ref(ag, dewi), signal.NewAction{OwnerID: e.youthwork.UserID, Description: "huisbezoek", Due: due()})
	must(err)
	_, err = e.meetings.Decide(ctx, e.coordinator, m2.ID, ref(ag, fenna), signal.NewDecision{Kind: signal.DecisionAct, Text: "mentor neemt contact op"})
	must(err)
	must(e.meetings.CloseCase(ctx, e.coordinator, m2.ID, ref(ag, fenna), signal.CloseResolved))
	_, err = e.meetings.AddAction(ctx, e.coordinator, m2.ID, ref(ag, anna2), signal.NewAction{OwnerID: e.school.UserID, Description: "gesprek", Due: due()})
	must(err)
	// Bram, Eva and Gijs are not discussed.
	held2 := e.now.Add(2 * time.Hour)
	hold(m2, held2)

	// After meeting 2: an extra meeting is planned and cancelled; the
	// signals of its time go to meeting 3, which is moved to a start before
	// meeting 2's (the old agenda counted from the previous start, so it
	// listed meeting 2's signals again).
	e.now = held2.Add(time.Hour)
	hugo := e.submit(e.school, "Hugo Hof", cat, "verzuim", "", full)
	extra := e.plan("Extra overleg", held2.Add(5*24*time.Hour))
	cas2 := e.submit(e.youthwork, "Cas Claes", cat, "zorgen", "", full) // his case was closed in meeting 1
	if _, err := e.meetings.Cancel(ctx, e.coordinator, extra.ID); err != nil {
		t.Fatal(err)
	}
	_, err = e.meetings.Move(ctx, e.coordinator, m3.ID, m2.StartsAt.Add(-time.Hour).Format(time.RFC3339))
	must(err)
	e.now = held2.Add(7 * 24 * time.Hour)
	iris := e.submit(e.school, "Iris Ito", cat, "verzuim", "", full)
	ag = e.agenda(m3.ID, false)
	_, err = e.meetings.AssignLead(ctx, e.coordinator, m3.ID, ref(ag, hugo), e.school.UserID)
	must(err)
	must(e.meetings.CloseCase(ctx, e.coordinator, m3.ID, ref(ag, anna), signal.CloseReferred))
	_, err = e.meetings.Decide(ctx, e.coordinator, m3.ID, ref(ag, bram), signal.NewDecision{Kind: signal.DecisionNoAction, Text: "melder vraagt eerst toestemming"})
	must(err)
	// Eva, Gijs, Cas (again) and Iris are not discussed.
	held3 := e.now.Add(90 * time.Minute)
	hold(m3, held3)

	// After meeting 3, before meeting 4 (planned, not held).
	e.now = held3.Add(24 * time.Hour)
	jan := e.submit(e.school, "Jan Jansen", cat, "verzuim", "", full)
	m4 := e.plan("Overleg 4", e.now.Add(7*24*time.Hour))

	// The agendas, read after the fact (a held meeting's agenda is what it
	// was when it was held).
	ags := []signal.Agenda{e.agenda(m1.ID, false), e.agenda(m2.ID, false), e.agenda(m3.ID, false), e.agenda(m4.ID, false)}
	all := []string{anna, bram, cas, dewi, fenna, eva, anna2, gijs, hugo, cas2, iris, jan}
	names := map[string]string{anna: "anna", bram: "bram", cas: "cas", dewi: "dewi", fenna: "fenna", eva: "eva",
		anna2: "anna2", gijs: "gijs", hugo: "hugo", cas2: "cas2", iris: "iris", jan: "jan"}

	t.Run("every signal is new on exactly one agenda", func(t *testing.T) {
		seen := map[string][]string{}
		for _, ag := range ags {
			for _, id := range newIDs(ag) {
				seen[id] = append(seen[id], ag.Meeting.Title)
			}
		}
		for _, id := range all {
			if len(seen[id]) != 1 {
				t.Errorf("signal %s is new on %v, want exactly one agenda", names[id], seen[id])
			}
		}
		want := [][]string{sorted(anna, bram, cas, dewi), sorted(fenna, eva, anna2, gijs), sorted(hugo, cas2, iris), {jan}}
		for i, ag := range ags {
			if got := newIDs(ag); !slices.Equal(got, want[i]) {
				t.Errorf("%s: new %v, want %v", ag.Meeting.Title, got, want[i])
			}
		}
		if ex := e.agenda(extra.ID, false); len(ex.Items)+len(ex.Carried)+len(ex.FollowUp) != 0 {
			t.Errorf("the cancelled meeting has an agenda: %+v", ex)
		}
		if ags[1].Since == nil || !ags[1].Since.Equal(held1) || ags[3].Since == nil || !ags[3].Since.Equal(held3) {
			t.Errorf("windows start at %v and %v, want when the previous meeting was held (%v, %v)", ags[1].Since, ags[3].Since, held1, held3)
		}
	})

	t.Run("items not discussed move to the next meeting until one records something", func(t *testing.T) {
		r := func(sig string) string { return ref(ags[0], sig) }
		r2 := func(sig string) string { return ref(ags[1], sig) }
		want := [][]string{{}, sorted(r(bram), r(dewi)), sorted(r(bram), r2(eva), r2(gijs)),
			sorted(r2(eva), r2(gijs), ref(ags[2], cas2), ref(ags[2], iris))}
		for i, ag := range ags {
			if got := refsOf(ag.Carried); !slices.Equal(got, want[i]) {
				t.Errorf("%s: carried %v, want %v", ag.Meeting.Title, got, want[i])
			}
			for _, it := range ag.Carried {
				if !it.Carried || len(it.Signals) == 0 {
					t.Errorf("%s: carried item %s: %+v", ag.Meeting.Title, it.Ref, it)
				}
			}
		}
		// Cas's carried item shows only what came after his case was closed.
		it, _ := findOnAgenda(ags[3], cas2)
		if it == nil || !it.Carried || len(it.Signals) != 1 {
			t.Errorf("cas on meeting 4: %+v, want carried with the one new signal", it)
		}
		if it, _ := findOnAgenda(ags[3], cas); it != nil {
			t.Errorf("cas's closed signal is back on meeting 4")
		}
	})

	t.Run("running cases stay until closed", func(t *testing.T) {
		r := func(sig string) string { return ref(ags[0], sig) }
		// Anna's case is closed in meeting 3: no longer followed up there.
		want := [][]string{{}, {}, sorted(r(dewi)), sorted(r(bram), r(dewi), ref(ags[2], hugo))}
		for i, ag := range ags {
			if got := refsOf(ag.FollowUp); !slices.Equal(got, want[i]) {
				t.Errorf("%s: follow-up %v, want %v", ag.Meeting.Title, got, want[i])
			}
		}
	})

	t.Run("no item disappears between two meetings unless a meeting closed it", func(t *testing.T) {
		cs, err := e.db.Meetings().Cases(ctx, m1.CooperationID)
		must(err)
		closedAt := map[string]string{} // item ref -> the meeting that closed its case
		for _, c := range cs.Cases {
			if c.Status == signal.CaseClosed {
				closedAt[c.ItemRef()] = c.ClosedMeeting
			}
		}
		for i := 0; i+1 < len(ags); i++ {
			next := map[string]bool{}
			for _, list := range [][]signal.AgendaItem{ags[i+1].Items, ags[i+1].Carried, ags[i+1].FollowUp} {
				for _, a := range list {
					next[a.Ref] = true
				}
			}
			for _, list := range [][]signal.AgendaItem{ags[i].Items, ags[i].Carried, ags[i].FollowUp} {
				for _, a := range list {
					if c := closedAt[a.Ref]; !next[a.Ref] && c != ags[i].Meeting.ID && c != ags[i+1].Meeting.ID {
						t.Errorf("%s: item %s (%d) is on no later agenda and no meeting closed it", ags[i].Meeting.Title, a.Ref, a.Number)
					}
				}
			}
		}
	})
}

// findOnAgenda returns the item showing signal id, in any of the agenda's
// lists.
func findOnAgenda(ag signal.Agenda, id string) (*signal.AgendaItem, *signal.SignalView) {
	for _, list := range [][]signal.AgendaItem{ag.Items, ag.Carried, ag.FollowUp} {
		for i := range list {
			for j := range list[i].Signals {
				if list[i].Signals[j].ID == id {
					return &list[i], &list[i].Signals[j]
				}
			}
		}
	}
	return nil, nil
}
