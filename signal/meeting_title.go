package signal

import (
	"context"
	"fmt"
	"time"
)

// A meeting's title goes to every member's contact person (the meeting
// list, the agenda, the minutes, a reporter's feedback), so it may name no
// one: the title is checked as a risk is (checkDetachedText) when it is
// planned. It is kept sealed under the cooperation's key, so whoever takes
// the database file cannot read it (issue 18, finding 6). Titles written
// before the check (migration 0050) may carry anything: at start the
// application checks each title still in the clear, seals those the check
// passes and drops those it refuses (SealOldTitles). A title never checked
// leaves the domain as the neutral "Overleg van <date>" (TitleWithheld),
// on every page, answer and export.

// OldTitle is a meeting title still in the clear, as a store returns it
// for SealOldTitles.
type OldTitle struct {
	MeetingID     string
	CooperationID string
	Title         string
}

// SealedTitle is what replaces an OldTitle: its sealed form with Checked
// set, or nothing (Sealed nil: the title is dropped).
type SealedTitle struct {
	MeetingID string
	Sealed    []byte
	Checked   bool
}

// titleKeyHolder is whom a cooperation's meeting titles are sealed under in
// the Vault: the cooperation, not a young person (a pseudonym is 64 hex
// digits, so the two never meet), and never erased with a young person.
func titleKeyHolder(coop string) string { return "cooperation/" + coop }

func titleAD(meetingID string) []byte { return []byte("meeting/" + meetingID + "/title") }

// neutralTitle is the title of a meeting whose own title was never checked:
// the day it starts, in the Netherlands, written as Dutch people write it.
func neutralTitle(startsAt time.Time) string {
	d := DateOf(startsAt.In(amsterdam))
	return fmt.Sprintf("Overleg van %d-%d-%d", d.Day, d.Month, d.Year)
}

// sealTitle seals mt.Title, which passed the check, for the store.
func (m *Meetings) sealTitle(ctx context.Context, mt *Meeting) error {
	ct, err := m.vault.Seal(ctx, titleKeyHolder(mt.CooperationID), titleAD(mt.ID), []byte(mt.Title))
	if err != nil {
		return fmt.Errorf("seal meeting title: %w", err)
	}
	mt.SealedTitle, mt.TitleChecked = ct, true
	return nil
}

// showTitles sets the Title of meetings read from the store as it may be
// shown: the sealed title once it passed the check, else the neutral one.
func (m *Meetings) showTitles(ctx context.Context, mts ...*Meeting) error {
	for _, mt := range mts {
		if !mt.TitleChecked || len(mt.SealedTitle) == 0 {
			mt.Title, mt.TitleWithheld = neutralTitle(mt.StartsAt), true
			continue
		}
		pt, err := m.vault.Unseal(ctx, titleKeyHolder(mt.CooperationID), titleAD(mt.ID), mt.SealedTitle)
		if err != nil {
			return fmt.Errorf("open the title of meeting %s: %w", mt.ID, err)
		}
		mt.Title, mt.TitleWithheld = string(pt), false
	}
	return nil
}

// OldTitlesSealed is what SealOldTitles did.
type OldTitlesSealed struct {
	// Sealed titles passed the check and are kept, sealed.
	Sealed int `json:"sealed"`
	// Dropped titles did not pass: they are gone, and their meetings are
	// shown with the neutral title.
	Dropped int `json:"dropped"`
}

// SealOldTitles checks every meeting title still kept in the clear
// (written before titles were sealed) as a title is checked when planned,
// against the names of the young people known to the cooperation's
// meeting now; it seals the titles the check passes and drops those it
// refuses, audited as meeting.title_sealed per meeting (no text). Nothing
// to do is not an error; running it again does nothing.
//
// Who: the application itself at start (RoleSystem).
// Errors: CodeForbidden for any other role; a store or key failure as is.
func (m *Meetings) SealOldTitles(ctx context.Context, actor Actor) (OldTitlesSealed, error) {
	var out OldTitlesSealed
	if actor.Role != RoleSystem {
		return out, Errorf(CodeForbidden, "only the application seals the old meeting titles")
	}
	old, err := m.meetings.OldTitles(ctx)
	if err != nil || len(old) == 0 {
		return out, err
	}
	known := map[string][]string{}
	var titles []SealedTitle
	var events []AuditEvent
	for _, t := range old {
		names, ok := known[t.CooperationID]
		if !ok {
			if names, err = m.knownNames(ctx, actor, t.CooperationID, ""); err != nil {
				return OldTitlesSealed{}, err
			}
			known[t.CooperationID] = names
		}
		st := SealedTitle{MeetingID: t.MeetingID}
		err := m.checkDetachedAgainst(names, "title", t.Title)
		switch {
		case err == nil:
			if st.Sealed, err = m.vault.Seal(ctx, titleKeyHolder(t.CooperationID), titleAD(t.MeetingID), []byte(t.Title)); err != nil {
				return OldTitlesSealed{}, fmt.Errorf("seal meeting title: %w", err)
			}
			st.Checked = true
			out.Sealed++
		case ErrorCode(err) == CodeInvalid:
			out.Dropped++
		default:
			return OldTitlesSealed{}, err
		}
		titles = append(titles, st)
		events = append(events, AuditEvent{Action: ActionMeetingTitleSealed, Object: meetingObject(t.MeetingID)})
	}
	if err := m.meetings.SealOldTitles(ctx, actor, titles, events); err != nil {
		return OldTitlesSealed{}, fmt.Errorf("store the sealed meeting titles: %w", err)
	}
	return out, nil
}
