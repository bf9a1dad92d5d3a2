package bench

import (
	"context"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"testing"
	"text/tabwriter"
)

// runGroup times c against p in process, as Run does the user workloads;
// after the first W6 round on the small group it checks that the PATCHes
// really moved the outsiders.
func runGroup(b *testing.B, p *groupPeer, c groupCase) error {
	if err := run(b, p.handler, c.w, p.gen(c, uint64(b.N))); err != nil {
		return fmt.Errorf("%s %s %s=%d: %w", p.name, c.w.Name, c.w.SizeKey, c.size, err)
	}
	if c.w == w6 && c.size == p.fix.Sizes.Small && !p.checkedMembership {
		b.StopTimer()
		defer b.StartTimer()
		if err := p.checkMembership(); err != nil {
			return err
		}
		p.checkedMembership = true
	}
	return nil
}

// GroupResult is the timing of one group workload at one size against one
// peer.
type GroupResult struct {
	// Workload is W6…W9; SizeKey says what Size counts: "members" (W6, W7,
	// W8) or "groups" (W9).
	Workload, SizeKey string
	Size              int
	Peer              string
	N                 int
	// NsPerOp, AllocsPerOp and BytesPerOp are per request.
	NsPerOp     float64
	AllocsPerOp int64
	BytesPerOp  int64
	// Err is a wrong answer or a failure to build the peer.
	Err error
}

// GroupOptions configures the group comparison.
type GroupOptions struct {
	// Sizes are the fixture's sizes (defaults: 10 and 100,000 members,
	// 10,000 for W8, 10,000 groups).
	Sizes GroupSizes
	// Peers are the group peers, by name. Default GroupPeers().
	Peers []string
	// Workloads are the workloads to time, by name; those that are not
	// group workloads are ignored. Default all.
	Workloads []string
}

// RunGroups times every group workload against every group peer in
// process, one peer at a time, with testing.Benchmark (its benchtime is
// Compare's).
func RunGroups(ctx context.Context, o GroupOptions, progress func(GroupResult)) ([]GroupResult, error) {
	if len(o.Peers) == 0 {
		o.Peers = GroupPeers()
	}
	var out []GroupResult
	for _, name := range o.Peers {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		p, err := newGroupPeer(ctx, name, o.Sizes)
		cases := groupCases(o.Sizes)
		if err != nil {
			for _, c := range cases {
				out = append(out, GroupResult{Workload: c.w.Name, SizeKey: c.w.SizeKey, Size: c.size, Peer: name, Err: err})
			}
			continue
		}
		for _, c := range cases {
			if len(o.Workloads) > 0 && !slices.Contains(o.Workloads, c.w.Name) {
				continue
			}
			br, ns, err := timeRun(func(b *testing.B) error { return runGroup(b, p, c) })
			r := GroupResult{Workload: c.w.Name, SizeKey: c.w.SizeKey, Size: c.size, Peer: name, N: br.N,
				NsPerOp: ns, AllocsPerOp: br.AllocsPerOp(), BytesPerOp: br.AllocedBytesPerOp(), Err: err}
			out = append(out, r)
			if progress != nil {
				progress(r)
			}
		}
		if p.close != nil {
			if err := p.close(); err != nil {
				return out, err
			}
		}
	}
	return out, nil
}

// groupOrder is the order of the peers in group RESULT lines.
var groupOrder = []string{PeerScimkit, PeerBare, PeerElimity, PeerSQLStore, PeerSQLDirect}

// groupRatios are the throughput ratios the group table and RESULT lines
// show.
var groupRatios = [][2]string{{PeerScimkit, PeerBare}, {PeerScimkit, PeerElimity}, {PeerSQLStore, PeerSQLDirect}}

// groupRow is the results of one group workload at one size, by peer.
type groupRow struct {
	c      groupCase
	byPeer map[string]GroupResult
}

func (rep *Report) groupRows() []groupRow {
	var rows []groupRow
	for _, c := range groupCases(rep.GroupSizes) {
		r := groupRow{c: c, byPeer: map[string]GroupResult{}}
		for _, res := range rep.Groups {
			if res.Workload == c.w.Name && res.Size == c.size {
				r.byPeer[res.Peer] = res
			}
		}
		if len(r.byPeer) > 0 {
			rows = append(rows, r)
		}
	}
	return rows
}

// ns is peer's time per request, NaN when missing or wrong.
func (r groupRow) ns(peer string) float64 {
	res, ok := r.byPeer[peer]
	if !ok || res.Err != nil || res.NsPerOp == 0 {
		return math.NaN()
	}
	return res.NsPerOp
}

// speedup is a's throughput over b's.
func (r groupRow) speedup(a, b string) float64 { return r.ns(b) / r.ns(a) }

func (r GroupResult) cell() string {
	if r.Err != nil {
		return "error"
	}
	return fmt.Sprintf("%s %da", formatNs(r.NsPerOp), r.AllocsPerOp)
}

