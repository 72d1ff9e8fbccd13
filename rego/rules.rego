# METADATA
# title: Signaal sharing policy, reference rule set R1-R11
# description: |
#   Decides whether, what and with whom information about a young person may
#   be shared, following the reference rule set of shared/domain.md (modelled
#   on the questions behind Jeugdconnect). The first decisive rule wins; R10
#   (minimisation) and R11 (the audit record, kept by the service) apply to
#   every decision.
#
#   Answers are three-valued: true, false, or not answered (the key is absent
#   or null). A rule fires only on answers given; a rule that needs an answer
#   not given makes the decision incomplete (see flow.rego), never "allow".
package signaal

# ---------------------------------------------------------------------------
# R1: acute danger to life. Everyone must help someone in mortal danger
# (Wetboek van Strafrecht art. 450) and vital interests allow processing
# without consent (AVG art. 6(1)(d)); nothing waits for a meeting.

acute_danger if input.risk.acute_danger == true

no_acute_danger if input.risk.acute_danger == false

# ---------------------------------------------------------------------------
# R2: a legal duty to share, e.g. a child protection order (ondertoezicht-
# stelling, BW 1:255) with the certified institution's right to information
# (Jeugdwet art. 7.3.11). Processing is then necessary for a legal obligation
# (AVG art. 6(1)(c)) and professional secrecy yields to the law.

legal_duty if {
	no_acute_danger
	input.legal_duty == true
}

# Past R1 and R2: neither acute danger nor a legal duty.
no_urgent_ground if {
	no_acute_danger
	input.legal_duty == false
}

# ---------------------------------------------------------------------------
# R3 and R4: the reporting code (Wet verplichte meldcode huiselijk geweld en
# kindermishandeling; the 2019 assessment framework, steps 4-5). A
# professional reports to Veilig Thuis when there is acute or structural
# unsafety, or when help cannot be organised, is refused, or does not work in
# time. Reporting needs no consent: the right to report (meldrecht, Wmo 2015
# art. 5.2.6).

abuse_suspected if {
	no_urgent_ground
	input.abuse.suspected == true
}

abuse_not_suspected if {
	no_urgent_ground
	input.abuse.suspected == false
}

# One rule per condition of the reporting code, so the reasons name each.
unsafe_situation if {
	abuse_suspected
	input.abuse.unsafe == true
}

help_impossible if {
	abuse_suspected
	input.abuse.help_possible == false
}

help_refused if {
	abuse_suspected
	input.abuse.help_accepted == false
}

help_not_working if {
	abuse_suspected
	input.abuse.help_effective == "no"
}

report_required if unsafe_situation

report_required if help_impossible

report_required if help_refused

report_required if help_not_working

# R4: suspected, but safe, help possible, accepted and working or too early
# to tell. No report yet; anonymous advice (a colleague, Veilig Thuis) is
# always allowed (reporting code step 2), identified sharing follows R5-R9.
advice_only if {
	abuse_suspected
	input.abuse.unsafe == false
	input.abuse.help_possible == true
	input.abuse.help_accepted == true
	input.abuse.help_effective in {"yes", "pending"}
}

reporting_code_settled if abuse_not_suspected

reporting_code_settled if report_required

reporting_code_settled if advice_only

# Interpretation: when the report is required and the recipient IS Veilig
# Thuis, the share is the report itself. It rests on the right to report, not
# on the agreement or consent, so R5-R9 do not restrict it, and the BSN may go
# (R10). For any other recipient "meeting sharing still follows R5-R9".
report_is_the_share if {
	report_required
	input.recipient.role == "veilig_thuis"
}

# R5-R9 decide what this recipient may see: always, unless R1 or R2 decided,
# or the share is the report to Veilig Thuis. Until the reporting code is
# settled for a recipient Veilig Thuis, they wait.
recipient_rules_apply if {
	no_urgent_ground
	input.recipient.role != "veilig_thuis"
}

