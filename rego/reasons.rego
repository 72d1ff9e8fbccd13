package signaal

# The sentences behind every reason code, for the professional (Dutch) and
# for partners and auditors (English). A decision lists one per rule or
# condition that fired, in the order they fired.

reason_texts := {
	# R1
	"acute_danger": {
		"nl": "Er is acuut levensgevaar: bel nu 112 of Veilig Thuis. Niets hiervan loopt via het signaleringsoverleg.",
		"en": "There is acute danger to life: call 112 or Veilig Thuis now. None of this goes through the signal meeting.",
	},
	# R2
	"legal_duty": {
		"nl": "Een wet of een rechter verplicht tot delen. Deel de nodige gegevens, ook zonder toestemming.",
		"en": "A law or a judge requires sharing. Share the necessary information, also without consent.",
	},
	# R3
	"unsafe_situation": {
		"nl": "Er is een vermoeden van geweld thuis of kindermishandeling. Het is nu of steeds weer onveilig. Meld bij Veilig Thuis, volgens de meldcode (het stappenplan bij geweld thuis). Melden mag zonder toestemming.",
		"en": "Domestic violence or child abuse is suspected. It is unsafe now or again and again. Report to Veilig Thuis, as the reporting code (the step-by-step plan for violence at home) says. Reporting needs no consent.",
	},
	"help_impossible": {
		"nl": "Er is een vermoeden van geweld thuis of kindermishandeling. Goede hulp is niet mogelijk. Meld bij Veilig Thuis, volgens de meldcode (het stappenplan bij geweld thuis).",
		"en": "Domestic violence or child abuse is suspected. Suitable help cannot be organised. Report to Veilig Thuis, as the reporting code (the step-by-step plan for violence at home) says.",
	},
	"help_refused": {
		"nl": "Er is een vermoeden van geweld thuis of kindermishandeling. De hulp wordt niet aangenomen. Meld bij Veilig Thuis, volgens de meldcode (het stappenplan bij geweld thuis).",
		"en": "Domestic violence or child abuse is suspected. The help is not accepted. Report to Veilig Thuis, as the reporting code (the step-by-step plan for violence at home) says.",
	},
	"help_not_working": {
		"nl": "Er is een vermoeden van geweld thuis of kindermishandeling. De hulp werkt niet, of niet op tijd. Meld bij Veilig Thuis, volgens de meldcode (het stappenplan bij geweld thuis).",
		"en": "Domestic violence or child abuse is suspected. The help does not work, or not in time. Report to Veilig Thuis, as the reporting code (the step-by-step plan for violence at home) says.",
	},
	"report_is_the_share": {
		"nl": "De ontvanger is Veilig Thuis. Dit is de melding zelf. Je mag melden, ook zonder toestemming. Het BSN mag mee.",
		"en": "The recipient is Veilig Thuis. This is the report itself. You may report, also without consent. The BSN may be included.",
	},
	"report_first_meeting_anonymous": {
		"nl": "De melding bij Veilig Thuis gaat voor. Het signaleringsoverleg bespreekt het signaal intussen zonder naam. Om toestemming vragen kan later.",
		"en": "The report to Veilig Thuis comes first. Meanwhile the signal meeting discusses the signal without a name. Consent can be asked later.",
	},
	# R4
	"abuse_advice_allowed": {
		"nl": "Er is een vermoeden van huiselijk geweld of kindermishandeling, maar (nog) geen reden om te melden. Anoniem advies vragen bij een collega of Veilig Thuis mag altijd.",
		"en": "Domestic violence or child abuse is suspected, but there is no reason to report (yet). Asking a colleague or Veilig Thuis for anonymous advice is always allowed.",
	},
	# R5
	"purpose_outside_agreement": {
		"nl": "Het doel valt buiten het convenant (de afspraken over delen in de samenwerking). Deel niet.",
		"en": "The purpose lies outside the cooperation's agreement on sharing. Do not share.",
	},
	"recipient_not_in_agreement": {
		"nl": "De ontvanger heeft het convenant (de afspraken over delen) niet getekend. Deel niet.",
		"en": "The recipient has not signed the cooperation's agreement on sharing. Do not share.",
	},
	"recipient_not_directly_involved": {
		"nl": "De ontvanger werkt niet zelf met deze jongere. Hij heeft de informatie niet nodig. Deel niet.",
		"en": "The recipient does not work with this young person and does not need the information. Do not share.",
	},
	# R6
	"radicalisation_concern": {
		"nl": "Zorg over radicalisering. Bespreek het eerst met het aandachtspunt in je organisatie en de functionaris gegevensbescherming (de privacy-toezichthouder). Deel alleen feiten, ook wat de zorg tegenspreekt. Deel anoniem tot zij anders beslissen.",
		"en": "Radicalisation concern. First talk to your organisation's lead for this and the data protection officer (who oversees privacy). Share facts only, also what speaks against the concern. Share anonymously until they decide otherwise.",
	},
	# The age rule
	"consent_parents_under_12": {
		"nl": "De jongere is jonger dan 12. De ouders met gezag (die wettelijk voor het kind zorgen) geven toestemming.",
		"en": "The young person is under 12. The parents with authority (who legally care for the child) consent.",
	},
	"consent_youth_and_parents_12_15": {
		"nl": "De jongere is 12 tot en met 15: zowel de jongere als de ouders geven toestemming.",
		"en": "The young person is 12 to 15: both the young person and the parents consent.",
	},
	"consent_youth_16_plus": {
		"nl": "De jongere is 16 of ouder: alleen de jongere geeft toestemming.",
		"en": "The young person is 16 or over: the young person alone consents.",
	},
	"consent_parents_not_capable": {
		"nl": "De jongere kan de eigen belangen niet goed afwegen. De ouders geven toestemming, of de wettelijk vertegenwoordiger (die een rechter daarvoor aanwees).",
		"en": "The young person cannot weigh their own interests. The parents consent, or the legal representative (whom a judge appointed for this).",
	},
	# R7
	"consent_valid": {
		"nl": "Iedereen van wie toestemming nodig is heeft die gegeven en de toestemming is vastgelegd: deel de noodzakelijke gegevens.",
		"en": "Everyone whose consent is needed has given it and the consent is recorded: share the necessary information.",
	},
	# R8
	"youth_not_asked": {
		"nl": "De jongere is nog niet om toestemming gevraagd en vragen is veilig: vraag eerst toestemming. Bespreek intussen alleen anoniem.",
		"en": "The young person has not been asked for consent and asking is safe: ask for consent first. Meanwhile discuss anonymously only.",
	},
	"parents_not_asked": {
		"nl": "De ouders zijn nog niet om toestemming gevraagd en vragen is veilig: vraag eerst toestemming. Bespreek intussen alleen anoniem.",
		"en": "The parents have not been asked for consent and asking is safe: ask for consent first. Meanwhile discuss anonymously only.",
	},
	"consent_not_recorded": {
		"nl": "De toestemming is niet vastgelegd (wanneer, door wie, waarvoor): leg haar vast voordat je deelt. Bespreek intussen alleen anoniem.",
		"en": "The consent is not recorded (when, by whom, for what): record it before sharing. Meanwhile discuss anonymously only.",
	},
	# R9
	"youth_consent_refused": {
		"nl": "De jongere heeft geen toestemming gegeven.",
		"en": "The young person has refused consent.",
	},
	"youth_consent_impossible": {
		"nl": "Toestemming van de jongere is niet te krijgen.",
		"en": "The young person's consent cannot be obtained.",
	},
	"parents_consent_refused": {
		"nl": "De ouders hebben geen toestemming gegeven.",
		"en": "The parents have refused consent.",
	},
	"parents_consent_impossible": {
		"nl": "Toestemming van de ouders is niet te krijgen. Of er is geen ouder met gezag (die wettelijk voor het kind zorgt).",
		"en": "The parents' consent cannot be obtained. Or no parent has authority (the legal care for the child).",
	},
	"asking_endangers": {
		"nl": "Om toestemming vragen brengt de jongere of een ander in gevaar.",
		"en": "Asking for consent would endanger the young person or someone else.",
	},
	"harm_likely": {
		"nl": "Zonder delen is ernstige schade waarschijnlijk.",
		"en": "Without sharing, serious harm is likely.",
	},
	"conflict_of_duties": {
		"nl": "Er is een conflict van plichten (je zwijgplicht botst met je plicht om te beschermen). Alle voorwaarden zijn vervuld. Deel alleen de strikt nodige feiten, met naam, met wie kan ingrijpen. Leg je afweging vast.",
		"en": "There is a conflict of duties (your duty of confidentiality clashes with your duty to protect). Every condition holds. Share only the strictly necessary facts, with the name, with whoever can act. Record your reasoning.",
	},
	"harm_possible": {
		"nl": "Ernstige schade is mogelijk, maar niet waarschijnlijk. Dat is te weinig om je beroepsgeheim (je plicht om te zwijgen) te doorbreken. Leg het voor aan de functionaris gegevensbescherming (de privacy-toezichthouder). Bespreek intussen anoniem.",
		"en": "Serious harm is possible but not likely. That is too little to break your professional secrecy (your duty to keep quiet). Put it to the data protection officer (who oversees privacy). Meanwhile discuss anonymously.",
	},
	"no_other_way_not_met": {
		"nl": "Er is nog een andere weg dan delen zonder toestemming. Dan is er geen conflict van plichten (zwijgplicht tegen beschermplicht). Leg het voor aan de functionaris gegevensbescherming (de privacy-toezichthouder). Bespreek intussen anoniem.",
		"en": "There is another way than sharing without consent. Then there is no conflict of duties (confidentiality against protection). Put it to the data protection officer (who oversees privacy). Meanwhile discuss anonymously.",
	},
	"prevents_harm_not_met": {
		"nl": "Het is niet vrijwel zeker dat delen de schade voorkomt. Dan is er geen conflict van plichten (zwijgplicht tegen beschermplicht). Leg het voor aan de functionaris gegevensbescherming (de privacy-toezichthouder). Bespreek intussen anoniem.",
		"en": "It is not almost certain that sharing prevents the harm. Then there is no conflict of duties (confidentiality against protection). Put it to the data protection officer (who oversees privacy). Meanwhile discuss anonymously.",
	},
	"expert_consulted_not_met": {
		"nl": "Er is nog geen deskundige geraadpleegd. Doe dat eerst. Leg het voor aan de functionaris gegevensbescherming (de privacy-toezichthouder). Bespreek intussen anoniem.",
		"en": "No expert has been consulted yet. Do so first. Put it to the data protection officer (who oversees privacy). Meanwhile discuss anonymously.",
	},
	"recipient_cannot_act": {
		"nl": "Deze ontvanger kan de schade niet afwenden. Dan mag je je beroepsgeheim (je plicht om te zwijgen) niet doorbreken. Leg het voor aan de functionaris gegevensbescherming (de privacy-toezichthouder).",
		"en": "This recipient cannot avert the harm. Then you may not break your professional secrecy (your duty to keep quiet). Put it to the data protection officer (who oversees privacy).",
	},
	"no_serious_harm": {
		"nl": "Zonder toestemming en zonder risico op ernstige schade wordt niets gedeeld.",
		"en": "Without consent and without a risk of serious harm, nothing is shared.",
	},
	"existence_only": {
		"nl": "Volgens het convenant (de afspraken over delen) mag alleen gezegd worden dat er een signaal is. Ook bij wie men terecht kan, maar niet wat er speelt. Vertel dat aan de jongere (vanaf 12) en de ouders (tot 16).",
		"en": "Under the cooperation's agreement on sharing, only the fact that there is a signal may be told. Also whom to contact, but not what it is about. Tell the young person (12 and over) and the parents (under 16).",
	},
	# R10
	"fields_beyond_level_removed": {
		"nl": "Gegevens die op dit niveau niet mogen worden gedeeld, zijn weggelaten.",
		"en": "Information this level does not allow has been left out.",
	},
	"bsn_removed": {
		"nl": "Het BSN is weggelaten. Het mag alleen mee bij een wettelijke plicht of in de melding aan Veilig Thuis.",
		"en": "The BSN has been left out. It may only go under a legal duty or in the report to Veilig Thuis.",
	},
	"opinions_not_separated": {
		"nl": "Meningen zijn weggelaten omdat ze niet gescheiden van de feiten zijn beschreven.",
		"en": "Opinions have been left out because they are not written apart from the facts.",
	},
	"special_category_shared": {
		"nl": "Er gaan gevoelige gegevens mee (over gezondheid, geloof of afkomst) of strafrechtelijke gegevens (over politie en justitie). De functionaris gegevensbescherming (de privacy-toezichthouder) krijgt bericht.",
		"en": "Sensitive data (about health, religion or origin) or criminal data (about police and justice) goes along. The data protection officer (who oversees privacy) is notified.",
	},
	# Incomplete
	"answers_missing": {
		"nl": "Er ontbreken nog antwoorden om te kunnen beslissen: beantwoord de openstaande vragen.",
		"en": "Answers are still missing to decide: answer the open questions.",
	},
}
