package bench

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestMain lets the test binary be the child processes of the load test,
// as cmd/compare is.
func TestMain(m *testing.M) {
	if handled, err := RunChild(os.Args[1:]); handled {
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestCompareSmoke runs the -short comparison with a single request per
// benchmark: every peer answers every workload correctly, and the table,
// the RESULT lines and the load test's lines come out. It times nothing
// worth reading; speed targets live in BENCHMARKS.md, not in tests.
func TestCompareSmoke(t *testing.T) {
	sizes := []int{10_000, 100_000}
	if raceEnabled || testing.Short() {
		sizes = []int{1_000, 10_000}
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	rep, err := Compare(ctx, Options{
		Sizes:     sizes,
		BenchTime: "1x",
		HeapUsers: sizes[0],
		Load: &LoadOptions{
			Users:       sizes[0],
			Workloads:   []string{"W1", "W2", "W5okta"},
			Duration:    200 * time.Millisecond,
			Conns:       2,
			MaxRequests: 200,
			Executable:  exe,
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Results {
		if r.Err != nil {
			t.Errorf("%s %s users=%d: %v", r.Peer, r.Workload, r.Users, r.Err)
		}
	}

	var out bytes.Buffer
	rep.WriteTable(&out)
	rep.WriteResults(&out)
	t.Logf("\n%s", out.String())
	text := out.String()
	for _, n := range sizes {
		for _, w := range Workloads() {
			line := regexp.MustCompile(fmt.Sprintf(`(?m)^RESULT workload=%s users=%d .*$`, w.Name, n)).FindString(text)
			if line == "" {
				t.Errorf("no RESULT line for %s at %d users", w.Name, n)
				continue
			}
			for _, k := range []string{"scimkit_ns", "bare_ns", "elimity_ns", "scimkit_allocs", "scimkit_vs_bare", "scimkit_vs_elimity"} {
				if !regexp.MustCompile(` ` + k + `=[0-9.]+( |$)`).MatchString(line) {
					t.Errorf("RESULT line for %s at %d users has no number for %s: %s", w.Name, n, k, line)
				}
			}
		}
	}
	if !regexp.MustCompile(`(?m)^RESULT workload=heap users=\d+ scimkit_bytes_per_user=\d+`).MatchString(text) {
		t.Error("no RESULT line for the heap per user")
	}
	want := 0
	for _, p := range (LoadOptions{}).withDefaults().Peers {
		want += 3
		if !serves(p, WorkloadNamed("W5okta")) {
			want--
		}
	}
	if len(rep.Load) != want {
		t.Errorf("%d load results, want %d", len(rep.Load), want)
	}
	for _, l := range rep.Load {
		if l.Requests == 0 || l.Errors != 0 {
			t.Errorf("load %s %s: %d requests, %d errors", l.Peer, l.Workload, l.Requests, l.Errors)
		}
		if l.PeakRSSKB == 0 {
			t.Errorf("load %s %s: no peak RSS of the server", l.Peer, l.Workload)
		}
	}
	if !strings.Contains(text, "LOAD peer=scimkit workload=W1") {
		t.Error("no LOAD line for scimkit")
	}
}

// TestCompareReportsWrongAnswers checks that a peer answering wrongly is
// reported as an error rather than timed.
func TestCompareReportsWrongAnswers(t *testing.T) {
	p := newBare(false, 10)
	p.Name = "broken"
	h := p.Handler
	p.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/Users/") {
			w.WriteHeader(http.StatusTeapot)
			return
		}
		h.ServeHTTP(w, r)
	})
	restore, err := setBenchTime("1x")
	if err != nil {
		t.Fatal(err)
	}
	defer restore()
	if r := benchmark(p, w1); r.Err == nil || !strings.Contains(r.Err.Error(), "status 418") {
		t.Errorf("W1 against a broken peer: error %v, want one naming status 418", r.Err)
	}
	if r := benchmark(p, w2); r.Err != nil {
		t.Errorf("W2 against the peer's working part: %v", r.Err)
	}
}

// TestLoadRefusesOtherHosts checks that the load generator sends only to
// loopback addresses.
func TestLoadRefusesOtherHosts(t *testing.T) {
	for _, u := range []string{"http://192.0.2.1:80", "http://example.com", "http://0.0.0.0:8080"} {
		if _, err := runLoad(context.Background(), loadSpec{URL: u, Workload: "W1", Users: 1, Conns: 1, Duration: time.Millisecond, MaxRequests: 1}); err == nil || !strings.Contains(err.Error(), "loopback") {
			t.Errorf("runLoad(%s): error %v, want a refusal", u, err)
		}
	}
}
