package signal

import (
	"context"
	"fmt"
	"strconv"
)

// The privacy officer's advice and note on an escalation are free text
// about a young person's case, kept only in the escalation (never in the
// audit log) and emptied by the young person's erasure. They are sealed
// under the cooperation's key, as the meeting's risks are, so whoever
// takes the database file cannot read them (issue 18: the remaining free
// text encrypted at rest). Each is bound to its escalation and its kind,
// so one cannot stand in for another. Texts stored before they were sealed
// are sealed in place at start (SealStoredEscalationTexts).

func escalationAD(seq int64, kind string) []byte {
	return []byte("escalation/" + strconv.FormatInt(seq, 10) + "/" + kind)
}

// sealEscalation seals e's advice and note for the store.
func (p *Privacy) sealEscalation(ctx context.Context, coop string, e *Escalation) error {
	e.SealedAdvice, e.SealedNote = nil, nil
	if e.Advice == "" && e.Note == "" {
		return nil
	}
	if p.vault == nil {
		return Errorf(CodeUnavailable, "the key store is not available: advice and notes cannot be kept")
	}
	for _, t := range []struct {
		kind, text string
		ct         *[]byte
	}{{"advice", e.Advice, &e.SealedAdvice}, {"note", e.Note, &e.SealedNote}} {
		if t.text == "" {
			continue
		}
		ct, err := p.vault.Seal(ctx, titleKeyHolder(coop), escalationAD(e.Seq, t.kind), []byte(t.text))
		if err != nil {
			return fmt.Errorf("seal escalation %s: %w", t.kind, err)
		}
		*t.ct = ct
	}
	return nil
}

// openEscalation sets e's advice and note from their sealed form.
func (p *Privacy) openEscalation(ctx context.Context, coop string, e *Escalation) error {
	for _, t := range []struct {
		kind string
		ct   *[]byte
		text *string
	}{{"advice", &e.SealedAdvice, &e.Advice}, {"note", &e.SealedNote, &e.Note}} {
		if len(*t.ct) == 0 {
			continue
		}
		if p.vault == nil {
			return Errorf(CodeUnavailable, "the key store is not available: advice and notes cannot be read")
		}
		pt, err := p.vault.Unseal(ctx, titleKeyHolder(coop), escalationAD(e.Seq, t.kind), *t.ct)
		if err != nil {
			return fmt.Errorf("open escalation %d %s: %w", e.Seq, t.kind, err)
		}
		*t.text, *t.ct = string(pt), nil
	}
	return nil
}

// PlainEscalationText is an escalation whose advice or note is still kept
// in the clear, as a store returns it for SealStoredEscalationTexts.
type PlainEscalationText struct {
	Seq           int64
	CooperationID string
	Advice, Note  string
}

// SealStoredEscalationTexts seals the advice and notes stored in the clear
// (written before they were sealed) and returns for how many escalations.
// Who may call it: the wiring (app.Open) once at start, before serving;
// it is the system acting and nothing is read or shown, so nothing is
// audited (as SealStoredAnswers). A text changed meanwhile is left as the
// change made it. Errors: the store's or the vault's, wrapped;
// CodeUnavailable without a vault when there is something to seal.
func (p *Privacy) SealStoredEscalationTexts(ctx context.Context) (int, error) {
	plain, err := p.escalations.PlainEscalationTexts(ctx)
	if err != nil || len(plain) == 0 {
		return 0, err
	}
	n := 0
	for _, pe := range plain {
		e := Escalation{Seq: pe.Seq, Advice: pe.Advice, Note: pe.Note}
		if err := p.sealEscalation(ctx, pe.CooperationID, &e); err != nil {
			return n, err
		}
		ok, err := p.escalations.SealEscalationTexts(ctx, pe, e.SealedAdvice, e.SealedNote)
		if err != nil {
			return n, fmt.Errorf("store the sealed texts of escalation %d: %w", pe.Seq, err)
		}
		if ok {
			n++
		}
	}
	return n, nil
}