recipient_rules_apply if {
	no_urgent_ground
	input.recipient.role == "veilig_thuis"
	reporting_code_settled
	not report_required
}

# ---------------------------------------------------------------------------
# R5: purpose limitation (AVG art. 5(1)(b)) and necessity (art. 5(1)(c)): only
# for a purpose of the cooperation's agreement (convenant), only to a party to
# it who needs the information for their own work with this young person.

agreed_purposes := {"coordinate_support", "safety_risk", "radicalisation_concern"}

purpose_outside_agreement if {
	recipient_rules_apply
	input.purpose == "other"
}

recipient_not_in_agreement if {
	recipient_rules_apply
	input.recipient.in_agreement == false
}

recipient_not_directly_involved if {
	recipient_rules_apply
	input.recipient.directly_involved == false
}

outside_agreement if purpose_outside_agreement

outside_agreement if recipient_not_in_agreement

outside_agreement if recipient_not_directly_involved

within_agreement if {
	recipient_rules_apply
	input.purpose in agreed_purposes
	input.recipient.in_agreement == true
	input.recipient.directly_involved == true
}

# ---------------------------------------------------------------------------
# R6: radicalisation concerns follow the stricter way of working: facts only,
# contra-signals, anonymous advice first, and the organisation's own contact
# point and privacy officer before anything identified leaves the organisation.

radicalisation_concern if {
	within_agreement
	input.purpose == "radicalisation_concern"
}

# Past R5 and R6: consent (R7-R9) decides, unless the report to Veilig
# Thuis is required and no consent has been answered (below).
consent_decides if {
	within_agreement
	input.purpose != "radicalisation_concern"
	not consent_deferred
}

# Interpretation of R3's "meeting sharing still follows R5-R9" (issue 15
# item 5): once the report is required, the report comes first and the
# consent questions cannot change that outcome, so they are not asked. The
# meeting then gets what R8 gives while consent is still to be asked: the
# case without a name (level anonymous). Consent answers given anyway (an
# API client, or the reporter later) make R7-R9 decide as before.
consent_deferred if {
	report_required
	not consent_answered
}

consent_answered if object.get(input, ["consent", "youth"], null) != null

consent_answered if object.get(input, ["consent", "parents"], null) != null

meeting_waits_for_consent if {
	within_agreement
	input.purpose != "radicalisation_concern"
	consent_deferred
}

# ---------------------------------------------------------------------------
# The age rule for consent. Under 12 the parents with authority decide
# (BW 7:465); from 12 to 15 the young person and the parents (BW 7:450(2),
# UAVG art. 5 for under 16); from 16 the young person alone (BW 7:447).
#
# Interpretation of the contract's "(parents only when the young person is
# not capable)": a young person of 12 or over who cannot weigh their own
# interests does not consent; the parents (legal representatives) consent in
# their place (BW 7:450(2), 7:465(2)). This also applies from 16: then
# consent.parents stands for the legal representative (parent with authority,
# guardian, mentor or curator). youth.capable defaults to true.

age := input.youth.age

youth_capable if not input.youth.capable == false

youth_must_consent if {
	age >= 12
	youth_capable
}

parents_must_consent if age < 16

parents_must_consent if {
	age >= 12
	not youth_capable
}

required_parties contains "youth" if youth_must_consent

required_parties contains "parents" if parents_must_consent

# A parent answer not_applicable ("no parent with authority") for a party
# whose consent the age rule requires means that consent cannot be obtained
# from a parent: treated as impossible.
consent_state[party] := state if {
	some party in required_parties
	answer := input.consent[party]
	answer != null
	state := normalised_consent(answer)
}

normalised_consent("not_applicable") := "impossible"

normalised_consent(answer) := answer if answer != "not_applicable"

consent_known if {
	count(required_parties) > 0
	every party in required_parties {
		consent_state[party]
	}
}

consent_all_given if {
	consent_known
	every party in required_parties {
		consent_state[party] == "given"
	}
}

