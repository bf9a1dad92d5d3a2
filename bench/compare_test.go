package bench

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"slices"
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

// TestCompareSmoke runs the comparison with a single request per
// in-process benchmark and short over-HTTP runs: every peer answers every
// workload correctly, in process and over HTTP, and the tables, the
// RESULT lines (mode=http with CPU per request included) and the targets
// come out. It checks answers and counts, never a figure: over a window
// of 150 ms on a loaded machine a peer's CPU can read 0 (the kernel counts
// it in 10 ms ticks) and a ratio +Inf. Speed targets live in
// BENCHMARKS.md and in compare's output, not in tests.
func TestCompareSmoke(t *testing.T) {
	sizes := []int{10_000, 100_000}
	if raceEnabled || testing.Short() {
		sizes = []int{1_000, 10_000}
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	rep, err := Compare(ctx, Options{
		InProcess: true,
		Sizes:     sizes,
		BenchTime: "1x",
		HeapUsers: sizes[0],
		HTTP: &HTTPOptions{
			Executable: exe,
			Sizes:      sizes[:1],
			Warmup:     50 * time.Millisecond,
			Window:     150 * time.Millisecond,
			Conns:      2,
			CheckEvery: 1,
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
			keys := []string{"scimkit_ns", "bare_ns", "elimity_ns", "scimkit_allocs"}
			if w.Base != "" {
				keys = []string{"scimkit_ns", "scimkit_allocs"}
			}
			resultLine(t, text, fmt.Sprintf("RESULT workload=%s users=%d scimkit_ns", w.Name, n), keys...)
		}
	}
	if !regexp.MustCompile(`(?m)^RESULT workload=heap users=\d+ scimkit_bytes_per_user=\d+`).MatchString(text) {
		t.Error("no RESULT line for the heap per user")
	}

	// Over HTTP: a result for every peer and workload it serves, each
	// with answers, no error, a peak RSS and the allocations counted.
	want := 0
	for _, p := range Peers() {
		for _, w := range Workloads() {
			if serves(p, w) {
				want++
			}
		}
	}
	if len(rep.HTTP) != want {
		t.Errorf("%d over-HTTP results, want %d", len(rep.HTTP), want)
	}
	for _, r := range rep.HTTP {
		if r.Err != nil {
			t.Errorf("over HTTP %s %s: %v", r.Peer, r.Workload, r.Err)
			continue
		}
		for _, x := range r.Runs {
			if x.Requests == 0 || x.Errors != 0 || x.PeakRSSKB == 0 || x.Allocs == 0 {
				t.Errorf("over HTTP %s %s: %d requests, %d errors, %d kB peak RSS, %.1f allocs/request", r.Peer, r.Workload, x.Requests, x.Errors, x.PeakRSSKB, x.Allocs)
			}
		}
	}
	for _, w := range Workloads() {
		// The keys, not their values; the _vs_ ratios are left out where
		// both CPU figures read 0, so they are not required.
		keys := []string{"scimkit_ns", "bare_ns", "elimity_ns", "scimkit_cpu_us", "bare_cpu_us", "elimity_cpu_us", "scimkit_allocs", "scimkit_rps"}
		if w.Base != "" {
			// A projected workload: scimkit alone, compared with its
			// Base in the targets.
			keys = []string{"scimkit_ns", "scimkit_cpu_us", "scimkit_allocs", "scimkit_rps"}
		} else if !w.Write {
			keys = append(keys, "bare_pre_cpu_us")
		}
		if slices.Contains(Peers(), PeerSQLStore) && serves(PeerSQLDirect, w) {
			keys = append(keys, "sqlstore_db_cpu_us", "sqlstore_total_cpu_us", "sqldirect_db_cpu_us")
		}
		line := resultLine(t, text, fmt.Sprintf("RESULT workload=%s users=%d mode=http ", w.Name, sizes[0]), keys...)
		if w.Base != "" && regexp.MustCompile(` (bare|bare_pre|elimity)_`).MatchString(line) {
			t.Errorf("over-HTTP RESULT line for %s has another peer's figures (no other peer may serve it): %s", w.Name, line)
		}
	}
	if !strings.Contains(text, "targets over HTTP") || !strings.Contains(text, "W1 scimkit CPU/request ≤ 1.1× bare") ||
		!strings.Contains(text, "W1a scimkit CPU/request ≤ 1.0× W1's") {
		t.Error("no over-HTTP targets")
	}
}

// resultLine returns the RESULT line of text that starts with head, after
// checking that it has a number for every key (any number: +Inf is what
// a ratio over a CPU measured as 0 reads, and no value is checked); ""
// (and an error) when there is none.
func resultLine(t *testing.T, text, head string, keys ...string) string {
	t.Helper()
	line := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(head) + `.*$`).FindString(text)
	if line == "" {
		t.Errorf("no line %q", head)
		return ""
	}
	for _, k := range keys {
		if !regexp.MustCompile(` ` + k + `=([0-9.]+|[+-]Inf)( |$)`).MatchString(line) {
			t.Errorf("%s… has no number for %s: %s", head, k, line)
		}
	}
	return line
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
	for _, a := range []string{"192.0.2.1:80", "example.com:80", "0.0.0.0:8080"} {
		if _, err := runLoad(context.Background(), loadSpec{Addr: a, Workload: "W1", Users: 1, Conns: 1, Window: time.Millisecond}); err == nil || !strings.Contains(err.Error(), "loopback") {
			t.Errorf("runLoad(%s): error %v, want a refusal", a, err)
		}
	}
}

// TestGroupsSmoke runs the group workloads once against every group peer
// with small groups: every peer answers W6–W9 correctly (W6's PATCH really
// moves the two outsiders), and the table, the RESULT lines and the group
// targets come out. It times nothing worth reading.
func TestGroupsSmoke(t *testing.T) {
	sizes := GroupSizes{Small: 10, Big: 2_000, Wide: 500, Groups: 300}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep, err := Compare(ctx, Options{BenchTime: "3x", Groups: &GroupOptions{Sizes: sizes}})
	if err != nil {
		t.Fatal(err)
	}
	want := len(GroupPeers()) * len(groupCases(sizes))
	if len(rep.Groups) != want {
		t.Errorf("%d group results, want %d", len(rep.Groups), want)
	}
	for _, r := range rep.Groups {
		if r.Err != nil {
			t.Errorf("%s %s %s=%d: %v", r.Peer, r.Workload, r.SizeKey, r.Size, r.Err)
		}
	}
	var out bytes.Buffer
	rep.WriteTable(&out)
	rep.WriteResults(&out)
	text := out.String()
	t.Logf("\n%s", text)
	for _, c := range groupCases(sizes) {
		resultLine(t, text, fmt.Sprintf("RESULT workload=%s %s=%d scimkit_ns", c.w.Name, c.w.SizeKey, c.size),
			"scimkit_ns", "bare_ns", "elimity_ns", "scimkit_allocs")
	}
	if !strings.Contains(text, "group targets in process") || !strings.Contains(text, "W6 scimkit ≥ 10× elimity throughput at 2000 members") {
		t.Error("no group targets")
	}
}

// TestGroupPatchAlternates checks W6 against the bare group handler over
// many requests: the small group keeps its size and the outsiders swap.
func TestGroupPatchAlternates(t *testing.T) {
	p, err := newGroupPeer(context.Background(), PeerBare, GroupSizes{Small: 10, Big: 20, Wide: 5, Groups: 3})
	if err != nil {
		t.Fatal(err)
	}
	c := groupCase{w6, 10}
	g := p.gen(c, 1)
	for i := range 5 {
		st := c.w.next(g)
		rec := &recorder{h: http.Header{}}
		r, _ := http.NewRequest(st.method, st.t.uri, bytes.NewReader(st.body))
		p.handler.ServeHTTP(rec, r)
		if err := checkResponse(c.w, st, rec.code, rec.body); err != nil {
			t.Fatal(err)
		}
		if err := p.checkMembership(); err != nil {
			t.Fatalf("after PATCH %d: %v", i+1, err)
		}
	}
}

// TestGroupsOverHTTPSmoke sends every group workload over HTTP to every
// group peer, each a child process holding a small group fixture: every
// answer right (W6's PATCHes checked by a GET after), a CPU figure for
// each, the database measured for the PostgreSQL peers, and the RESULT
// lines and group targets. It checks no figure: a window of 200 ms on a
// loaded machine can read 0 µs of database CPU.
func TestGroupsOverHTTPSmoke(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	sizes := GroupSizes{Small: 10, Big: 2_000, Wide: 500, Groups: 300}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	rep, err := Compare(ctx, Options{
		HTTP: &HTTPOptions{
			Executable: exe,
			Workloads:  []string{GroupW6, GroupW7, GroupW8, GroupW9},
			Groups:     &sizes,
			Warmup:     50 * time.Millisecond,
			Window:     200 * time.Millisecond,
			Conns:      2,
			CheckEvery: 1,
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := len(GroupPeers()) * len(groupCases(sizes)); len(rep.HTTP) != want {
		t.Errorf("%d over-HTTP group results, want %d", len(rep.HTTP), want)
	}
	for _, r := range rep.HTTP {
		if r.Err != nil {
			t.Errorf("over HTTP %s %s %s=%d: %v", r.Peer, r.Workload, r.SizeKey, r.Users, r.Err)
			continue
		}
		for _, x := range r.Runs {
			if x.Requests == 0 || x.Errors != 0 || x.DB != isSQLPeer(r.Peer) {
				t.Errorf("over HTTP %s %s %s=%d: %d requests, %d errors, database measured %v",
					r.Peer, r.Workload, r.SizeKey, r.Users, x.Requests, x.Errors, x.DB)
			}
		}
	}
	var out bytes.Buffer
	rep.WriteTable(&out)
	rep.WriteResults(&out)
	text := out.String()
	t.Logf("\n%s", text)
	keys := []string{"scimkit_ns", "bare_cpu_us", "elimity_cpu_us", "scimkit_cpu_us", "scimkit_allocs"}
	if slices.Contains(GroupPeers(), PeerSQLStore) {
		keys = append(keys, "sqlstore_cpu_us", "sqlstore_db_cpu_us", "sqldirect_db_cpu_us", "sqlstore_total_cpu_us")
	}
	for _, c := range groupCases(sizes) {
		resultLine(t, text, fmt.Sprintf("RESULT workload=%s %s=%d mode=http ", c.w.Name, c.w.SizeKey, c.size), keys...)
	}
	if !strings.Contains(text, "group targets over HTTP") || !strings.Contains(text, "W6 scimkit ≥ 10× elimity at 2000 members") {
		t.Error("no group targets over HTTP")
	}
}