// writeGroupTable writes the group workloads' in-process table.
func (rep *Report) writeGroupTable(w io.Writer) {
	fmt.Fprintf(w, "groups in process (issue 12; ServeHTTP without net/http): time and allocations per request; ratios are throughput, higher is better for the first\n\n")
	peers := rep.GroupPeers
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "workload\tsize\t")
	for _, p := range peers {
		fmt.Fprintf(tw, "%s\t", p)
	}
	for _, rt := range groupRatios {
		fmt.Fprintf(tw, "%s/%s\t", rt[0], rt[1])
	}
	fmt.Fprintln(tw)
	var errs []GroupResult
	for _, r := range rep.groupRows() {
		fmt.Fprintf(tw, "%s\t%s=%d\t", r.c.w.Name, r.c.w.SizeKey, r.c.size)
		for _, p := range peers {
			res, ok := r.byPeer[p]
			if !ok {
				fmt.Fprint(tw, "-\t")
				continue
			}
			if res.Err != nil {
				errs = append(errs, res)
			}
			fmt.Fprintf(tw, "%s\t", res.cell())
		}
		for _, rt := range groupRatios {
			fmt.Fprintf(tw, "%s\t", formatRatio(r.speedup(rt[0], rt[1])))
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	fmt.Fprintln(w, "W6: PATCH add one member, remove another; W7: GET /Groups/{id}?excludedAttributes=members (elimity ignores it and sends every member);")
	fmt.Fprintln(w, "W8: GET /Groups/{id} with every member; W9: GET /Groups?excludedAttributes=members&filter=displayName eq \"…\"")
	for _, e := range errs {
		fmt.Fprintf(w, "error: %s %s %s=%d: %v\n", e.Peer, e.Workload, e.SizeKey, e.Size, e.Err)
	}
}

// writeGroupResults writes one RESULT line per group workload and size,
//
//	RESULT workload=W6 members=100000 scimkit_ns=… bare_ns=… elimity_ns=… sqlstore_ns=… sqldirect_ns=… scimkit_allocs=… … scimkit_vs_bare=… scimkit_vs_elimity=… sqlstore_vs_sqldirect=…
//
// (groups=… instead of members=… for W9), in the format of the user
// workloads' in-process lines.
func (rep *Report) writeGroupResults(w io.Writer) {
	for _, r := range rep.groupRows() {
		var b strings.Builder
		fmt.Fprintf(&b, "RESULT workload=%s %s=%d", r.c.w.Name, r.c.w.SizeKey, r.c.size)
		for _, p := range groupOrder {
			if res, ok := r.byPeer[p]; ok && res.Err == nil {
				fmt.Fprintf(&b, " %s_ns=%.0f", key(p), res.NsPerOp)
			} else if ok {
				fmt.Fprintf(&b, " %s_ns=NaN %s_error=1", key(p), key(p))
			}
		}
		for _, p := range groupOrder {
			if res, ok := r.byPeer[p]; ok && res.Err == nil {
				fmt.Fprintf(&b, " %s_allocs=%d %s_bytes=%d", key(p), res.AllocsPerOp, key(p), res.BytesPerOp)
			}
		}
		for _, rt := range groupRatios {
			if f := r.speedup(rt[0], rt[1]); !math.IsNaN(f) {
				fmt.Fprintf(&b, " %s_vs_%s=%.3f", key(rt[0]), key(rt[1]), f)
			}
		}
		fmt.Fprintln(w, b.String())
	}
}

// GroupTargets checks the group figures against issue 12's targets: W6
// and W7 at the big group within 1.25× their time at the small one for
// memstore and sqlstore; W6 scimkit ≥ 10× elimity's throughput at the big
// group; sqlstore ≥ 0.8× the direct-SQL peer's throughput (time ≤ 1.25×
// its time) on every group workload.
func (rep *Report) GroupTargets() []Target {
	s := rep.GroupSizes.withDefaults()
	rows := rep.groupRows()
	find := func(w string, size int) groupRow {
		for _, r := range rows {
			if r.c.w.Name == w && r.c.size == size {
				return r
			}
		}
		return groupRow{byPeer: map[string]GroupResult{}}
	}
	var out []Target
	for _, w := range []string{GroupW6, GroupW7} {
		for _, p := range []string{PeerScimkit, PeerSQLStore} {
			t := Target{Goal: fmt.Sprintf("%s %s time at %d members ≤ 1.25× at %d", w, p, s.Big, s.Small)}
			lo, hi := find(w, s.Small).ns(p), find(w, s.Big).ns(p)
			if v := hi / lo; !math.IsNaN(v) {
				t.Known, t.Met, t.Measured = true, v <= 1.25, fmt.Sprintf("%.2f× (%s → %s)", v, formatNs(lo), formatNs(hi))
			}
			out = append(out, t)
		}
	}
	t := Target{Goal: fmt.Sprintf("W6 scimkit ≥ 10× elimity throughput at %d members", s.Big)}
	if v := find(GroupW6, s.Big).speedup(PeerScimkit, PeerElimity); !math.IsNaN(v) {
		t.Known, t.Met, t.Measured = true, v >= 10, fmt.Sprintf("%.1f×", v)
	}
	out = append(out, t)
	for _, c := range groupCases(s) {
		t := Target{Goal: fmt.Sprintf("%s %s=%d sqlstore ≥ 0.8× sqldirect throughput (time ≤ 1.25×)", c.w.Name, c.w.SizeKey, c.size)}
		if v := find(c.w.Name, c.size).speedup(PeerSQLStore, PeerSQLDirect); !math.IsNaN(v) {
			t.Known, t.Met, t.Measured = true, v >= 0.8, fmt.Sprintf("%.2f×", v)
		}
		out = append(out, t)
	}
	return out
}
