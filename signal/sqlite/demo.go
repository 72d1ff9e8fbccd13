package sqlite

import "github.com/signaal-nl/signaal/signal"

// DemoPassword is the password of every demo account. The demo refuses to
// listen beyond loopback unless told otherwise, because of it.
const DemoPassword = "demo"

// DemoCooperation is the name of the demo cooperation.
const DemoCooperation = "Samenwerking Demo"

// DemoAccount is one account of the demo, as `serve --demo` prints it.
type DemoAccount struct {
	Email string
	Name  string
	Role  signal.Role
	Org   string // organisation name
}

// DemoAccounts are the five accounts of the demo: two reporters from
// different partners, the meeting's coordinator, the privacy officer and an
// admin.
var DemoAccounts = []DemoAccount{
	{Email: "jongerenwerker@demo.signaal.nl", Name: "Jamal (jongerenwerker)", Role: signal.RoleReporter, Org: "Jongerenwerk Demo"},
	{Email: "mentor@demo.signaal.nl", Name: "Marieke (mentor)", Role: signal.RoleReporter, Org: "Demo College"},
	{Email: "zorgcoordinator@demo.signaal.nl", Name: "Zeynep (zorgcoördinator)", Role: signal.RoleCoordinator, Org: "Gemeente Demo"},
	{Email: "privacy@demo.signaal.nl", Name: "Pieter (functionaris gegevensbescherming)", Role: signal.RolePrivacyOfficer, Org: "Gemeente Demo"},
	{Email: "beheer@demo.signaal.nl", Name: "Bas (beheer)", Role: signal.RoleAdmin, Org: "Gemeente Demo"},
}

// DemoOrganisations are the partners of the demo: a school, a youth-work organisation and a municipality,
// each with a contact person and a deputy.
var DemoOrganisations = []signal.Organisation{
	{Name: "Demo College", Kind: signal.OrgSchool,
		Contact: signal.Person{Name: "Marieke (mentor)", Email: "mentor@demo.signaal.nl", Phone: "010-0000001"},
		Deputy:  signal.Person{Name: "Anouk (adjunct-directeur)", Email: "adjunct@demo.signaal.nl", Phone: "010-0000002"}},
	{Name: "Jongerenwerk Demo", Kind: signal.OrgYouthWork,
		Contact: signal.Person{Name: "Jamal (jongerenwerker)", Email: "jongerenwerker@demo.signaal.nl", Phone: "010-0000003"},
		Deputy:  signal.Person{Name: "Tom (teamleider)", Email: "teamleider@demo.signaal.nl", Phone: "010-0000004"}},
	{Name: "Gemeente Demo", Kind: signal.OrgMunicipality,
		Contact: signal.Person{Name: "Zeynep (zorgcoördinator)", Email: "zorgcoordinator@demo.signaal.nl", Phone: "010-0000005"},
		Deputy:  signal.Person{Name: "Lotte (beleidsmedewerker jeugd)", Email: "beleid@demo.signaal.nl", Phone: "010-0000006"}},
}
