package web

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestOpenAPIMatchesRoutes keeps openapi.yaml true: every route the server
// registers is described, and every described operation exists.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	e := newEnv(t, nil)
	var doc struct {
		OpenAPI string                               `yaml:"openapi"`
		Paths   map[string]map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(OpenAPI(), &doc); err != nil {
		t.Fatalf("openapi.yaml does not parse: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi version %q", doc.OpenAPI)
	}
	var described []string
	for path, ops := range doc.Paths {
		for method := range ops {
			switch method {
			case "get", "post", "put", "patch", "delete":
				described = append(described, strings.ToUpper(method)+" "+path)
			}
		}
	}
	param := regexp.MustCompile(`:([a-z_]+)`)
	var registered []string
	for _, r := range e.srv.Echo().Routes() {
		if strings.HasSuffix(r.Path, "*") || r.Method == "echo_route_not_found" || isPagePath(r.Path) {
			continue
		}
		registered = append(registered, r.Method+" "+param.ReplaceAllString(r.Path, "{$1}"))
	}
	slices.Sort(described)
	slices.Sort(registered)
	for _, r := range registered {
		if !slices.Contains(described, r) {
			t.Errorf("route %s is not in openapi.yaml", r)
		}
	}
	for _, d := range described {
		if !slices.Contains(registered, d) {
			t.Errorf("openapi.yaml describes %s, which the server does not serve", d)
		}
	}

	res := e.do("GET", "/api/v1/openapi.yaml", "", nil)
	if res.status != http.StatusOK || string(res.body) != string(OpenAPI()) {
		t.Fatalf("GET /api/v1/openapi.yaml: %d", res.status)
	}
}

// isPagePath: the pages are HTML for people, not part of the API that
// openapi.yaml describes.
func isPagePath(p string) bool {
	switch p {
	case "/healthz", "/readyz", "/metrics":
		return false
	}
	return !strings.HasPrefix(p, "/api/")
}
