// Package textcheck finds in a free text what a disclosure level below full
// may forbid: the young person's own name parts and birth date, other
// personal names, a BSN, phone numbers, e-mail addresses and social media
// accounts, postcodes and street addresses, and words of the special
// categories of personal data (AVG art. 9 and 10: health, religion or
// ethnicity, criminal data). It runs on every version of a signal's text
// meant for a level below full and on every meeting text, so the reporter
// sees each finding in place and fixes it or confirms it with a reason
// (issue 14, item 3).
//
// What it promises: every finding has a Kind (a stable code), byte offsets
// into the text and the words found; the same text and subject always give
// the same findings; a Checker is built once from the word lists embedded
// from data/ (their sources in data/SOURCES.md) and is safe for concurrent
// use. It imports the standard library and, for the domain's interface
// signal.TextChecker that its Checker meets (domain.go), package signal;
// the domain itself imports only the standard library and is given a
// Checker by the wiring.
//
// It reads the text as a person does (normalize.go): invisible characters,
// letters of other scripts that look like Latin ones, full-width forms and
// words spelled out letter by letter ("S a n n e") do not hide a finding.
//
// What it cannot do: it is an aid for the writer, not a guarantee. It knows
// the young person's own name (also inflected: "Sannes", "Sannetje") and the
// names it is given, the names in its lists (Dutch, and common names of
// Turkish, Moroccan, Surinamese, Antillean, Polish and other origins),
// capitalised words after a title or an initial, capitalised words where a
// name stands ("met Zuleika", "haar vriendin Xiomara") and capitalised
// words that are no Dutch word ("bij Xiomara thuis"); a name written in
// lower case that it does not know, a nickname that is also a word, a
// name in another script, a street without a number, a school class or a
// rare detail that identifies someone pass unseen. The special categories
// are word lists: a health matter described without a listed word passes,
// and a listed word used about someone else is still raised. Ordinary words
// that are also names ("Roos", "de Jong", "Storm") count as names only when
// capitalised inside a sentence, or at the start of one when a verb a
// person does follows ("Roos belde"); otherwise such a name at the start of
// a sentence is missed. Whether a text may go at a level is decided by the
// gate, by the level and the decision's fields, with the reporter's
// confirmations; the check only tells the reporter what to look at.
package textcheck
