package bench

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"text/tabwriter"
)

// httpRow is the over-HTTP results of one workload at one size, by peer:
// a user workload at a number of users, or a group workload's case.
type httpRow struct {
	workload string
	sizeKey  string // "users", "members" or "groups"
	users    int    // the size
	peers    []string
	byPeer   map[string]HTTPResult
}

// httpRows are the rows of the user workloads, by size, then those of the
// group workloads, by case.
func (rep *Report) httpRows() []httpRow {
	var rows []httpRow
	collect := func(w *Workload, n int, peers []string) {
		r := httpRow{workload: w.Name, sizeKey: sizeKey(w), users: n, peers: peers, byPeer: map[string]HTTPResult{}}
		for _, res := range rep.HTTP {
			if res.Workload == w.Name && res.Users == n {
				r.byPeer[res.Peer] = res
			}
		}
		if len(r.byPeer) > 0 {
			rows = append(rows, r)
		}
	}
	for _, n := range rep.HTTPOptions.Sizes {
		for _, w := range registry {
			collect(w, n, rep.HTTPOptions.Peers)
		}
	}
	if s := rep.HTTPOptions.Groups; s != nil {
		for _, c := range groupCases(*s) {
			collect(c.w, c.size, rep.HTTPOptions.GroupPeers)
		}
	}
	return rows
}

// cpu is peer's median CPU µs per request, server and database together
// (the server's alone for a peer without a database), NaN when missing or
// wrong.
func (r httpRow) cpu(peer string) float64 {
	res, ok := r.byPeer[peer]
	if !ok || res.Err != nil || len(res.Runs) == 0 {
		return math.NaN()
	}
	return res.TotalCPU().Med
}

// cpuRatio is a's CPU per request over b's: below 1, a costs less.
func (r httpRow) cpuRatio(a, b string) float64 { return r.cpu(a) / r.cpu(b) }

func formatStat(s stat, rounds int, f func(float64) string) string {
	if rounds <= 1 {
		return f(s.Med)
	}
	return f(s.Med) + " (" + f(s.Min) + "–" + f(s.Max) + ")"
}

func formatUs(v float64) string {
	if v >= 100 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.1f", v)
}

