package bench

import (
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// Machine describes where a Report was measured.
type Machine struct {
	CPUs      int    // runtime.NumCPU, as nproc counts
	CPUModel  string // "model name" in /proc/cpuinfo
	GoVersion string
	// LoadBefore and LoadAfter are /proc/loadavg when the comparison
	// started and ended: other work on the machine skews the figures.
	LoadBefore, LoadAfter string
	// Taskset says whether taskset is available to pin the load test's
	// server and client to different cores.
	Taskset bool
}

// ThisMachine describes the machine it runs on.
func ThisMachine() Machine {
	m := Machine{CPUs: runtime.NumCPU(), GoVersion: runtime.Version(), LoadBefore: loadAvg()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.SplitSeq(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPUModel = strings.TrimSpace(v)
				break
			}
		}
	}
	_, err := exec.LookPath("taskset")
	m.Taskset = err == nil
	return m
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(b))
}

// key is a peer's name in RESULT lines: bare-pre becomes bare_pre.
func key(peer string) string { return strings.ReplaceAll(peer, "-", "_") }

func (r Result) cell() string {
	if r.Err != nil {
		return "error"
	}
	return fmt.Sprintf("%s %da", formatNs(r.NsPerOp), r.AllocsPerOp)
}

func formatNs(ns float64) string {
	switch {
	case ns < 1e3:
		return fmt.Sprintf("%.0fns", ns)
	case ns < 1e6:
		return fmt.Sprintf("%.1fµs", ns/1e3)
	case ns < 1e9:
		return fmt.Sprintf("%.2fms", ns/1e6)
	}
	return fmt.Sprintf("%.2fs", ns/1e9)
}

// row is the results of one workload at one size, by peer.
type row struct {
	workload string
	users    int
	byPeer   map[string]Result
}

func (rep *Report) rows() []row {
	var rows []row
	for _, n := range rep.Options.Sizes {
		for _, wl := range registry {
			w := wl.Name
			r := row{workload: w, users: n, byPeer: map[string]Result{}}
			for _, res := range rep.Results {
				if res.Workload == w && res.Users == n {
					r.byPeer[res.Peer] = res
				}
			}
			if len(r.byPeer) > 0 {
				rows = append(rows, r)
			}
		}
	}
	return rows
}

// speedup is how many times faster a is than b (b's time over a's), NaN
// when either is missing or wrong.
func (r row) speedup(a, b string) float64 {
	ra, oka := r.byPeer[a]
	rb, okb := r.byPeer[b]
	if !oka || !okb || ra.Err != nil || rb.Err != nil || ra.NsPerOp == 0 {
		return math.NaN()
	}
	return rb.NsPerOp / ra.NsPerOp
}

// ratios are the comparisons the table and the RESULT lines show: the
// throughput of the first peer relative to the second's.
var ratios = [][2]string{{PeerScimkit, PeerBare}, {PeerScimkit, PeerElimity}, {PeerSQLStore, PeerSQLDirect}, {PeerScimkitRFC, PeerScimkit}, {PeerScimkitActivity, PeerScimkit}}

// WriteTable writes what the Report measured: the machine, the over-HTTP
// table (the headline), the in-process table (time and allocations per
// request, and scimkit's throughput relative to bare's and elimity's:
// 2.0× means twice as many requests per second), the heap per user, and
// the targets with their verdicts.
func (rep *Report) WriteTable(w io.Writer) {
	m := rep.Machine
	fmt.Fprintf(w, "machine: %d CPUs, %s, %s; load average before %s, after %s\n\n", m.CPUs, m.CPUModel, m.GoVersion, m.LoadBefore, m.LoadAfter)
	if len(rep.HTTP) > 0 {
		rep.writeHTTPTable(w)
		fmt.Fprintln(w)
	}
	if len(rep.Results) > 0 {
		rep.writeInProcessTable(w)
		fmt.Fprintln(w)
	}
	if len(rep.Groups) > 0 {
		rep.writeGroupTable(w)
		fmt.Fprintln(w)
	}
	if len(rep.Heap) > 0 {
		fmt.Fprintf(w, "live heap per user at %d users:", rep.Heap[0].Users)
		for _, h := range rep.Heap {
			fmt.Fprintf(w, " %s %.0f B;", h.Store, h.BytesPerUser)
		}
		fmt.Fprint(w, "\n\n")
	}
	rep.WriteTargets(w)
	fmt.Fprintf(w, "\nelapsed %s\n", rep.Elapsed.Round(time.Second))
}

