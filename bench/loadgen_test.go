package bench

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// loadInProcess runs the load generator against h serving p's users, in
// this process (no CPU figures), checking every response.
func loadInProcess(t *testing.T, p *Peer, h http.Handler, workload string) loadResult {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	ids := filepath.Join(t.TempDir(), "ids")
	if err := os.WriteFile(ids, []byte(strings.Join(p.ids, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := runLoad(context.Background(), loadSpec{
		Addr: strings.TrimPrefix(srv.URL, "http://"), Workload: workload, Users: len(p.ids), IDsFile: ids,
		Conns: 2, Warmup: 20 * time.Millisecond, Window: 80 * time.Millisecond, CheckEvery: 1, Seed: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestLoadGenerator checks the load generator's own HTTP parsing against
// net/http: fixed-length and chunked bodies (W3's pages are over net/http's
// 2 KB buffer, so chunked), bodies sent with requests, every response
// checked.
func TestLoadGenerator(t *testing.T) {
	p := newBare(false, 500)
	// The projected workloads need a server that projects: scimkit.
	sk, err := NewPeer(context.Background(), PeerScimkit, 500)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range Workloads() {
		p := p
		if !serves(PeerBare, w) {
			p = sk
		}
		r := loadInProcess(t, p, p.Handler, w.Name)
		if r.Errors != 0 || r.Requests == 0 {
			t.Errorf("%s: %d requests, %d errors (%s)", w.Name, r.Requests, r.Errors, r.FirstError)
		}
	}
}

// TestLoadGeneratorCatchesWrongAnswers checks that a wrong status and a
// wrong body are both counted as errors, so that a peer answering wrongly
// fails the run.
func TestLoadGeneratorCatchesWrongAnswers(t *testing.T) {
	p := newBare(false, 100)
	h := p.Handler
	broken := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/Users/"):
			w.WriteHeader(http.StatusTeapot)
		case r.Method == http.MethodGet && r.URL.Query().Get("filter") != "":
			// The right status and shape, another user.
			w.Header().Set("Content-Type", "application/scim+json")
			w.Write([]byte(`{"totalResults":1,"Resources":[{"userName":"someone@else"}]}`))
		default:
			h.ServeHTTP(w, r)
		}
	})
	if r := loadInProcess(t, p, broken, "W1"); r.Errors == 0 || !strings.Contains(r.FirstError, "status 418") {
		t.Errorf("W1 against a wrong status: %d errors, first %q; want errors naming status 418", r.Errors, r.FirstError)
	}
	if r := loadInProcess(t, p, broken, "W2"); r.Errors == 0 || !strings.Contains(r.FirstError, "userName") {
		t.Errorf("W2 against a wrong body: %d errors, first %q; want errors naming userName", r.Errors, r.FirstError)
	}
	if r := loadInProcess(t, p, broken, "W3"); r.Errors != 0 {
		t.Errorf("W3 against the working part: %d errors, first %q", r.Errors, r.FirstError)
	}
}

func TestParseProcStat(t *testing.T) {
	// The command name may hold spaces and parentheses.
	s := "4242 (a (b) c) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 56 0 0 20 0 3 0 99 1000 10 18446744073709551615\n"
	got, err := parseProcStat(s)
	if err != nil || got != 1290 {
		t.Errorf("parseProcStat = %d, %v; want 1290 (utime 1234 + stime 56)", got, err)
	}
	if _, err := parseProcStat("4242 (x) S 1 2"); err == nil {
		t.Error("a short stat line parsed")
	}
	if n, err := procCPU(os.Getpid()); err != nil || n < 0 {
		t.Errorf("procCPU(self) = %d, %v", n, err)
	}
}

// loadGroups runs the load generator's group workload w at size against h
// serving p's group fixture, in this process, checking every response.
func loadGroups(t *testing.T, p *groupPeer, h http.Handler, w *Workload, size, conns int) loadResult {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	fix := filepath.Join(t.TempDir(), "fixture")
	b, err := json.Marshal(p.fix)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(fix, b, 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := runLoad(context.Background(), loadSpec{
		Addr: strings.TrimPrefix(srv.URL, "http://"), Peer: p.name, Workload: w.Name, Users: p.fix.Sizes.users(), IDsFile: fix, Size: size,
		Conns: conns, Warmup: 20 * time.Millisecond, Window: 80 * time.Millisecond, CheckEvery: 1, Seed: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestLoadGeneratorGroups sends every group case to the bare group
// handler: every answer right, and after W6 every connection's outsider
// pair where its PATCHes put it.
func TestLoadGeneratorGroups(t *testing.T) {
	s := GroupSizes{Small: 10, Big: 200, Wide: 50, Groups: 30}
	p, err := newGroupPeer(context.Background(), PeerBare, s)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range groupCases(s) {
		r := loadGroups(t, p, p.handler, c.w, c.size, connsFor(p.name, c.w, c.size, 8, p.fix.Sizes))
		if r.Errors != 0 || r.Requests == 0 {
			t.Errorf("%s %s=%d: %d requests, %d errors (%s)", c.w.Name, c.w.SizeKey, c.size, r.Requests, r.Errors, r.FirstError)
		}
	}
}

// TestLoadGeneratorCatchesWrongGroups checks that a PATCH answered 204
// without moving the members, and a W7 answer that lists members, are
// counted as errors.
func TestLoadGeneratorCatchesWrongGroups(t *testing.T) {
	s := GroupSizes{Small: 10, Big: 20, Wide: 5, Groups: 3}
	p, err := newGroupPeer(context.Background(), PeerBare, s)
	if err != nil {
		t.Fatal(err)
	}
	broken := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPatch:
			w.WriteHeader(http.StatusNoContent)
		case r.URL.Query().Get("excludedAttributes") != "":
			r.URL.RawQuery = ""
			p.handler.ServeHTTP(w, r)
		default:
			p.handler.ServeHTTP(w, r)
		}
	})
	if r := loadGroups(t, p, broken, w6, s.Small, s.withDefaults().Pairs); r.Errors == 0 || !strings.Contains(r.FirstError, "after") {
		t.Errorf("W6 against PATCHes that change nothing: %d errors, first %q; want an error from the GET after W6", r.Errors, r.FirstError)
	}
	if r := loadGroups(t, p, broken, w7, s.Small, 2); r.Errors == 0 || !strings.Contains(r.FirstError, "members") {
		t.Errorf("W7 against answers with members: %d errors, first %q; want errors naming members", r.Errors, r.FirstError)
	}
}

func TestBackendPort(t *testing.T) {
	for title, want := range map[string]int{
		"postgres: 15/main: postgres test 127.0.0.1(54642) idle\x00\x00":              54642,
		"postgres: postgres test [::1](40000) SELECT      ":                           40000,
		"postgres: 15/main: postgres test 127.0.0.1(5) idle in transaction (aborted)": 5,
		"postgres: 15/main: walwriter   ":                                             0,
		"postgres: 15/main: postgres test [local] idle":                               0,
	} {
		got, ok := backendPort(title)
		if got != want || ok != (want != 0) {
			t.Errorf("backendPort(%q) = %d, %v; want %d", title, got, ok, want)
		}
	}
}

// TestLocalPorts checks that a process's TCP connections are found by
// their local ports, as the database's backends are matched.
func TestLocalPorts(t *testing.T) {
	if _, err := os.Stat("/proc/self/net/tcp"); err != nil {
		t.Skip("no /proc/self/net/tcp")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ports, err := localPorts(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if p := c.LocalAddr().(*net.TCPAddr).Port; !ports[p] {
		t.Errorf("local port %d of a connection not among %v", p, ports)
	}
}
