package sqlite_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/signal"
)

// contentsOf returns the contents entry of ref.
func contentsOf(c signal.AgendaContents, ref string) *signal.ContentsEntry {
	for i := range c.Entries {
		if c.Entries[i].Ref == ref {
			return &c.Entries[i]
		}
	}
	return nil
}

func contentRefs(c signal.AgendaContents) []string {
	var out []string
	for _, e := range c.Entries {
		out = append(out, e.Ref)
	}
	return out
}

// TestAgendaContentsShowNoOneAndOpeningIsTheDisclosure (issue 16, item 7):
// the contents list numbers and counts every item as the agenda does, at
// the levels the meeting may see, shows no name, birth date or text, and is
// one audit entry naming no one; filters keep what they say; an item is
// "besproken" once this meeting recorded something about it. Opening a
// young person shows the item as the agenda does and audits exactly that
// disclosure under the young person; opening it again unchanged writes one
// entry per disclosure that refers to the earlier one, and the access report
// lists the disclosure once with when it was viewed again; a new signal
// makes the next opening a full disclosure again.
func TestAgendaContentsShowNoOneAndOpeningIsTheDisclosure(t *testing.T) {
	e := newMeetingEnv(t)
	ctx := context.Background()
	anna := e.submit(e.school, "Anna Jansen", signal.CategorySchoolAbsence, "Anna mist veel lessen.", "Ik maak me zorgen.", signal.LevelFull)
	annaMin := e.submit(e.youthwork, "Anna Jansen", signal.CategoryHomeSituation, "Spanningen thuis.", "", signal.LevelMinimal)
	bob := e.submit(e.school, "Bob de Wit", signal.CategorySchoolAbsence, "Bob komt te laat.", "", signal.LevelExistence)
	anon := e.submit(e.youthwork, "Cas Bakker", signal.CategorySchoolAbsence, "Een zorg zonder naam.", "", signal.LevelAnonymous)
	m := e.plan("Overleg", e.now.Add(time.Hour))

	before := e.count(`SELECT count(*) FROM audit_entries`)
	c, err := e.meetings.Contents(ctx, e.coordinator, m.ID, signal.ContentsFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if n := e.count(`SELECT count(*) FROM audit_entries`) - before; n != 1 ||
		e.count(`SELECT count(*) FROM audit_entries WHERE action = ? AND subject = '' AND object = ?`, string(signal.ActionAgendaContents), "meeting/"+m.ID) != 1 {
		t.Fatalf("the contents list wrote %d audit entries, want one agenda.contents naming no one", n)
	}
	b, _ := json.Marshal(c)
	for _, s := range []string{"Anna", "Bob", "Cas", "2011-04-30", "lessen", "zorgen", "Spanningen", "laat", "zonder naam", "school_absence"} {
		if strings.Contains(string(b), s) {
			t.Errorf("the contents list shows %q: %s", s, b)
		}
	}
	// Every item of the agenda, with its number, section and counts.
	ag := e.agenda(m.ID, false)
	if c.Total != len(ag.Items)+len(ag.Carried)+len(ag.FollowUp) || len(c.Entries) != c.Total || c.Total != 3 {
		t.Fatalf("contents %d of %d entries, agenda %d items; want 3", len(c.Entries), c.Total, len(ag.Items))
	}
	for _, it := range ag.Items {
		en := contentsOf(c, it.Ref)
		if en == nil || en.Number != it.Number || en.Section != signal.SectionNew || en.Signals != len(it.Signals) || en.Match != it.Match {
			t.Fatalf("item %d %s: contents %+v", it.Number, it.Ref, en)
		}
		levels := map[signal.Level]int{}
		for _, v := range it.Signals {
			levels[v.Level]++
		}
		for _, l := range en.Levels {
			if levels[l.Level] != l.Signals {
				t.Errorf("item %d: %d signals at %s, the agenda shows %d", it.Number, l.Signals, l.Level, levels[l.Level])
			}
			delete(levels, l.Level)
		}
		if len(levels) != 0 {
			t.Errorf("item %d: levels %v not counted", it.Number, levels)
		}
	}
	annaItem, _ := findOnAgenda(ag, anna)
	bobItem, _ := findOnAgenda(ag, bob)
	anonItem, _ := findOnAgenda(ag, anon)
	if it, _ := findOnAgenda(ag, annaMin); it.Ref != annaItem.Ref || !annaItem.Match {
		t.Fatal("Anna's two signals are not one item with a match")
	}

	// Filters.
	for _, tc := range []struct {
		name string
		f    signal.ContentsFilter
		want []string
	}{
		{"match", signal.ContentsFilter{Match: true}, []string{annaItem.Ref}},
		{"existence", signal.ContentsFilter{Level: signal.LevelExistence}, []string{bobItem.Ref}},
		{"anonymous", signal.ContentsFilter{Level: signal.LevelAnonymous}, []string{anonItem.Ref}},
		{"youth work", signal.ContentsFilter{Partner: e.youthwork.OrgID}, []string{annaItem.Ref, anonItem.Ref}},
		{"carried", signal.ContentsFilter{Section: signal.SectionCarried}, nil},
		{"not discussed", signal.ContentsFilter{Open: true}, []string{annaItem.Ref, bobItem.Ref, anonItem.Ref}},
	} {
		got, err := e.meetings.Contents(ctx, e.coordinator, m.ID, tc.f)
		if err != nil {
			t.Fatal(err)
		}
		if g := contentRefs(got); !slices.Equal(sortedCopy(g), sortedCopy(tc.want)) || got.Total != 3 {
			t.Errorf("filter %s: %v of %d, want %v", tc.name, g, got.Total, tc.want)
		}
	}
	if _, err := e.meetings.Contents(ctx, e.coordinator, m.ID, signal.ContentsFilter{Section: "later"}); !hasField(err, "section") {
		t.Errorf("section later: %v, want invalid naming section", err)
	}
	if _, err := e.meetings.Contents(ctx, e.school, m.ID, signal.ContentsFilter{}); signal.ErrorCode(err) != signal.CodeForbidden {
		t.Errorf("a reporter reads the contents: %v", err)
	}
	if _, err := e.meetings.Contents(ctx, e.elsewhere, m.ID, signal.ContentsFilter{}); signal.ErrorCode(err) != signal.CodeNotFound {
		t.Errorf("another cooperation reads the contents: %v", err)
	}

	// "Besproken": a lead recorded in this meeting.
	if _, err := e.meetings.AssignLead(ctx, e.coordinator, m.ID, bobItem.Ref, e.school.UserID); err != nil {
		t.Fatal(err)
	}
	e.now = e.now.Add(time.Minute)
	c, err = e.meetings.Contents(ctx, e.coordinator, m.ID, signal.ContentsFilter{Open: true})
	if err != nil {
		t.Fatal(err)
	}
	if contentsOf(c, bobItem.Ref) != nil || len(c.Entries) != 2 {
		t.Errorf("not discussed after Bob's lead: %v", contentRefs(c))
	}
	all, _ := e.meetings.Contents(ctx, e.coordinator, m.ID, signal.ContentsFilter{})
	if en := contentsOf(all, bobItem.Ref); en == nil || !en.Discussed || !en.Lead || en.Case != signal.CaseOpen {
		t.Errorf("Bob after his lead: %+v, want discussed with a lead", en)
	}

	// Opening Anna is the disclosure, as the agenda shows her.
	opened, err := e.meetings.OpenItem(ctx, e.coordinator, m.ID, annaItem.Ref)
	if err != nil {
		t.Fatal(err)
	}
	it := opened.Item
	if it.Number != annaItem.Number || it.Youth == nil || it.Youth.Name != "Anna Jansen" || len(it.Signals) != 2 || opened.Again ||
		opened.Section != signal.SectionNew {
		t.Fatalf("opened %+v", opened)
	}
	for i, v := range it.Signals {
		w := annaItem.Signals[i]
		if v.ID != w.ID || v.Level != w.Level || v.Facts != w.Facts || v.Opinions != w.Opinions || v.Category != w.Category {
			t.Errorf("opened signal %d: %+v, the agenda shows %+v", i, v, w)
		}
	}
	sig, _ := e.db.Signals().Signal(ctx, anna)
	opens := func(action signal.AuditAction) int {
		return e.count(`SELECT count(*) FROM audit_entries WHERE action = ? AND subject = ?`, string(action), sig.Youth)
	}
	first := opens(signal.ActionAgendaOpen)
	if first != 2 { // one per decision: the full and the minimal signal
		t.Fatalf("%d agenda.open entries about Anna, want 2", first)
	}
	if n := e.count(`SELECT count(*) FROM audit_entries WHERE action = ? AND subject <> ?`, string(signal.ActionAgendaOpen), sig.Youth); n != 0 {
		t.Errorf("opening Anna audited %d entries about others", n)
	}
	for range 2 {
		again, err := e.meetings.OpenItem(ctx, e.coordinator, m.ID, annaItem.Ref)
		if err != nil {
			t.Fatal(err)
		}
		if !again.Again || again.Item.Youth.Name != "Anna Jansen" {
			t.Errorf("opened again: %+v, want the same, marked again", again)
		}
	}
	if n := opens(signal.ActionAgendaOpen); n != first {
		t.Errorf("opening Anna again unchanged wrote %d more full disclosures", n-first)
	}
	if n := opens(signal.ActionAgendaReopen); n != 4 {
		t.Errorf("%d agenda.reopen entries after two openings again, want 2 x 2", n)
	}
	if n := e.count(`SELECT count(*) FROM audit_entries r JOIN audit_entries o ON r.object = 'audit/' || o.seq
		WHERE r.action = ? AND o.action = ? AND o.subject = r.subject AND json_array_length(r.decision, '$.fields') = 0`,
		string(signal.ActionAgendaReopen), string(signal.ActionAgendaOpen)); n != 4 {
		t.Errorf("%d agenda.reopen entries refer to Anna's agenda.open without fields, want 4", n)
	}
	views := e.agendaViews(sig.CooperationID, anna)
	var openViews []signal.AccessEvent
	for _, v := range views {
		if v.Action == signal.ActionAgendaOpen {
			openViews = append(openViews, v)
		}
	}
	if len(openViews) != 1 || len(openViews[0].Again) != 2 || openViews[0].Meeting != m.ID ||
		!slices.Equal(openViews[0].Fields, []string{"identity", "facts", "opinions"}) {
		t.Errorf("access report: opened views %+v, want one disclosure viewed again twice", openViews)
	}

	// A new signal changes what opening Anna discloses: in full again.
	e.submit(e.youthwork, "Anna Jansen", signal.CategorySchoolAbsence, "Nieuw: weer afwezig.", "", signal.LevelFull)
	again, err := e.meetings.OpenItem(ctx, e.coordinator, m.ID, annaItem.Ref)
	if err != nil {
		t.Fatal(err)
	}
	if again.Again || len(again.Item.Signals) != 3 || opens(signal.ActionAgendaOpen) <= first {
		t.Errorf("after a new signal: again %v, %d signals, %d full entries (was %d)", again.Again, len(again.Item.Signals), opens(signal.ActionAgendaOpen), first)
	}
	if _, err := e.meetings.OpenItem(ctx, e.coordinator, m.ID, "y-nobody"); signal.ErrorCode(err) != signal.CodeNotFound {
		t.Errorf("an item not on the agenda: %v", err)
	}
	if _, err := e.meetings.OpenItem(ctx, e.elsewhere, m.ID, annaItem.Ref); signal.ErrorCode(err) != signal.CodeNotFound {
		t.Errorf("another cooperation opens Anna: %v", err)
	}
}

func sortedCopy(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func hasField(err error, field string) bool {
	se, ok := err.(*signal.Error)
	if !ok || se.Code != signal.CodeInvalid {
		return false
	}
	for _, f := range se.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}

// TestMinutesNumberAsTheAgenda (issue 16, item 4, in part): the minutes
// give each young person the number the agenda gave them, not a count of
// the items discussed, for the chair and for a member's contact person;
// and a held meeting's minutes carry when it was held.
func TestMinutesNumberAsTheAgenda(t *testing.T) {
	e := newMeetingEnv(t)
	ctx := context.Background()
	e.submit(e.school, "Anna Jansen", signal.CategorySchoolAbsence, "Anna mist veel lessen.", "", signal.LevelFull)
	e.submit(e.youthwork, "Anna Jansen", signal.CategorySchoolAbsence, "Anna is vaak weg.", "", signal.LevelFull)
	bob := e.submit(e.school, "Bob de Wit", signal.CategorySchoolAbsence, "Bob komt te laat.", "", signal.LevelFull)
	m := e.plan("Overleg", e.now.Add(time.Hour))
	ag := e.agenda(m.ID, false)
	bobItem, _ := findOnAgenda(ag, bob)
	if bobItem.Number != 2 {
		t.Fatalf("Bob is item %d on the agenda, want 2 (Anna, with two partners, first)", bobItem.Number)
	}
	if _, err := e.meetings.AssignLead(ctx, e.coordinator, m.ID, bobItem.Ref, e.school.UserID); err != nil {
		t.Fatal(err)
	}
	e.now = e.now.Add(2 * time.Hour)
	held, err := e.meetings.Hold(ctx, e.coordinator, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	e.now = e.now.Add(time.Hour)
	for _, who := range []signal.Actor{e.coordinator, e.school} {
		mn, err := e.meetings.Minutes(ctx, who, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(mn.Items) != 1 || mn.Items[0].Number != 2 || mn.Items[0].Label != "Jongere 2" {
			t.Errorf("minutes for %s: %+v, want Bob as item 2", who.Role, mn.Items)
		}
		if mn.Meeting.HeldAt == nil || !mn.Meeting.HeldAt.Equal(*held.HeldAt) || !mn.Final {
			t.Errorf("minutes for %s: held at %v, want %v", who.Role, mn.Meeting.HeldAt, held.HeldAt)
		}
	}
}