consent_not_asked contains party if {
	some party in required_parties
	consent_state[party] == "not_asked"
}

consent_refused_or_impossible contains party if {
	some party in required_parties
	consent_state[party] in {"refused", "impossible"}
}

# ---------------------------------------------------------------------------
# R7: valid consent from every required party: given, and recorded (when, by
# whom, for what), as consent must be specific and demonstrable (AVG art.
# 4(11), 7(1)).

consent_valid if {
	consent_decides
	consent_all_given
	input.consent.recorded == true
}

# ---------------------------------------------------------------------------
# R8: ask first (subsidiarity): a required party has not been asked and
# asking is safe. Taken literally from the rule order, this fires even when
# another party already refused; asking still informs the young person.
# Interpretation: consent given but not recorded is not yet valid consent;
# the professional records it (asks again) first.

consent_to_ask if {
	consent_decides
	consent_known
	count(consent_not_asked) > 0
	input.risk.asking_endangers == false
}

consent_not_recorded if {
	consent_decides
	consent_all_given
	input.consent.recorded == false
}

# ---------------------------------------------------------------------------
# R9: no consent can be had: refused or impossible, or not asked because
# asking would endanger the young person or someone else. Sharing is then
# only possible as a conflict of duties (conflict van plichten), whose
# conditions all must hold: consent sought or unsafe to ask, no other way,
# sharing almost certainly prevents serious harm, an expert consulted, and no
# more shared than necessary (the last one this policy enforces itself by the
# minimal level).

asking_would_endanger if {
	consent_decides
	consent_known
	count(consent_not_asked) > 0
	input.risk.asking_endangers == true
}

consent_unobtainable if asking_would_endanger

consent_unobtainable if {
	consent_decides
	consent_known
	count(consent_not_asked) == 0
	count(consent_refused_or_impossible) > 0
}

harm_likely if {
	consent_unobtainable
	input.risk.harm == "likely"
}

harm_possible if {
	consent_unobtainable
	input.risk.harm == "possible"
}

no_serious_harm if {
	consent_unobtainable
	input.risk.harm == "none"
}

duty_conflict_conditions := ["no_other_way", "prevents_harm", "expert_consulted"]

duty_conflict_condition_fails contains condition if {
	harm_likely
	some condition in duty_conflict_conditions
	input.duty_conflict[condition] == false
}

duty_conflict_conditions_hold if {
	harm_likely
	every condition in duty_conflict_conditions {
		input.duty_conflict[condition] == true
	}
}

# Interpretation of R9a's "to a party that can act": a professional or
# authority that can avert the harm. A parent or an unnamed other cannot be
# the addressee of a breach of professional secrecy.
roles_that_can_act := {"signal_meeting", "partner_contact", "own_organisation", "veilig_thuis", "court_supervisor", "police"}

recipient_can_act if input.recipient.role in roles_that_can_act

recipient_cannot_act if {
	harm_likely
	not recipient_can_act
}

conflict_of_duties if {
	duty_conflict_conditions_hold
	recipient_can_act
}

# R9b: as R9a, but harm only possible, or a condition fails.
conflict_of_duties_unresolved if harm_possible

conflict_of_duties_unresolved if {
	harm_likely
	count(duty_conflict_condition_fails) > 0
}

conflict_of_duties_unresolved if recipient_cannot_act

# R9c: no consent and no serious harm: nothing goes. This includes consent
# not asked because asking would endanger someone: without serious harm there
# is no ground to share either. Interpretation of
# "existence in the meeting only where the agreement allows it": the recipient
# has passed R5 (party to the agreement, directly involved), and only the
# signal meeting and a partner's contact person receive "dat-informatie",
# the way the reference index (Verwijsindex) shares that a professional is
# involved and how to reach them.
existence_roles := {"signal_meeting", "partner_contact"}

existence_allowed if input.recipient.role in existence_roles
