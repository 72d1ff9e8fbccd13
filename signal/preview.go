package signal

import (
	"context"
	"fmt"
	"strconv"
)

// Preview decides a signal as it would be submitted now, without storing or
// auditing anything: the reporter's form asks the policy's questions one
// at a time (those in Decision.Missing) and shows what would happen before
// anything is sent. Nothing is shared by a preview, so there is no decision
// to account for (R11 audits the decision made when the signal is sent).
//
// Errors: CodeForbidden for anyone but a reporter, CodeInvalid with every
// field problem (as Submit).
func (s *Signals) Preview(ctx context.Context, actor Actor, in NewSignal) (Decision, error) {
	if actor.Role != RoleReporter {
		return Decision{}, Errorf(CodeForbidden, "only reporters submit signals")
	}
	v, err := in.Validate(Today(s.now()))
	if err != nil {
		return Decision{}, err
	}
	input, err := s.withAgreement(ctx, actor, v.DecisionInput(in.Answers))
	if err != nil {
		return Decision{}, fmt.Errorf("read the agreement: %w", err)
	}
	d, err := s.decider.Decide(ctx, input)
	if err != nil {
		return Decision{}, fmt.Errorf("decide: %w", err)
	}
	return d, nil
}

// PreviewComplete decides the reporter's own stored signal with more
// answers, without storing or auditing: the completion of a draft asks its
// questions one at a time before Complete stores the answers.
//
// Errors: CodeNotFound for a signal that is not the reporter's own,
// CodeInvalid for bad answers.
func (s *Signals) PreviewComplete(ctx context.Context, actor Actor, id string, more Answers) (Decision, error) {
	if actor.Role != RoleReporter {
		return Decision{}, Errorf(CodeForbidden, "only the reporter of a signal completes it")
	}
	var fe FieldErrors
	validateAnswers(&fe, more)
	if err := fe.Err(); err != nil {
		return Decision{}, err
	}
	sig, err := s.store.Signal(ctx, id)
	if ErrorCode(err) == CodeNotFound || (err == nil && sig.ReporterID != actor.UserID) {
		return Decision{}, Errorf(CodeNotFound, "no signal %s", id)
	}
	if err != nil {
		return Decision{}, fmt.Errorf("find signal: %w", err)
	}
	stored, err := answersOf(ctx, s.vault, sig)
	if err != nil {
		return Decision{}, err
	}
	validatePurpose(&fe, sig.Category, MergeAnswers(stored, more))
	if err := fe.Err(); err != nil {
		return Decision{}, err
	}
	input, err := s.withAgreement(ctx, actor, sig.DecisionInput(MergeAnswers(stored, more)))
	if err != nil {
		return Decision{}, fmt.Errorf("read the agreement: %w", err)
	}
	d, err := s.decider.Decide(ctx, input)
	if err != nil {
		return Decision{}, fmt.Errorf("decide: %w", err)
	}
	return d, nil
}

// Questions returns the policy's question catalogue, when the decider has
// one (the policy engine does), else nil.
func (s *Signals) Questions() []Question {
	if q, ok := s.decider.(interface{ Questions() []Question }); ok {
		return q.Questions()
	}
	return nil
}

// SetAnswer sets the answer at path (a question's ID, e.g.
// "consent.parents") from its form value: "true" or "false" for a yes/no
// question, the enum value for a choice. The value is checked.
func SetAnswer(a *Answers, path, value string) error {
	boolean := func(dst **bool) error {
		b, err := strconv.ParseBool(value)
		if err != nil || (value != "true" && value != "false") {
			return Invalid(FieldError{Field: path, Problem: "must be true or false"})
		}
		*dst = &b
		return nil
	}
	switch path {
	case "purpose":
		return setEnum(&a.Purpose, path, value, Purposes)
	case "recipient.role":
		return setEnum(&a.Recipient.Role, path, value, RecipientRoles)
	case "recipient.directly_involved":
		return boolean(&a.Recipient.DirectlyInvolved)
	case "recipient.in_agreement":
		return boolean(&a.Recipient.InAgreement)
	case "consent.youth":
		return setEnum(&a.Consent.Youth, path, value, YouthConsentAnswers)
	case "consent.parents":
		return setEnum(&a.Consent.Parents, path, value, ConsentAnswers)
	case "consent.recorded":
		return boolean(&a.Consent.Recorded)
	case "risk.acute_danger":
		return boolean(&a.Risk.AcuteDanger)
	case "risk.harm":
		return setEnum(&a.Risk.Harm, path, value, Harms)
	case "risk.asking_endangers":
		return boolean(&a.Risk.AskingEndangers)
	case "abuse.suspected":
		return boolean(&a.Abuse.Suspected)
	case "abuse.unsafe":
		return boolean(&a.Abuse.Unsafe)
	case "abuse.help_possible":
		return boolean(&a.Abuse.HelpPossible)
	case "abuse.help_accepted":
		return boolean(&a.Abuse.HelpAccepted)
	case "abuse.help_effective":
		return setEnum(&a.Abuse.HelpEffective, path, value, HelpEffectives)
	case "duty_conflict.no_other_way":
		return boolean(&a.DutyConflict.NoOtherWay)
	case "duty_conflict.prevents_harm":
		return boolean(&a.DutyConflict.PreventsHarm)
	case "duty_conflict.expert_consulted":
		return boolean(&a.DutyConflict.ExpertConsulted)
	case "legal_duty":
		return boolean(&a.LegalDuty)
	}
	return Invalid(FieldError{Field: path, Problem: "not a question of the policy"})
}

// AnswerPaths lists every path SetAnswer knows, in the contract's order.
var AnswerPaths = []string{
	"purpose", "recipient.role", "recipient.directly_involved", "recipient.in_agreement",
	"consent.youth", "consent.parents", "consent.recorded",
	"risk.acute_danger", "risk.harm", "risk.asking_endangers",
	"abuse.suspected", "abuse.unsafe", "abuse.help_possible", "abuse.help_accepted", "abuse.help_effective",
	"duty_conflict.no_other_way", "duty_conflict.prevents_harm", "duty_conflict.expert_consulted",
	"legal_duty",
}

func setEnum[T ~string](dst **T, path, value string, allowed []T) error {
	v := T(value)
	if !oneOf(v, allowed) {
		return Invalid(FieldError{Field: path, Problem: unknownValue(v, allowed)})
	}
	*dst = &v
	return nil
}