func (rep *Report) writeInProcessTable(w io.Writer) {
	fmt.Fprintf(w, "in process (a CPU-profile aid, not the headline: ServeHTTP without net/http): time and allocations per request; ratios are throughput, higher is better for the first\n\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "workload\tusers\t")
	for _, p := range rep.Options.Peers {
		fmt.Fprintf(tw, "%s\t", p)
	}
	var shown [][2]string
	for _, rt := range ratios {
		if slices.Contains(rep.Options.Peers, rt[0]) && slices.Contains(rep.Options.Peers, rt[1]) {
			shown = append(shown, rt)
			fmt.Fprintf(tw, "%s/%s\t", rt[0], rt[1])
		}
	}
	fmt.Fprintln(tw)
	var errs []Result
	for _, r := range rep.rows() {
		fmt.Fprintf(tw, "%s\t%d\t", r.workload, r.users)
		for _, p := range rep.Options.Peers {
			res, ok := r.byPeer[p]
			switch {
			case !ok:
				fmt.Fprint(tw, "-\t")
			default:
				if res.Err != nil {
					errs = append(errs, res)
				}
				fmt.Fprintf(tw, "%s\t", res.cell())
			}
		}
		for _, rt := range shown {
			fmt.Fprintf(tw, "%s\t", formatRatio(r.speedup(rt[0], rt[1])))
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	for _, e := range errs {
		fmt.Fprintf(w, "error: %s %s users=%d: %v\n", e.Peer, e.Workload, e.Users, e.Err)
	}
}

func formatRatio(f float64) string {
	if math.IsNaN(f) {
		return "-"
	}
	if f >= 10 {
		return fmt.Sprintf("%.0f×", f)
	}
	return fmt.Sprintf("%.2f×", f)
}

// WriteResults writes one machine-readable line per workload and size,
//
//	RESULT workload=W2 users=100000 scimkit_ns=… bare_ns=… elimity_ns=… scimkit_allocs=… …
//
// with ns, allocs and bytes per request for every peer (NaN and
// <peer>_error=1 for a wrong answer) and the throughput ratios
// scimkit_vs_bare, scimkit_vs_elimity and sqlstore_vs_sqldirect; then a
// line for the heap per user; then the over-HTTP lines, with mode=http
// (see writeHTTPResults).
func (rep *Report) WriteResults(w io.Writer) {
	order := []string{PeerScimkit, PeerBare, PeerElimity, PeerBarePre, PeerSQLStore, PeerSQLDirect, PeerScimkitRFC, PeerScimkitActivity}
	for _, r := range rep.rows() {
		var b strings.Builder
		fmt.Fprintf(&b, "RESULT workload=%s users=%d", r.workload, r.users)
		for _, p := range order {
			if res, ok := r.byPeer[p]; ok && res.Err == nil {
				fmt.Fprintf(&b, " %s_ns=%.0f", key(p), res.NsPerOp)
			} else if ok {
				fmt.Fprintf(&b, " %s_ns=NaN %s_error=1", key(p), key(p))
			}
		}
		for _, p := range order {
			if res, ok := r.byPeer[p]; ok && res.Err == nil {
				fmt.Fprintf(&b, " %s_allocs=%d %s_bytes=%d", key(p), res.AllocsPerOp, key(p), res.BytesPerOp)
			}
		}
		for _, rt := range ratios {
			if f := r.speedup(rt[0], rt[1]); !math.IsNaN(f) {
				fmt.Fprintf(&b, " %s_vs_%s=%.3f", key(rt[0]), key(rt[1]), f)
			}
		}
		fmt.Fprintln(w, b.String())
	}
	if len(rep.Heap) > 0 {
		fmt.Fprintf(w, "RESULT workload=heap users=%d", rep.Heap[0].Users)
		for _, h := range rep.Heap {
			fmt.Fprintf(w, " %s_bytes_per_user=%.0f", key(h.Store), h.BytesPerUser)
		}
		fmt.Fprintln(w)
	}
	rep.writeGroupResults(w)
	rep.writeHTTPResults(w)
}
