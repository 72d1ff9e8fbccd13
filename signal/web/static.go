package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"mime"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
)

//go:embed static
var staticFiles embed.FS

// loadStatic hashes the static files (for their versioned URLs) and keeps
// their gzip encoding.
func (p *pages) loadStatic() error {
	var err error
	p.static, err = fs.Sub(staticFiles, "static")
	if err != nil {
		return err
	}
	err = fs.WalkDir(p.static, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(p.static, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		p.assets[name] = hex.EncodeToString(sum[:6])
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
		zw.Write(data)
		if err := zw.Close(); err != nil {
			return err
		}
		p.gzipped[name] = gz.Bytes()
		return nil
	})
	if err != nil {
		return fmt.Errorf("hash static files: %w", err)
	}
	return nil
}

// static serves the embedded static files. A request with the current
// content hash (?v=) may be cached for a year; without it, for five
// minutes.
func (s *Server) static(c echo.Context) error {
	name := strings.TrimPrefix(path.Clean("/"+c.Param("*")), "/")
	hash, ok := s.pages.assets[name]
	if !ok {
		return echo.ErrNotFound
	}
	data, err := fs.ReadFile(s.pages.static, name)
	if err != nil {
		return fmt.Errorf("read static %s: %w", name, err)
	}
	h := c.Response().Header()
	if c.QueryParam("v") == hash {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "public, max-age=300")
	}
	h.Set("ETag", `"`+hash+`"`)
	h.Set("Vary", "Accept-Encoding")
	if match := c.Request().Header.Get("If-None-Match"); match == `"`+hash+`"` {
		return c.NoContent(http.StatusNotModified)
	}
	// Static files hold no secrets, so compressing them is safe (pages are
	// not compressed: they reflect input next to the CSRF token, which is
	// what BREACH needs).
	if strings.Contains(c.Request().Header.Get("Accept-Encoding"), "gzip") {
		h.Set("Content-Encoding", "gzip")
		return c.Blob(http.StatusOK, contentType(name), s.pages.gzipped[name])
	}
	return c.Blob(http.StatusOK, contentType(name), data)
}

func contentType(name string) string {
	switch path.Ext(name) {
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".webmanifest":
		return "application/manifest+json"
	case ".svg":
		return "image/svg+xml"
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// serviceWorker serves static/sw.js at the root, so its scope is the whole
// site, with the versioned URLs of the static files it keeps filled in (a
// new release is a new worker, which replaces the old cache). Browsers
// check it for updates on each visit (no-cache).
func (s *Server) serviceWorker(c echo.Context) error {
	data, err := fs.ReadFile(s.pages.static, "sw.js")
	if err != nil {
		return echo.ErrNotFound
	}
	var urls []string
	sum := sha256.New()
	for _, name := range slices.Sorted(maps.Keys(s.pages.assets)) {
		if name == "sw.js" {
			continue
		}
		urls = append(urls, "/static/"+name+"?v="+s.pages.assets[name])
		sum.Write([]byte(s.pages.assets[name]))
	}
	if s.wasm != nil {
		// The policy, so the form decides offline too.
		if ph := s.policyOnPhone(); ph.URL != "" {
			urls = append(urls, ph.URL, ph.Questions)
			for _, l := range Langs {
				u := s.phoneScreensURL(l)
				urls = append(urls, u)
				sum.Write([]byte(u))
			}
			sum.Write([]byte(ph.Version))
		}
	}
	list, _ := json.Marshal(urls)
	body := strings.NewReplacer("'__VERSION__'", strconv.Quote(hex.EncodeToString(sum.Sum(nil))[:12]), "__ASSETS__", string(list)).Replace(string(data))
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.Blob(http.StatusOK, contentType("sw.js"), []byte(body))
}

// offlinePage: GET /offline, what the service worker shows for a page it
// cannot fetch: the signals waiting on this phone (app.js lists them).
func (s *Server) offlinePage(c echo.Context) error {
	return s.Render(c, http.StatusOK, "offline", "offline.title", nil)
}

// manifest serves the web app manifest, in the user's language.
func (s *Server) manifest(c echo.Context) error {
	lang := LangOf(c)
	m := map[string]any{
		"name":             s.pages.cat.Get(lang, "app.name"),
		"short_name":       "Signaal",
		"description":      s.pages.cat.Get(lang, "app.description"),
		"lang":             string(lang),
		"start_url":        "/",
		"scope":            "/",
		"display":          "standalone",
		"background_color": "#ffffff",
		"theme_color":      "#0b3d91",
		"icons": []map[string]string{
			{"src": "/static/icon.svg", "sizes": "any", "type": "image/svg+xml", "purpose": "any"},
		},
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=3600")
	c.Response().Header().Set(echo.HeaderContentType, "application/manifest+json")
	return c.JSON(http.StatusOK, m)
}
