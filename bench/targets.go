package bench

import (
	"fmt"
	"io"
	"math"
	"slices"
)

// Target is one of the speed and size goals of BENCHMARKS.md, checked
// against a Report. Tests never assert them: on a shared machine only
// ratios from one run mean anything, and only in BENCHMARKS.md.
type Target struct {
	// Goal says what is wanted, e.g. "W1 scimkit ≥ 0.8× bare".
	Goal string
	// Measured is the figure, e.g. "1.30× at 1000000 users".
	Measured string
	// Met is false when the goal was missed; Known is false when the
	// Report lacks the figures.
	Met, Known bool
}

// Targets checks the Report against BENCHMARKS.md's goals. Where a goal
// holds at every size, the worst size is the one shown.
func (rep *Report) Targets() []Target {
	rows := rep.rows()
	find := func(w string, n int) (row, bool) {
		for _, r := range rows {
			if r.workload == w && r.users == n {
				return r, true
			}
		}
		return row{}, false
	}
	ns := func(w string, n int, peer string) float64 {
		r, ok := find(w, n)
		if !ok {
			return math.NaN()
		}
		res, ok := r.byPeer[peer]
		if !ok || res.Err != nil {
			return math.NaN()
		}
		return res.NsPerOp
	}
	sizes := rep.Options.Sizes
	var out []Target
	// worst checks f ≥ min (or ≤ max when below) at every size in sizes
	// and reports the worst.
	worst := func(goal string, sizes []int, f func(n int) float64, limit float64, below bool) {
		t := Target{Goal: goal}
		worstV, worstN := math.NaN(), 0
		for _, n := range sizes {
			v := f(n)
			if math.IsNaN(v) {
				continue
			}
			if math.IsNaN(worstV) || (!below && v < worstV) || (below && v > worstV) {
				worstV, worstN = v, n
			}
		}
		if !math.IsNaN(worstV) {
			t.Known = true
			t.Met = (!below && worstV >= limit) || (below && worstV <= limit)
			t.Measured = fmt.Sprintf("%.2f× at %d users", worstV, worstN)
		}
		out = append(out, t)
	}
	speedup := func(w, a, b string) func(int) float64 {
		return func(n int) float64 { return ns(w, n, b) / ns(w, n, a) }
	}
	at100k := []int{}
	for _, n := range sizes {
		if n == 100_000 {
			at100k = append(at100k, n)
		}
	}
	worst("W1 scimkit ≥ 0.8× bare (json.Marshal) throughput", sizes, speedup("W1", PeerScimkit, PeerBare), 0.8, false)
	worst("W2 scimkit ≥ 0.7× bare throughput at 100,000 users", at100k, speedup("W2", PeerScimkit, PeerBare), 0.7, false)
	worst("W2 scimkit ≥ 10× elimity throughput at 100,000 users", at100k, speedup("W2", PeerScimkit, PeerElimity), 10, false)
	if len(sizes) > 1 {
		lo, hi := sizes[0], sizes[len(sizes)-1]
		for _, w := range []string{"W2", "W3"} {
			t := Target{Goal: fmt.Sprintf("%s scimkit flat: time at %d users ≤ 1.5× time at %d", w, hi, lo)}
			if v := ns(w, hi, PeerScimkit) / ns(w, lo, PeerScimkit); !math.IsNaN(v) {
				t.Known, t.Met, t.Measured = true, v <= 1.5, fmt.Sprintf("%.2f× (%s → %s)", v, formatNs(ns(w, lo, PeerScimkit)), formatNs(ns(w, hi, PeerScimkit)))
			}
			out = append(out, t)
		}
	}
	for _, w := range []string{"W4", "W5okta", "W5entra"} {
		worst(w+" scimkit ≥ 3× elimity throughput", sizes, speedup(w, PeerScimkit, PeerElimity), 3, false)
	}
	worst("W5entra (Entra's four-op PATCH) scimkit time ≤ 2× its W1 time", sizes, func(n int) float64 {
		return ns("W5entra", n, PeerScimkit) / ns("W1", n, PeerScimkit)
	}, 2, true)
	t := Target{Goal: "memstore live heap ≤ 1 KB per user at 1,000,000 users"}
	for _, h := range rep.Heap {
		if h.Store == PeerScimkit {
			t.Known, t.Met = true, h.BytesPerUser <= 1024
			t.Measured = fmt.Sprintf("%.0f B at %d users", h.BytesPerUser, h.Users)
		}
	}
	out = append(out, t)
	for _, w := range []string{"W1", "W2"} {
		worst(w+" sqlstore ≥ 0.8× the same queries through the driver (sqldirect)", sizes, speedup(w, PeerSQLStore, PeerSQLDirect), 0.8, false)
	}
	for _, w := range []string{"W1", "W2"} {
		worst(w+" scimkit-rfc (ProfileRFC) ≥ 0.8× scimkit (strict) throughput", sizes, speedup(w, PeerScimkitRFC, PeerScimkit), 0.8, false)
	}
	for _, w := range []string{"W1", "W5okta", "W5entra"} {
		worst(w+" scimkit-activity (Config.Activity) ≥ 0.97× scimkit throughput (within 3%)", sizes, speedup(w, PeerScimkitActivity, PeerScimkit), 0.97, false)
	}
	return out
}

// WriteTargets writes the over-HTTP targets (HTTPTargets) and the
// in-process ones (Targets), each group when its figures were measured,
// as tables with a verdict for each.
func (rep *Report) WriteTargets(w io.Writer) {
	if len(rep.HTTP) > 0 {
		users := slices.ContainsFunc(rep.HTTP, func(r HTTPResult) bool { return r.SizeKey == "" })
		if users {
			fmt.Fprintln(w, "targets over HTTP (server CPU per request, with the database's for sqlstore and sqldirect; medians):")
			writeTargetTable(w, rep.HTTPTargets())
		}
		if g := rep.GroupHTTPTargets(); len(g) > 0 {
			if users {
				fmt.Fprintln(w)
			}
			fmt.Fprintln(w, "group targets over HTTP (issue 12; CPU per request, the server's and its database's; medians):")
			writeTargetTable(w, g)
		}
	}
	if len(rep.Results) > 0 || len(rep.Heap) > 0 {
		if len(rep.HTTP) > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintln(w, "targets in process:")
		writeTargetTable(w, rep.Targets())
	}
	if len(rep.Groups) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "group targets in process (issue 12; time per request):")
		writeTargetTable(w, rep.GroupTargets())
	}
}