// writeHTTPTable writes the over-HTTP figures: per workload, size and
// peer, the server's CPU µs per request (the figure the targets use),
// requests per second, latency, the server's allocations per request,
// and the CPU ratios to bare and bare-pre.
func (rep *Report) writeHTTPTable(w io.Writer) {
	o := rep.HTTPOptions
	pinned := "server pinned to core 0, load generator to core 1 (taskset)"
	for _, res := range rep.HTTP {
		if len(res.Runs) > 0 && !res.Runs[0].Pinned {
			pinned = "NOT pinned to cores (no taskset, or one core)"
		}
		break
	}
	fmt.Fprintf(w, "over HTTP (the headline): each peer a separate process with GOMAXPROCS=1 on 127.0.0.1, %s;\n", pinned)
	fmt.Fprintf(w, "raw keep-alive HTTP/1.1 load generator, %d connections (1 for elimity's W2), %s warm-up, %s window, %d round(s), peer order rotated;\n",
		o.Conns, o.Warmup, o.Window, o.Rounds)
	fmt.Fprintf(w, "CPU is the server's utime+stime from /proc/PID/stat over the window per request; DB the CPU of the PostgreSQL backends serving\n")
	fmt.Fprintf(w, "its connections (sqlstore, sqldirect); ratios count both; median (min–max) over rounds\n\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "workload\tsize\tpeer\tCPU µs/req\tDB µs/req\tbusy\treq/s\tp50\tp99\tallocs/req\tGCs\tGC µs/req\tCPU/bare\tCPU/bare-pre\tpeak RSS\t\n")
	var errs []HTTPResult
	for _, r := range rep.httpRows() {
		for _, p := range r.peers {
			res, ok := r.byPeer[p]
			if !ok {
				continue
			}
			if res.Err != nil {
				errs = append(errs, res)
				fmt.Fprintf(tw, "%s\t%s=%d\t%s\terror\t\t\t\t\t\t\t\t\t\t\t\t\n", r.workload, r.sizeKey, r.users, p)
				continue
			}
			cpu := formatStat(res.CPU(), len(res.Runs), formatUs)
			if res.few() {
				cpu = "~" + cpu
			}
			db := "-"
			if res.Runs[0].DB {
				db = formatStat(res.DBCPU(), len(res.Runs), formatUs)
			}
			rss := int64(0)
			for _, x := range res.Runs {
				rss = max(rss, x.PeakRSSKB)
			}
			fmt.Fprintf(tw, "%s\t%s=%d\t%s\t%s\t%s\t%.0f%%\t%s\t%s\t%s\t%.1f\t%.0f\t%.1f\t%s\t%s\t%.0f MB\t\n", r.workload, r.sizeKey, r.users, p, cpu, db, res.Busy().Med*100,
				formatStat(res.RPS(), len(res.Runs), func(v float64) string { return fmt.Sprintf("%.0f", v) }),
				formatNs(res.P50().Med), formatNs(res.P99().Med), res.Allocs().Med, res.GCs().Med, res.GC().Med,
				formatRatio(r.cpuRatio(p, PeerBare)), formatRatio(r.cpuRatio(p, PeerBarePre)), float64(rss)/1024)
		}
	}
	tw.Flush()
	fmt.Fprintln(w, "busy: the server's CPU over the window (median), 100% when its core was saturated; below, the load generator or another")
	fmt.Fprintln(w, "process on a core held it back, and CPU per request reads higher (each request pays its own wake-up and poll)")
	fmt.Fprintln(w, "GCs: collections in the window (median); a window without one leaves out a cost later requests pay")
	fmt.Fprintln(w, "GC µs/req: a full collection's CPU (forced before each workload) × bytes allocated per request / live heap:")
	fmt.Fprintln(w, "the collection cost each request causes, amortised, whether or not its window held a cycle")
	fmt.Fprintln(w, "~: fewer than 200 answers in a window; that CPU figure is rough")
	if s := o.Groups; s != nil {
		fmt.Fprintf(w, "W6: PATCH /Groups/{id} adding one member, removing another (%d connections, each moving its own outsider pair);\n", min(o.Conns, s.Pairs))
		fmt.Fprintln(w, "W7: GET /Groups/{id}?excludedAttributes=members (elimity ignores it and sends every member); W8: GET /Groups/{id} with every member;")
		fmt.Fprintln(w, "W9: GET /Groups?excludedAttributes=members&filter=displayName eq \"…\"; elimity on 1 connection where it scans every member or group")
	}
	for _, e := range errs {
		fmt.Fprintf(w, "error: %s %s %s=%d: %v\n", e.Peer, e.Workload, sizeKey(WorkloadNamed(e.Workload)), e.Users, e.Err)
	}
}

// writeHTTPResults writes one RESULT line per workload and size of the
// over-HTTP comparison, in the format of the in-process lines plus
// mode=http:
//
//	RESULT workload=W1 users=10000 mode=http rounds=3 scimkit_ns=… bare_ns=… … scimkit_cpu_us=… bare_cpu_us=… bare_pre_cpu_us=… elimity_cpu_us=… … scimkit_vs_bare=…
//	RESULT workload=W6 members=100000 mode=http rounds=3 scimkit_ns=… … sqlstore_cpu_us=… sqlstore_db_cpu_us=… sqlstore_total_cpu_us=… … scimkit_vs_elimity=… sqlstore_vs_sqldirect=…
//
// (the group workloads say members=… or groups=… where the user
// workloads say users=…). There <peer>_ns is the server's CPU ns per
// request (the median), so that <a>_vs_<b> is, as in process, the
// requests per second of one core of a relative to b's;
// <peer>_cpu_us is the same in µs with <peer>_cpu_us_min and _max over
// the rounds; for sqlstore and sqldirect, <peer>_db_cpu_us (with _min and
// _max) is the CPU of the PostgreSQL backends serving the server's
// connections per request and <peer>_total_cpu_us the sum, which their
// _vs_ ratios use; <peer>_allocs and _bytes
// are the server's heap allocations per request (net/http's included);
// <peer>_rps, _p50_us and _p99_us are what the load generator saw, and
// <peer>_busy the server's share of its core over the window;
// <peer>_gc_us is the amortised collection CPU per request (HTTPRun.GCus).
func (rep *Report) writeHTTPResults(w io.Writer) {
	order := []string{PeerScimkit, PeerBare, PeerElimity, PeerBarePre, PeerSQLStore, PeerSQLDirect, PeerScimkitRFC, PeerScimkitActivity}
	for _, r := range rep.httpRows() {
		var b strings.Builder
		fmt.Fprintf(&b, "RESULT workload=%s %s=%d mode=http rounds=%d", r.workload, r.sizeKey, r.users, rep.HTTPOptions.Rounds)
		ok := func(p string) (HTTPResult, bool, bool) {
			res, there := r.byPeer[p]
			return res, there, there && res.Err == nil && len(res.Runs) > 0
		}
		for _, p := range order {
			if res, there, good := ok(p); good {
				fmt.Fprintf(&b, " %s_ns=%.0f", key(p), res.CPU().Med*1e3)
			} else if there {
				fmt.Fprintf(&b, " %s_ns=NaN %s_error=1", key(p), key(p))
			}
		}
		for _, p := range order {
			if res, _, good := ok(p); good {
				c := res.CPU()
				fmt.Fprintf(&b, " %s_cpu_us=%.2f %s_cpu_us_min=%.2f %s_cpu_us_max=%.2f", key(p), c.Med, key(p), c.Min, key(p), c.Max)
				if res.Runs[0].DB {
					d, t := res.DBCPU(), res.TotalCPU()
					fmt.Fprintf(&b, " %s_db_cpu_us=%.2f %s_db_cpu_us_min=%.2f %s_db_cpu_us_max=%.2f %s_total_cpu_us=%.2f",
						key(p), d.Med, key(p), d.Min, key(p), d.Max, key(p), t.Med)
				}
			}
		}
		for _, p := range order {
			if res, _, good := ok(p); good {
				fmt.Fprintf(&b, " %s_allocs=%.0f %s_bytes=%.0f %s_rps=%.0f %s_p50_us=%.0f %s_p99_us=%.0f %s_busy=%.2f %s_gc_us=%.2f",
					key(p), res.Allocs().Med, key(p), res.Bytes().Med, key(p), res.RPS().Med,
					key(p), res.P50().Med/1e3, key(p), res.P99().Med/1e3, key(p), res.Busy().Med, key(p), res.GC().Med)
			}
		}
		for _, rt := range ratios {
			if f := r.cpuRatio(rt[1], rt[0]); !math.IsNaN(f) {
				fmt.Fprintf(&b, " %s_vs_%s=%.3f", key(rt[0]), key(rt[1]), f)
			}
		}
		fmt.Fprintln(w, b.String())
	}
}

// HTTPTargets checks the over-HTTP figures against the targets on CPU
// per request: scimkit within 1.1× bare on every workload at every size,
// reads within 1.5× of bare-pre, the largest size (1,000,000 users)
// within 1.25× of 10,000, and sqlstore within 1.25× of the same queries
// through the driver, the RFC profile within 1.25× of the strict one
// (issue 13) and the activity sink within 1.03× of none (issue 16). Where a goal holds at every size, the worst size is
// shown.
func (rep *Report) HTTPTargets() []Target {
	rows := rep.httpRows()
	sizes := rep.HTTPOptions.Sizes
	find := func(w string, n int) (httpRow, bool) {
		for _, r := range rows {
			if r.workload == w && r.users == n {
				return r, true
			}
		}
		return httpRow{}, false
	}
	var out []Target
	// ceiling checks a's CPU over b's ≤ limit at every size.
	ceiling := func(goal, w, a, b string, limit float64) {
		t := Target{Goal: goal}
		worst, worstN, wa, wb := math.NaN(), 0, 0.0, 0.0
		for _, n := range sizes {
			r, ok := find(w, n)
			if !ok {
				continue
			}
			if v := r.cpuRatio(a, b); !math.IsNaN(v) && (math.IsNaN(worst) || v > worst) {
				worst, worstN, wa, wb = v, n, r.cpu(a), r.cpu(b)
			}
		}
		if !math.IsNaN(worst) {
			t.Known, t.Met = true, worst <= limit
			t.Measured = fmt.Sprintf("%.2f× at %d users (%s vs %s µs)", worst, worstN, formatUs(wa), formatUs(wb))
		}
		out = append(out, t)
	}
	base := slices.DeleteFunc(slices.Clone(registry), func(w *Workload) bool { return w.Base != "" })
	for _, w := range base {
		ceiling(w.Name+" scimkit CPU/request ≤ 1.1× bare (json.Marshal)", w.Name, PeerScimkit, PeerBare, 1.1)
	}
	for _, w := range base {
		if !w.Write {
			ceiling(w.Name+" scimkit CPU/request ≤ 1.5× bare-pre (the read limit)", w.Name, PeerScimkit, PeerBarePre, 1.5)
		}
	}
	for _, w := range base {
		t := Target{Goal: w.Name + " scimkit CPU/request at 1,000,000 users ≤ 1.25× at 10,000"}
		lo, okLo := find(w.Name, 10_000)
		hi, okHi := find(w.Name, 1_000_000)
		if okLo && okHi {
			if v := hi.cpu(PeerScimkit) / lo.cpu(PeerScimkit); !math.IsNaN(v) {
				t.Known, t.Met = true, v <= 1.25
				t.Measured = fmt.Sprintf("%.2f× (%s → %s µs)", v, formatUs(lo.cpu(PeerScimkit)), formatUs(hi.cpu(PeerScimkit)))
			}
		}
		out = append(out, t)
	}
	for _, w := range []string{"W1", "W2", "W4"} {
		ceiling(w+" sqlstore CPU/request (server + database) ≤ 1.25× the same queries through the driver (sqldirect)", w, PeerSQLStore, PeerSQLDirect, 1.25)
	}
	// Issue 13: the RFC profile within 0.8× of the strict profile's
	// throughput, i.e. at most 1.25× its CPU per request.
	for _, w := range []string{"W1", "W2"} {
		ceiling(w+" scimkit-rfc (ProfileRFC) CPU/request ≤ 1.25× scimkit (strict), i.e. ≥ 0.8× its throughput", w, PeerScimkitRFC, PeerScimkit, 1.25)
	}
	// Issue 13: projection costs no more than it saves: a projected
	// request (attributes=userName) at most the CPU of the same request
	// unprojected, in either profile.
	for _, w := range registry {
		if w.Base == "" {
			continue
		}
		for _, p := range []string{PeerScimkit, PeerScimkitRFC} {
			if !serves(p, w) {
				continue
			}
			t := Target{Goal: fmt.Sprintf("%s %s CPU/request ≤ 1.0× %s's (projection costs no more than it saves)", w.Name, p, w.Base)}
			worst, worstN, wa, wb := math.NaN(), 0, 0.0, 0.0
			for _, n := range sizes {
				a, okA := find(w.Name, n)
				b, okB := find(w.Base, n)
				if !okA || !okB {
					continue
				}
				if v := a.cpu(p) / b.cpu(p); !math.IsNaN(v) && (math.IsNaN(worst) || v > worst) {
					worst, worstN, wa, wb = v, n, a.cpu(p), b.cpu(p)
				}
			}
			if !math.IsNaN(worst) {
				t.Known, t.Met = true, worst <= 1.0
				t.Measured = fmt.Sprintf("%.2f× at %d users (%s vs %s µs)", worst, worstN, formatUs(wa), formatUs(wb))
			}
			out = append(out, t)
		}
	}
	// Issue 16: the activity sink within 3% of no sink.
	for _, w := range []string{"W1", "W5okta", "W5entra"} {
		ceiling(w+" scimkit-activity (Config.Activity) CPU/request ≤ 1.03× scimkit (within 3%)", w, PeerScimkitActivity, PeerScimkit, 1.03)
	}
	return out
}

// GroupHTTPTargets checks the over-HTTP group figures against issue 12's
// targets, on CPU per request (the server's and, for sqlstore and
// sqldirect, its database's): W6 and W7 at the big group within 1.25×
// their cost at the small one for memstore (scimkit) and sqlstore; W6
// scimkit at least 10× cheaper than elimity at the big group; sqlstore
// within 1.25× of the same statements through the driver (sqldirect), i.e.
// at least 0.8× its throughput, on every case.
func (rep *Report) GroupHTTPTargets() []Target {
	s := rep.HTTPOptions.Groups
	if s == nil || !slices.ContainsFunc(rep.HTTP, func(r HTTPResult) bool { return r.SizeKey != "" }) {
		return nil
	}
	rows := rep.httpRows()
	find := func(w *Workload, size int) httpRow {
		for _, r := range rows {
			if r.workload == w.Name && r.users == size {
				return r
			}
		}
		return httpRow{byPeer: map[string]HTTPResult{}}
	}
	var out []Target
	for _, w := range []*Workload{w6, w7} {
		for _, p := range []string{PeerScimkit, PeerSQLStore} {
			t := Target{Goal: fmt.Sprintf("%s %s CPU/request at %d members ≤ 1.25× at %d", w.Name, p, s.Big, s.Small)}
			lo, hi := find(w, s.Small).cpu(p), find(w, s.Big).cpu(p)
			if v := hi / lo; !math.IsNaN(v) {
				t.Known, t.Met, t.Measured = true, v <= 1.25, fmt.Sprintf("%.2f× (%s → %s µs)", v, formatUs(lo), formatUs(hi))
			}
			out = append(out, t)
		}
	}
	t := Target{Goal: fmt.Sprintf("W6 scimkit ≥ 10× elimity at %d members (elimity's CPU/request ÷ scimkit's)", s.Big)}
	if r := find(w6, s.Big); !math.IsNaN(r.cpuRatio(PeerElimity, PeerScimkit)) {
		v := r.cpuRatio(PeerElimity, PeerScimkit)
		t.Known, t.Met, t.Measured = true, v >= 10, fmt.Sprintf("%.1f× (%s vs %s µs)", v, formatUs(r.cpu(PeerElimity)), formatUs(r.cpu(PeerScimkit)))
	}
	out = append(out, t)
	for _, c := range groupCases(*s) {
		t := Target{Goal: fmt.Sprintf("%s %s=%d sqlstore CPU/request (server + database) ≤ 1.25× sqldirect (≥ 0.8× its throughput)", c.w.Name, c.w.SizeKey, c.size)}
		r := find(c.w, c.size)
		if v := r.cpuRatio(PeerSQLStore, PeerSQLDirect); !math.IsNaN(v) {
			t.Known, t.Met, t.Measured = true, v <= 1.25, fmt.Sprintf("%.2f× (%s vs %s µs)", v, formatUs(r.cpu(PeerSQLStore)), formatUs(r.cpu(PeerSQLDirect)))
		}
		out = append(out, t)
	}
	return out
}

func writeTargetTable(w io.Writer, targets []Target) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "target\tmeasured\tverdict")
	for _, t := range targets {
		verdict := "met"
		switch {
		case !t.Known:
			verdict, t.Measured = "not measured", "-"
		case !t.Met:
			verdict = "MISSED"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", t.Goal, t.Measured, verdict)
	}
	tw.Flush()
}
