package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"
	"github.com/signaal-nl/signaal/signal"
)

// policyWasm is the policy compiled to WebAssembly as the app serves it
// (issue 15): the new-signal form loads it with the vendored OPA SDK
// (static/vendor/opa-wasm-browser.esm.js) and decides as the worker
// answers, with no network. It is compiled once, on first use.
type policyWasm struct {
	load    func() ([]byte, string, error)
	once    sync.Once
	module  []byte
	gzipped []byte
	version string // policy_version, "sha256:…"
	tag     string // short hash of version, the ?v= of its URL
	err     error
}

func (w *policyWasm) get() (*policyWasm, error) {
	w.once.Do(func() {
		w.module, w.version, w.err = w.load()
		if w.err != nil {
			return
		}
		sum := sha256.Sum256([]byte(w.version))
		w.tag = hex.EncodeToString(sum[:6])
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
		zw.Write(w.module)
		if w.err = zw.Close(); w.err == nil {
			w.gzipped = gz.Bytes()
		}
	})
	return w, w.err
}

// policyOnPhone is what the form needs to decide on the phone: the URL of
// policy.wasm (versioned) and the policy_version it answers for; zero when
// the server has no Wasm.
type policyOnPhone struct{ URL, Version, SDK, Questions string }

func (s *Server) policyOnPhone() policyOnPhone {
	if s.wasm == nil {
		return policyOnPhone{}
	}
	w, err := s.wasm.get()
	if err != nil {
		s.logger.Error("policy wasm", "err", err)
		return policyOnPhone{}
	}
	return policyOnPhone{URL: "/static/policy.wasm?v=" + w.tag, Version: w.version, Questions: "/static/policy-questions.json?v=" + w.tag,
		SDK: "/static/vendor/opa-wasm-browser.esm.js?v=" + s.pages.assets["vendor/opa-wasm-browser.esm.js"]}
}

// policyWasmFile: GET /static/policy.wasm, the policy as WebAssembly under
// its policy_version (header Policy-Version); with the current ?v= it is
// cached for a year, as the other static files. It holds rules, no data.
func (s *Server) policyWasmFile(c echo.Context) error {
	if s.wasm == nil {
		return echo.ErrNotFound
	}
	w, err := s.wasm.get()
	if err != nil {
		return err
	}
	h := c.Response().Header()
	if c.QueryParam("v") == w.tag {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	h.Set("ETag", `"`+w.tag+`"`)
	h.Set("Policy-Version", w.version)
	h.Set("Vary", "Accept-Encoding")
	if c.Request().Header.Get("If-None-Match") == `"`+w.tag+`"` {
		return c.NoContent(http.StatusNotModified)
	}
	if strings.Contains(c.Request().Header.Get("Accept-Encoding"), "gzip") {
		h.Set("Content-Encoding", "gzip")
		return c.Blob(http.StatusOK, "application/wasm", w.gzipped)
	}
	return c.Blob(http.StatusOK, "application/wasm", w.module)
}

// cspWithWasm is the page CSP plus 'wasm-unsafe-eval', which compiling
// policy.wasm needs; only the new-signal form gets it (still no inline
// script, no eval of JavaScript).
const cspWithWasm = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// phoneScreenKeys are the catalogue texts of the check and the result that
// the phone makes without a connection (phone.js builds both screens).
var phoneScreenKeys = []string{"summary.title", "screen.check", "summary.intro", "phone.check.offline",
	"review.outgoing.title", "review.outgoing.nothing", "decision.level", "review.outgoing.name", "review.outgoing.why",
	"review.outgoing.text", "review.outgoing.noname", "review.outgoing.notext", "label.opinions", "phone.check.text",
	"summary.send", "summary.edit", "phone.sent.title", "screen.result", "phone.refused.title", "send.offline",
	"outbox.fix", "phone.sent.next", "phone.sent.goes", "phone.sent.decides", "phone.sent.differs", "signal.back"}

// phoneScreensJSON is the texts of the offline check and result in lang,
// with the reasons per level.
func (s *Server) phoneScreensJSON(lang Lang) []byte {
	v := &View{Lang: lang, cat: s.pages.cat}
	out := map[string]string{}
	for _, k := range phoneScreenKeys {
		out[k] = v.T(k)
	}
	for _, l := range signal.Levels {
		out["review.why."+string(l)] = v.T("review.why." + string(l))
	}
	b, _ := json.Marshal(out)
	return b
}

// phoneScreensURL is where the form finds the texts of the offline check
// and result in lang: versioned by their content, so the service worker
// keeps them (both languages) with the app shell.
func (s *Server) phoneScreensURL(lang Lang) string {
	sum := sha256.Sum256(s.phoneScreensJSON(lang))
	return "/static/phone-screens.json?lang=" + string(lang) + "&v=" + hex.EncodeToString(sum[:6])
}

// phoneScreens: GET /static/phone-screens.json?lang=, the texts of the
// check and the result the phone makes without a connection (issue 15
// item 2), loaded with the policy at the first touch of the form, so they
// do not weigh on the form's first load. Catalogue texts, no data.
func (s *Server) phoneScreens(c echo.Context) error {
	lang := Lang(c.QueryParam("lang"))
	if !slices.Contains(Langs, lang) {
		return echo.ErrNotFound
	}
	body := s.phoneScreensJSON(lang)
	h := c.Response().Header()
	if c.Request().URL.RequestURI() == s.phoneScreensURL(lang) {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	return c.Blob(http.StatusOK, "application/json", body)
}

// policyQuestions: GET /static/policy-questions.json, the questions the
// policy on the phone shows in the form (phone.js builds them), loaded
// with policy.wasm at the first touch of the form. Rules' texts, no data.
func (s *Server) policyQuestions(c echo.Context) error {
	var out []signal.Question
	for _, q := range s.questions {
		if !slices.Contains(notOnPhone, q.ID) && slices.Contains(signal.AnswerPaths, q.ID) {
			out = append(out, q)
		}
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=300")
	return c.JSON(http.StatusOK, out)
}
