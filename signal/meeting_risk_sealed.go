package signal

import (
	"context"
	"fmt"
	"strconv"
)

// A meeting's risks and bottlenecks ("risico's en knelpunten") are the
// meeting's, not a young person's: they are checked so that they name no
// one (checkDetachedText) and kept sealed under the cooperation's key, as
// meeting titles are, so whoever takes the database file cannot read them
// (issue 18: the remaining free text encrypted at rest). Each version of a
// risk's text (Meetings.CorrectRisk) is sealed bound to the risk and its
// version, so one version's ciphertext cannot stand in for another's. The
// store never sees a risk's text in the clear; risks written before they
// were sealed are sealed in place once at start (SealStoredRisks).

func riskAD(riskID string, version int) []byte {
	return []byte("meeting-risk/" + riskID + "/v" + strconv.Itoa(max(version, 1)))
}

// sealRisk seals r.Text (version r.TextVersion) for the store.
func (m *Meetings) sealRisk(ctx context.Context, coop string, r *RiskNote) error {
	ct, err := m.vault.Seal(ctx, titleKeyHolder(coop), riskAD(r.ID, r.TextVersion), []byte(r.Text))
	if err != nil {
		return fmt.Errorf("seal risk: %w", err)
	}
	r.SealedText = ct
	return nil
}

// openRisks sets the Text of risks read from the store, and of their
// earlier versions, from their sealed form. A text from before risks were
// sealed is in Text already.
func (m *Meetings) openRisks(ctx context.Context, coop string, rs []RiskNote) error {
	open := func(id string, version int, ct []byte) (string, error) {
		pt, err := m.vault.Unseal(ctx, titleKeyHolder(coop), riskAD(id, version), ct)
		if err != nil {
			return "", fmt.Errorf("open risk %s: %w", id, err)
		}
		return string(pt), nil
	}
	for i := range rs {
		r := &rs[i]
		if r.SealedText != nil {
			t, err := open(r.ID, r.TextVersion, r.SealedText)
			if err != nil {
				return err
			}
			r.Text, r.SealedText = t, nil
		}
		for j := range r.Versions {
			v := &r.Versions[j]
			if v.SealedText == nil {
				continue
			}
			t, err := open(r.ID, v.Version, v.SealedText)
			if err != nil {
				return err
			}
			v.Text, v.SealedText = t, nil
		}
	}
	return nil
}

// PlainRisk is a risk text (the current one, or an earlier version) still
// kept in the clear, as a store returns it for SealStoredRisks.
type PlainRisk struct {
	RiskID        string
	CooperationID string
	// Version is the text's version; Current says it is the risk's
	// current text (meeting_risks), not an earlier one.
	Version int
	Current bool
	Text    string
}

// SealStoredRisks seals every risk text stored in the clear (written
// before risks were sealed), a batch at a time, and returns how many it
// sealed. Who may call it: the wiring (app.Open) once at start, before
// serving; it is the system acting and nothing is read or shown, so
// nothing is audited (as SealStoredAnswers). A text changed meanwhile is
// left as the change made it. Errors: the store's or the vault's, wrapped.
func (m *Meetings) SealStoredRisks(ctx context.Context) (int, error) {
	total := 0
	for {
		batch, err := m.meetings.PlainRisks(ctx, 200)
		if err != nil {
			return total, fmt.Errorf("find risks in the clear: %w", err)
		}
		if len(batch) == 0 {
			return total, nil
		}
		sealed := 0
		for _, p := range batch {
			ct, err := m.vault.Seal(ctx, titleKeyHolder(p.CooperationID), riskAD(p.RiskID, p.Version), []byte(p.Text))
			if err != nil {
				return total, fmt.Errorf("seal risk: %w", err)
			}
			ok, err := m.meetings.SealRisk(ctx, p, ct)
			if err != nil {
				return total, fmt.Errorf("store the sealed risk %s: %w", p.RiskID, err)
			}
			if ok {
				sealed++
			}
		}
		total += sealed
		if sealed == 0 {
			// Every text of the batch changed meanwhile: the next
			// batch would be the same one.
			return total, nil
		}
	}
}
