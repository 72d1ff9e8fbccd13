package signal

// AuditAction names what an audit entry records: a dotted lower-case verb.
// Every action the product audits is a constant in this file and nowhere
// else, so the oversight and the access report, which select entries by
// action, can never disagree with the code that writes them.
type AuditAction string

// Signals (signals.go).
const (
	ActionSignalCreate   AuditAction = "signal.create"
	ActionSignalComplete AuditAction = "signal.complete"
	ActionShareDecide    AuditAction = "share.decide"
	ActionSignalRead     AuditAction = "signal.read"
	ActionSignalsList    AuditAction = "signals.list"
	ActionAccessDenied   AuditAction = "access.denied"
	// A duty of a signal's decision recorded by its reporter (duties.go):
	// object "signal/<id>/<duty>/<state>", never the record's text.
	ActionSignalDuty AuditAction = "signal.duty"
)

// The signal meeting.
const (
	ActionMeetingCreate AuditAction = "meeting.create"
	ActionMeetingView   AuditAction = "meeting.view"
	ActionAgendaView    AuditAction = "agenda.view"
	ActionAgendaProject AuditAction = "agenda.project" // the projector view
	// The agenda per young person: the contents list (no one shown), one
	// young person opened, and the same opened again unchanged (its object
	// is the earlier entry, "audit/<seq>").
	ActionAgendaContents AuditAction = "agenda.contents"
	ActionAgendaOpen     AuditAction = "agenda.open"
	ActionAgendaReopen   AuditAction = "agenda.reopen"
	// One young person's history across meetings (Meetings.Chronology);
	// object "chronology/<case id>", one entry per young person and
	// decision with the signals shown, as agenda.view.
	ActionChronologyView AuditAction = "chronology.view"
	ActionCaseLead       AuditAction = "case.lead"
	ActionCaseAction     AuditAction = "case.action"
	ActionCaseDecide     AuditAction = "case.decide"
	ActionCaseClose      AuditAction = "case.close"
	ActionActionUpdate   AuditAction = "action.update"
	// A correction of an action or decision (the earlier version kept in
	// its history; object "action/<id>" or "decision/<id>", never the
	// text nor the reason), a closed case reopened (object "case/<id>",
	// the reason a code in the database), and a record's history read
	// (object "case/<id>", subject the young person: a read of content).
	ActionActionCorrect   AuditAction = "action.correct"
	ActionDecisionCorrect AuditAction = "decision.correct"
	ActionCaseReopen      AuditAction = "case.reopen"
	ActionRecordHistory   AuditAction = "record.history"
	ActionMeetingRisk     AuditAction = "meeting.risk"
	ActionMeetingHeld     AuditAction = "meeting.held"
	ActionMeetingMove     AuditAction = "meeting.move"
	ActionMeetingCancel   AuditAction = "meeting.cancel"
	// A title from before the text check was checked at start: sealed
	// when it passed, dropped when not (the entry says neither, nor the text).
	ActionMeetingTitleSealed AuditAction = "meeting.title_sealed"
	// A risk's owner or status changed (kept in its history).
	ActionMeetingRiskUpdate AuditAction = "meeting.risk_update"
	// A risk's text corrected (the earlier text kept).
	ActionMeetingRiskCorrect AuditAction = "meeting.risk_correct"
	// A held meeting planned again, with a reason from a fixed list.
	ActionMeetingReopen AuditAction = "meeting.reopen"
	// Who took part: per member organisation, no names.
	ActionMeetingAttendance AuditAction = "meeting.attendance"
	// The administrator recorded when the meeting meets and its standing members.
	ActionMeetingStanding AuditAction = "meeting.standing"
	ActionMatchConfirm    AuditAction = "match.confirm" // two items are one young person
	ActionMatchReject     AuditAction = "match.reject"  // two items are not
	ActionMinutesView     AuditAction = "minutes.view"
	ActionMatchesView     AuditAction = "matches.view"
	ActionOutcomesView    AuditAction = "outcomes.view"
	ActionEvaluationView  AuditAction = "evaluation.view"
	ActionEvaluationCSV   AuditAction = "evaluation.export"
)

