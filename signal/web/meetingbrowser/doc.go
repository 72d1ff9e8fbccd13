// Package meetingbrowser holds the signal meeting's end-to-end tests: the
// real server on loopback, driven in headless Chromium at laptop size, each
// page scanned for WCAG 2.1 AA (see docs/testing.md). It has no code of its
// own; it is a package so its tests share one browser (browsertest.Main).
package meetingbrowser
