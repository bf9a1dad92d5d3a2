package main

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/memstore"
)

// requestCounter counts the requests a handler serves, and the resources
// it created (201 answers).
type requestCounter struct {
	mu               sync.Mutex
	requests, create int
}

func (c *requestCounter) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w}
		h.ServeHTTP(sw, r)
		c.mu.Lock()
		defer c.mu.Unlock()
		c.requests++
		if sw.status == http.StatusCreated {
			c.create++
		}
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// The default run is meant for a deployment in use, which may be
// rate-limited: under a minute at 50 requests a second, a few hundred
// resources created, all of them deleted at the end. The large group is
// opt-in, and is reported as skipped with the flag that runs it.
func TestDefaultRunStaysSmall(t *testing.T) {
	const (
		maxRequests = 60 * 50 // a minute at 50 requests a second
		maxCreates  = 400
	)
	var c requestCounter
	srv := newServerWith(t, memstore.New(), scim.Config{ResourceTypes: []scim.ResourceType{agentType()}}, c.wrap)
	out, stderr, code := runCheck(t, "-url", srv.URL+"/scim/v2", "-token", token)
	if code != exitPass {
		t.Errorf("exit %d, want 0\n%s%s", code, out, stderr)
	}
	if !strings.Contains(out, "\nSKIP entra/groups-large\n     note: not run: it creates thousands of users in the target; run it with -large-group N") {
		t.Errorf("entra/groups-large is not skipped with the flag that runs it:\n%s", out)
	}
	c.mu.Lock()
	requests, creates := c.requests, c.create
	c.mu.Unlock()
	t.Logf("the default run: %d requests, %d resources created", requests, creates)
	if requests > maxRequests {
		t.Errorf("the default run sends %d requests, want at most %d (a minute at 50 requests a second)", requests, maxRequests)
	}
	if creates > maxCreates {
		t.Errorf("the default run creates %d resources, want at most %d", creates, maxCreates)
	}
	for _, list := range []string{"Users", "Groups", "Agents"} {
		if n := count(t, srv, "/scim/v2/"+list+"?count=0"); n != 0 {
			t.Errorf("after the default run the store holds %d %s, want 0", n, strings.ToLower(list))
		}
	}
}
