package web

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
)

const metricsToken = "a-long-metrics-token-for-tests"

// TestMetricsAreNotForEveryone: /metrics on the main listener answers
// nobody unless the deployment says so: with a token, only its bearer;
// without, 404, and the counters are served by MetricsHandler on a
// listener of their own.
func TestMetricsAreNotForEveryone(t *testing.T) {
	closed := newEnv(t, nil)
	if res := closed.do("GET", "/metrics", "", nil); res.status != 404 {
		t.Fatalf("/metrics without a token configured: %d; want 404", res.status)
	}
	own := httptest.NewServer(closed.srv.MetricsHandler())
	defer own.Close()
	res, err := own.Client().Get(own.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), "signaal_http_requests_total") {
		t.Fatalf("metrics on their own listener: %d", res.StatusCode)
	}

	guarded := newEnv(t, func(d *testDeps) { d.MetricsToken = metricsToken })
	for _, c := range []struct{ name, token string }{{"no token", ""}, {"wrong token", "guess"}} {
		if res := guarded.do("GET", "/metrics", c.token, nil); res.status != 401 || strings.Contains(string(res.body), "signaal_") {
			t.Fatalf("/metrics with %s: %d; want 401 and no counters", c.name, res.status)
		}
	}
	if res := guarded.do("GET", "/metrics", metricsToken, nil); res.status != 200 {
		t.Fatalf("/metrics with the token: %d; want 200", res.status)
	}
}
