package signal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
)

// A signal's answers to the policy's questions (abuse.suspected, consent,
// harm, …) say as much about a young person as the observations: they are
// sealed under the young person's data key like the other content
// (SealedContent.Answers), so a reader of the database does not read them
// and an erasure destroys them with the rest. Signals stored before this
// kept them in the clear (Signal.Answers); SealStoredAnswers seals those.

// sealAnswers is the field name in the answers' associated data.
const sealAnswers = "answers"

// sealedAnswers seals a; nil for no answers at all.
func sealedAnswers(ctx context.Context, vault Vault, sig *Signal, a Answers) ([]byte, error) {
	if a == (Answers{}) {
		return nil, nil
	}
	js, err := json.Marshal(a)
	if err != nil {
		return nil, fmt.Errorf("encode answers: %w", err)
	}
	ct, err := vault.Seal(ctx, sig.Youth, sealAD(sig.ID, sealAnswers), js)
	if err != nil {
		return nil, fmt.Errorf("seal answers: %w", err)
	}
	return ct, nil
}

// answersOf is what was answered for sig: unsealed, or as a signal from
// before sealing holds them; none once the content was erased.
func answersOf(ctx context.Context, vault Vault, sig *Signal) (Answers, error) {
	if sig.Sealed.Answers == nil {
		return sig.Answers, nil
	}
	pt, err := vault.Unseal(ctx, sig.Youth, sealAD(sig.ID, sealAnswers), sig.Sealed.Answers)
	if errors.Is(err, ErrContentErased) {
		return Answers{}, nil
	}
	if err != nil {
		return Answers{}, fmt.Errorf("unseal answers: %w", err)
	}
	var a Answers
	if err := json.Unmarshal(pt, &a); err != nil {
		return Answers{}, fmt.Errorf("decode answers: %w", err)
	}
	return a, nil
}

// AnswersOf returns what was answered for sig (see answersOf), for the
// services that hold a stored signal but not the vault (the privacy
// officer's report to a young person). Errors: only an unreadable
// ciphertext (corruption), never for an erasure.
func (s *Signals) AnswersOf(ctx context.Context, sig *Signal) (Answers, error) {
	return answersOf(ctx, s.vault, sig)
}

// PlainAnswers is a stored signal whose answers are still in the clear.
type PlainAnswers struct {
	ID, Youth string
	Answers   Answers
}

// SealStoredAnswers seals the answers of every signal stored before answers
// were sealed, a batch at a time, and returns how many it sealed. Who may
// call it: the wiring (app.Open) once at start, before serving; it is the
// system acting, so nothing is audited (no content is read or shown). A
// signal erased or changed meanwhile is left as the erasure or change made
// it. Errors: the store's or the vault's, wrapped.
func (s *Signals) SealStoredAnswers(ctx context.Context) (int, error) {
	total := 0
	after := ""
	for {
		batch, err := s.store.PlainAnswers(ctx, after, 200)
		if err != nil {
			return total, fmt.Errorf("find answers in the clear: %w", err)
		}
		if len(batch) == 0 {
			return total, nil
		}
		for _, p := range batch {
			after = p.ID
			sig := &Signal{ID: p.ID, Youth: p.Youth}
			ct, err := sealedAnswers(ctx, s.vault, sig, p.Answers)
			if err != nil {
				return total, err
			}
			ok, err := s.store.SealAnswers(ctx, p, ct)
			if errors.Is(err, ErrKeyRetired) {
				continue // erased meanwhile: the erasure emptied the answers
			}
			if err != nil {
				return total, fmt.Errorf("store sealed answers of %s: %w", p.ID, err)
			}
			if ok {
				total++
			}
		}
	}
}
