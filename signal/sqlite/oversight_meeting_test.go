package sqlite_test

import (
	"context"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/signal"
)

// TestOversightCountsTheMeetingsViews (issue 16, item 8): the agenda, the
// projector, an opened young person and the minutes count in the privacy
// officer's oversight like any other read of content; the contents list,
// which shows no one, does not.
func TestOversightCountsTheMeetingsViews(t *testing.T) {
	e := newMeetingEnv(t)
	ctx := context.Background()
	e.submit(e.school, "Anna Jansen", signal.CategorySchoolAbsence, "Anna mist veel lessen.", "", signal.LevelFull)
	e.submit(e.youthwork, "Bob de Wit", signal.CategorySchoolAbsence, "Bob komt te laat.", "", signal.LevelMinimal)
	m := e.plan("Overleg", e.now.Add(time.Hour))
	orgs, err := e.db.Privacy().CooperationOrgs(ctx, mustCoop(t, e))
	if err != nil {
		t.Fatal(err)
	}
	officer := signal.Actor{UserID: "privacy-officer", OrgID: orgs[0], Role: signal.RolePrivacyOfficer}
	views := func() int {
		t.Helper()
		e.now = e.now.Add(time.Second)
		o, err := privacyOf(e.db).Oversight(ctx, officer, signal.OversightWindow{Threshold: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range o.HeavyReaders {
			if r.UserID == e.coordinator.UserID {
				return r.Views
			}
		}
		return 0
	}
	if n := views(); n != 0 {
		t.Fatalf("the coordinator has %d views before reading anything", n)
	}
	steps := []struct {
		name string
		read func() error
		more int // entries about a young person
	}{
		{"contents list", func() error {
			_, err := e.meetings.Contents(ctx, e.coordinator, m.ID, signal.ContentsFilter{})
			return err
		}, 0},
		{"agenda", func() error { _, err := e.meetings.Agenda(ctx, e.coordinator, m.ID, false); return err }, 2},
		{"projector", func() error { _, err := e.meetings.Agenda(ctx, e.coordinator, m.ID, true); return err }, 2},
		{"one young person opened", func() error {
			ag := e.agenda(m.ID, false) // 2 more views
			_, err := e.meetings.OpenItem(ctx, e.coordinator, m.ID, ag.Items[0].Ref)
			return err
		}, 3},
		{"minutes", func() error {
			ag := e.agenda(m.ID, false) // 2 more views
			for _, it := range ag.Items {
				if _, err := e.meetings.AssignLead(ctx, e.coordinator, m.ID, it.Ref, e.school.UserID); err != nil {
					return err
				}
			}
			_, err := e.meetings.Minutes(ctx, e.coordinator, m.ID)
			return err
		}, 4},
	}
	total := 0
	for _, s := range steps {
		if err := s.read(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		total += s.more
		if n := views(); n != total {
			t.Errorf("after the %s the oversight counts %d views, want %d", s.name, n, total)
		}
	}
}

func mustCoop(t *testing.T, e *meetingEnv) string {
	t.Helper()
	mt, err := e.meetings.List(context.Background(), e.coordinator)
	if err != nil || len(mt) == 0 {
		t.Fatalf("meetings: %v", err)
	}
	return mt[0].CooperationID
}
