package signal

import (
	"context"
	"slices"
	"time"
)

// MeetingStanding is the signal meeting's standing arrangement: when it
// meets and which partners take part unless a meeting names others.
type MeetingStanding struct {
	// Weekday is the ISO day of the week, 1 (Monday) to 7 (Sunday).
	Weekday    int
	StartTime  string // "15:00", local time
	EveryWeeks int
	Members    []string // organisation ids
	UpdatedAt  time.Time
}

// Validate reports every problem with ms as field errors, named as the
// console's form names them.
func (ms *MeetingStanding) Validate() error {
	var fe FieldErrors
	if ms.Weekday < 1 || ms.Weekday > 7 {
		fe.Add("weekday", "choose a day of the week")
	}
	if _, err := time.Parse("15:04", ms.StartTime); err != nil || len(ms.StartTime) != 5 {
		fe.Add("start_time", "a time as HH:MM, for example 15:00")
	}
	if ms.EveryWeeks < 1 || ms.EveryWeeks > 12 {
		fe.Add("every_weeks", "a whole number of weeks from 1 to 12")
	}
	if len(ms.Members) == 0 {
		fe.Add("members", "name at least one partner")
	}
	return fe.Err()
}

// MeetingStandingStore keeps each cooperation's standing arrangement.
type MeetingStandingStore interface {
	// MeetingStanding returns it; CodeNotFound when none is recorded.
	MeetingStanding(ctx context.Context, coopID string) (MeetingStanding, error)
	// SetMeetingStanding replaces it with events, in one unit; CodeInvalid
	// when a member is not a partner of coopID.
	SetMeetingStanding(ctx context.Context, actor Actor, coopID string, ms MeetingStanding, events []AuditEvent) error
}

// SetMeetingStanding records when the signal meeting of the
// administrator's cooperation meets and who takes part by default;
// audited meeting.standing. A meeting the coordinator plans without naming
// members gets these members.
//
// Callers: an admin.
// Errors: CodeForbidden, CodeInvalid (weekday, start_time, every_weeks,
// members).
func (ad *Administration) SetMeetingStanding(ctx context.Context, actor Actor, ms *MeetingStanding) error {
	coop, err := ad.ownCooperation(ctx, actor)
	if err != nil {
		return err
	}
	if err := ms.Validate(); err != nil {
		return err
	}
	if ad.d.Standing == nil {
		return Errorf(CodeUnavailable, "the meeting's arrangement cannot be stored on this server")
	}
	slices.Sort(ms.Members)
	ms.Members = slices.Compact(ms.Members)
	ms.UpdatedAt = ad.d.Now().UTC()
	return ad.d.Standing.SetMeetingStanding(ctx, actor, coop.ID, *ms, []AuditEvent{{Action: ActionMeetingStanding, Object: "cooperation/" + coop.ID}})
}

// standingMembers returns the standing members of coop's meeting, nil
// when none are recorded.
func (m *Meetings) standingMembers(ctx context.Context, coop string) ([]string, error) {
	if m.standing == nil {
		return nil, nil
	}
	ms, err := m.standing.MeetingStanding(ctx, coop)
	if ErrorCode(err) == CodeNotFound {
		return nil, nil
	}
	return ms.Members, err
}
