package web

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/signaal-nl/signaal/signal"
)

// Lang is a language the pages speak. Dutch is the default: Signaal's users
// are Dutch professionals; English is for colleagues who read it better.
type Lang string

const (
	LangNL Lang = "nl"
	LangEN Lang = "en"
)

// Langs lists the languages in the order the switch offers them.
var Langs = []Lang{LangNL, LangEN}

// LangCookie remembers the chosen language (not personal data: no consent
// needed, and it outlives the session so the login page speaks it too).
const LangCookie = "__Host-signaal_lang"

const ctxLang = "signaal.lang"

// messageFiles are the message catalogue: one JSON file per area of the
// pages (i18n/pages.json for the framework and the reporter's pages; the
// meeting and privacy pages add their own file), each an object of
// key -> {"nl": "…", "en": "…"}. A key may be defined once across all files;
// loadCatalogue refuses duplicates and missing translations.
//
//go:embed i18n/*.json
var messageFiles embed.FS

// Catalogue holds every page text in every language.
type Catalogue struct {
	msgs map[string]signal.Text
}

// loadCatalogue reads and checks every catalogue file of fsys.
func loadCatalogue(fsys fs.FS) (*Catalogue, error) {
	names, err := fs.Glob(fsys, "i18n/*.json")
	if err != nil {
		return nil, err
	}
	c := &Catalogue{msgs: map[string]signal.Text{}}
	where := map[string]string{}
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("read message catalogue: %w", err)
		}
		var m map[string]signal.Text
		dec := json.NewDecoder(strings.NewReader(string(data)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&m); err != nil {
			return nil, fmt.Errorf("message catalogue %s: %w", name, err)
		}
		for k, t := range m {
			if prev, dup := where[k]; dup {
				return nil, fmt.Errorf("message catalogue: key %q is in both %s and %s", k, prev, name)
			}
			if strings.TrimSpace(t.NL) == "" || strings.TrimSpace(t.EN) == "" {
				return nil, fmt.Errorf("message catalogue %s: key %q needs both nl and en", name, k)
			}
			where[k] = path.Base(name)
			c.msgs[k] = t
		}
	}
	return c, nil
}

// Has reports whether key is in the catalogue.
func (c *Catalogue) Has(key string) bool { _, ok := c.msgs[key]; return ok }

// Get returns key's text in lang, formatted with args (fmt verbs) when
// given. An unknown key is returned as is, marked, so a missing text shows
// on the page and in tests instead of an empty string.
func (c *Catalogue) Get(lang Lang, key string, args ...any) string {
	t, ok := c.msgs[key]
	if !ok {
		return "‹" + key + "›"
	}
	s := t.NL
	if lang == LangEN {
		s = t.EN
	}
	if len(args) > 0 {
		s = fmt.Sprintf(s, args...)
	}
	return s
}

// language is the middleware of the pages: the request's language is the
// cookie's when it holds a known one, else Dutch.
func language(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		lang := LangNL
		if ck, err := c.Cookie(LangCookie); err == nil && slices.Contains(Langs, Lang(ck.Value)) {
			lang = Lang(ck.Value)
		}
		c.Set(ctxLang, lang)
		c.Response().Header().Set("Content-Language", string(lang))
		return next(c)
	}
}

// LangOf returns the language of a page request (Dutch outside the pages).
func LangOf(c echo.Context) Lang {
	if l, ok := c.Get(ctxLang).(Lang); ok {
		return l
	}
	return LangNL
}

// switchLanguage: GET /taal?lang=en&next=/path. A link, not a form, so the
// switch works on every page, also before logging in; it changes nothing
// but a preference, so it needs no CSRF token.
func (s *Server) switchLanguage(c echo.Context) error {
	lang := Lang(c.QueryParam("lang"))
	if !slices.Contains(Langs, lang) {
		lang = LangNL
	}
	c.SetCookie(&http.Cookie{
		Name: LangCookie, Value: string(lang), Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: true, // __Host-: see hostCookie
	})
	return redirect(c, c.QueryParam("next"))
}