// The privacy officer's console. Every view of the console is itself
// audited: who looked at what is part of the record too.
const (
	ActionAuditSearch     AuditAction = "audit.search"
	ActionAuditVerify     AuditAction = "audit.verify"
	ActionAuditCheckpoint AuditAction = "audit.checkpoint"
	ActionAuditExport     AuditAction = "audit.export"
	// The hourly job forgot the client addresses of audit entries older
	// than signal.AuditIPRetention (the object names the cut-off day).
	ActionAuditIPsForget AuditAction = "audit.ips_forget"
	ActionYouthLookup    AuditAction = "youth.lookup"
	ActionAccessReport   AuditAction = "access.report"
	// Registered requests of young people (access_requests.go): content
	// is read only under one (access.content_read, object
	// "access-request/<id>/<reason>"), and its release to the young person
	// may need a second person (release_ask, then release_approve).
	ActionAccessRequestRegister AuditAction = "access_request.register"
	ActionAccessRequestView     AuditAction = "access_request.view"
	ActionAccessRequestExtend   AuditAction = "access_request.extend"
	ActionAccessRequestClose    AuditAction = "access_request.close"
	ActionAccessContentRead     AuditAction = "access.content_read"
	ActionAccessReleaseAsk      AuditAction = "access.release_ask"
	ActionAccessReleaseApprove  AuditAction = "access.release_approve"
	ActionAccessFourEyes        AuditAction = "access.four_eyes"
	// A third party (a reporting organisation's contact person) released
	// for the young person's copy; object "access-request/<id>/signal/<id>".
	ActionAccessThirdPartyRelease AuditAction = "access.third_party_release"
	// Erasure inside a request (erasure_requests.go): the answer recorded
	// with its counts (object "access-request/<id>/<reason>"), the
	// meetings' records erased once the signals are (erasure_complete),
	// or the refusal on a ground of art. 17(3) (object ".../<ground>").
	ActionAccessErasure         AuditAction = "access.erasure"
	ActionAccessErasureComplete AuditAction = "access.erasure_complete"
	ActionAccessErasureRefuse   AuditAction = "access.erasure_refuse"
	// Restriction of processing (AVG art. 18, restriction.go) inside a
	// request: object "access-request/<id>/<ground>"; lifted: object
	// "access-request/<id>".
	ActionYouthRestrict        AuditAction = "youth.restrict"
	ActionYouthRestrictionLift AuditAction = "youth.restriction_lift"
	ActionSignalErase          AuditAction = "signal.erase"
	ActionYouthKeyErase        AuditAction = "youth.key_erase"
	// ActionYouthEraseLegacy is what `signald youth erase` audited before
	// erasure became one use case; read only when importing old keys.
	ActionYouthEraseLegacy AuditAction = "youth.erase"
	// A retention run in one cooperation, by the job or a person; confirm
	// when a person's word took it past a hold (signal.RetentionHold).
	ActionRetentionRun     AuditAction = "retention.run"
	ActionRetentionConfirm AuditAction = "retention.confirm"
	// ActionRetentionHold: a run stopped by a safeguard before erasing
	// anything; the object names the cooperation and the hold.
	ActionRetentionHold    AuditAction = "retention.hold"
	ActionEscalationView   AuditAction = "escalations.list"
	ActionEscalationUpdate AuditAction = "escalation.update"
	ActionPolicyLoad       AuditAction = "policy.load"
	ActionPolicyView       AuditAction = "policy.view"
	// ActionPolicyApprove: a privacy officer approved a policy version for
	// their cooperation ("policy/<version>/cooperation/<id>").
	ActionPolicyApprove AuditAction = "policy.approve"
	ActionOversightView AuditAction = "oversight.view"
)

// E-mail: a message the mail server accepted, by kind (object
// "mail/<kind>"), never its address or text.
const ActionMailSent AuditAction = "mail.sent"

// Accounts, organisations and sessions.
const (
	ActionCooperationCreate AuditAction = "cooperation.create"
	ActionOrgCreate         AuditAction = "org.create"
	ActionOrgContacts       AuditAction = "org.contacts"
	ActionOrgPart           AuditAction = "org.part"      // what a partner does in the cooperation
	ActionAgreementSet      AuditAction = "agreement.set" // the privacy agreement recorded or changed
	ActionUserCreate        AuditAction = "user.create"
	ActionUserInvite        AuditAction = "user.invite"        // an account created with an invitation link
	ActionInviteAccept      AuditAction = "user.invite_accept" // the link used: the invitee chose a password
	ActionUserDisable       AuditAction = "user.disable"
	ActionUserEnable        AuditAction = "user.enable"
	ActionLoginOK           AuditAction = "login.ok"
	ActionLoginFail         AuditAction = "login.fail"
	// A login attempt answered "wait" by the login throttle before its
	// password was checked.
	ActionLoginThrottled AuditAction = "login.throttled"
	ActionLogout         AuditAction = "logout"
	// Every session of the account ended at its own request.
	ActionLogoutEverywhere AuditAction = "logout.everywhere"
	// The password of a login was right and the second factor is asked
	// next (login.ok follows only with it).
	ActionLoginPassword AuditAction = "login.password"
	// A wrong, replayed or used-up second factor.
	ActionLoginSecondFactorFail AuditAction = "login.second_factor_fail"
	// A second factor (TOTP) enrolled, with new recovery codes.
	ActionSecondFactorEnrol AuditAction = "second_factor.enrol"
	// An account's second factor removed by an administrator: it enrols
	// again at its next login; remembered devices and sessions end.
	ActionSecondFactorReset AuditAction = "second_factor.reset"
	// A login through the organisation's OpenID Connect issuer.
	ActionLoginSSO AuditAction = "login.sso"
	// An organisation's sign-in settings (issuer, client id, secret file,
	// claim) set.
	ActionOrgOIDC AuditAction = "org.oidc"
	// An issuer's subject id linked to an account.
	ActionUserSSOLink AuditAction = "user.sso_link"
	// Someone asked for a password reset link (object "user/<id>", with
	// "/throttled" or "/disabled" when nothing was sent, or
	// "email/<LoginRef>" for an address without an account).
	ActionPasswordResetRequest AuditAction = "password.reset_request"
	// A reset link used: a new password, every session ended.
	ActionPasswordReset AuditAction = "password.reset"
)

// The privacy officer's accountability (AVG art. 30 and 33):
// accountability.go. No entry carries the free text of an incident: there
// is none.
const (
	// The register of processing (art. 30) generated and read.
	ActionRegisterView AuditAction = "register.view"
	// The breach log read; an incident recorded; a notification (to the
	// Autoriteit Persoonsgegevens or to the people concerned) recorded.
	ActionBreachesView AuditAction = "breaches.view"
	ActionBreachRecord AuditAction = "breach.record"
	ActionBreachNotify AuditAction = "breach.notify"
)
