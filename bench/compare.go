package bench

import (
	"context"
	"flag"
	"fmt"
	"io"
	"runtime"
	"slices"
	"testing"
	"time"
)

// Options configures Compare. With InProcess set and nothing else, it
// runs every peer and workload in process at 10,000 and 100,000 users with
// the testing package's default benchtime, without the heap measurement
// and the over-HTTP comparison.
type Options struct {
	// InProcess runs the in-process benchmarks (testing.Benchmark around
	// ServeHTTP): a CPU-profile aid that leaves out net/http, not the
	// headline.
	InProcess bool
	// Sizes are the numbers of preloaded users. Default 10,000 and
	// 100,000.
	Sizes []int
	// Peers are the peers to compare, by name. Default Peers().
	Peers []string
	// Workloads are the workloads to time, by name. Default all.
	Workloads []string
	// BenchTime is go test's -benchtime for every benchmark: a duration
	// ("200ms") or an iteration count ("3x"). Default: testing's (1s).
	BenchTime string
	// SQLMaxUsers is the largest size at which the PostgreSQL peers run
	// (filling a table with a million rows takes minutes). Default
	// 100,000.
	SQLMaxUsers int
	// Rounds is how often every peer is built and timed at every size;
	// each cell keeps its fastest round, which on a machine shared with
	// other work is the one least disturbed. Default 1.
	Rounds int
	// HeapUsers, when not 0, measures the heap each in-memory store
	// holds per user at that many users.
	HeapUsers int
	// Groups, when not nil, runs the group workloads W6–W9 in process
	// (RunGroups) with BenchTime.
	Groups *GroupOptions
	// HTTP, when not nil, runs the over-HTTP comparison (RunHTTP): the
	// headline figures.
	HTTP *HTTPOptions
	// Progress receives a line per benchmark as it finishes; nil for none.
	Progress io.Writer
}

// Result is the timing of one workload against one peer at one size.
type Result struct {
	// Workload, Users and Peer say what was timed: a Workload name, the
	// number of preloaded users and a peer name.
	Workload string
	Users    int
	Peer     string
	// N is the number of requests timed (in the fastest round).
	N int
	// NsPerOp, AllocsPerOp and BytesPerOp are per request.
	NsPerOp     float64
	AllocsPerOp int64
	BytesPerOp  int64
	// Err is a wrong answer (or a failure to build the peer); the timing
	// is then meaningless.
	Err error
}

// Report is what Compare measured.
type Report struct {
	// Options are the options Compare ran with, defaults filled in.
	Options Options
	// Machine describes where it ran.
	Machine Machine
	// Results has one Result per workload, size and peer.
	Results []Result
	// Heap is the heap per user, when Options.HeapUsers was set.
	Heap []HeapResult
	// HTTP is the over-HTTP comparison's results, when Options.HTTP was
	// set, and HTTPOptions the options it ran with, defaults filled in.
	HTTP        []HTTPResult
	HTTPOptions HTTPOptions
	// Groups is the group workloads' results, when Options.Groups was
	// set, with the fixture's sizes and the peers that ran.
	Groups     []GroupResult
	GroupSizes GroupSizes
	GroupPeers []string
	// Elapsed is how long Compare took.
	Elapsed time.Duration
}

// Compare times every workload against every peer at every size with
// testing.Benchmark when o.InProcess is set, one peer at a time (so that
// one peer's heap does not slow another's garbage collection), then
// measures the heap and runs the over-HTTP comparison if asked to.
func Compare(ctx context.Context, o Options) (*Report, error) {
	start := time.Now()
	if len(o.Sizes) == 0 {
		o.Sizes = []int{10_000, 100_000}
	}
	if len(o.Peers) == 0 {
		o.Peers = Peers()
	}
	var workloads []*Workload
	for _, w := range Workloads() {
		if len(o.Workloads) == 0 || slices.Contains(o.Workloads, w.Name) {
			workloads = append(workloads, w)
		}
	}
	for _, name := range o.Workloads {
		if WorkloadNamed(name) == nil {
			return nil, fmt.Errorf("bench: no workload named %q", name)
		}
	}
	restore, err := setBenchTime(o.BenchTime)
	if err != nil {
		return nil, err
	}
	defer restore()

	o.Rounds = max(o.Rounds, 1)
	if o.SQLMaxUsers == 0 {
		o.SQLMaxUsers = 100_000
	}

	rep := &Report{Options: o, Machine: ThisMachine()}
	best := map[[3]string]int{} // workload, users, peer → index in rep.Results
	keep := func(r Result) {
		k := [3]string{r.Workload, fmt.Sprint(r.Users), r.Peer}
		i, ok := best[k]
		switch {
		case !ok:
			best[k] = len(rep.Results)
			rep.Results = append(rep.Results, r)
		case rep.Results[i].Err != nil:
		case r.Err != nil || r.NsPerOp < rep.Results[i].NsPerOp:
			rep.Results[i] = r
		}
	}
	for _, n := range o.Sizes {
		if !o.InProcess {
			break
		}
		for round := 1; round <= o.Rounds; round++ {
			for _, name := range o.Peers {
				if err := ctx.Err(); err != nil {
					return rep, err
				}
				if (name == PeerSQLStore || name == PeerSQLDirect) && n > o.SQLMaxUsers {
					continue
				}
				p, err := NewPeer(ctx, name, n)
				if err != nil {
					for _, w := range workloads {
						keep(Result{Workload: w.Name, Users: n, Peer: name, Err: err})
					}
					continue
				}
				for _, w := range workloads {
					if !p.Serves(w) {
						continue
					}
					r := benchmark(p, w)
					keep(r)
					if o.Progress != nil {
						fmt.Fprintf(o.Progress, "round %d/%d %-8s users=%-8d %-9s %s\n", round, o.Rounds, w.Name, n, name, r.cell())
					}
				}
				p.Close()
				p = nil
				runtime.GC()
			}
		}
	}
	if o.HeapUsers > 0 {
		rep.Heap, err = MeasureHeap(ctx, o.HeapUsers)
		if err != nil {
			return rep, err
		}
	}
	if o.Groups != nil {
		g := *o.Groups
		if len(g.Peers) == 0 {
			g.Peers = GroupPeers()
		}
		if len(g.Workloads) == 0 {
			g.Workloads = o.Workloads
		}
		rep.GroupSizes, rep.GroupPeers = g.Sizes.withDefaults(), g.Peers
		rep.Groups, err = RunGroups(ctx, g, func(r GroupResult) {
			if o.Progress != nil {
				fmt.Fprintf(o.Progress, "groups %-3s %s=%-7d %-9s %s\n", r.Workload, r.SizeKey, r.Size, r.Peer, r.cell())
			}
		})
		if err != nil {
			return rep, err
		}
	}
	if o.HTTP != nil {
		rep.HTTPOptions = o.HTTP.withDefaults()
		rep.HTTP, err = RunHTTP(ctx, rep.HTTPOptions)
		if err != nil {
			return rep, err
		}
	}
	rep.Machine.LoadAfter = loadAvg()
	rep.Elapsed = time.Since(start)
	return rep, nil
}

// benchmark times w against p with testing.Benchmark.
func benchmark(p *Peer, w *Workload) Result {
	br, ns, err := timeRun(func(b *testing.B) error { return run(b, p.Handler, w, peerGen(p, uint64(b.N))) })
	return Result{Workload: w.Name, Users: p.Users(), Peer: p.Name, N: br.N, NsPerOp: ns,
		AllocsPerOp: br.AllocsPerOp(), BytesPerOp: br.AllocedBytesPerOp(), Err: err}
}

// timeRun runs f with testing.Benchmark and returns its result, the time
// per request, and the wrong answer that stopped it (testing.Benchmark
// reports no failure of its own).
func timeRun(f func(b *testing.B) error) (testing.BenchmarkResult, float64, error) {
	var failed error
	br := testing.Benchmark(func(b *testing.B) {
		if err := f(b); err != nil {
			failed = err
			b.FailNow()
		}
	})
	if br.N == 0 {
		if failed == nil {
			failed = fmt.Errorf("the benchmark did not run")
		}
		return br, 0, failed
	}
	return br, float64(br.T.Nanoseconds()) / float64(br.N), failed
}

// setBenchTime sets testing's -test.benchtime, which testing.Benchmark
// reads, and returns a function that puts it back.
func setBenchTime(d string) (restore func(), err error) {
	f := flag.Lookup("test.benchtime")
	if f == nil {
		testing.Init()
		f = flag.Lookup("test.benchtime")
	}
	old := f.Value.String()
	if d != "" {
		if err := f.Value.Set(d); err != nil {
			return nil, fmt.Errorf("bench: benchtime %q: %w", d, err)
		}
	}
	return func() { f.Value.Set(old) }, nil
}

// HeapResult is the heap an in-memory store holds per user.
type HeapResult struct {
	// Store is the peer whose store was measured: scimkit (memstore),
	// bare or elimity.
	Store string
	// Users is the number of users loaded.
	Users int
	// BytesPerUser is the growth of the live heap, after a collection,
	// from before the store existed to after it held Users users, divided
	// by Users.
	BytesPerUser float64
}

// MeasureHeap loads n users into memstore, the bare handler's maps and
// elimity's handler, one at a time, and reports each one's live heap per
// user (runtime.ReadMemStats after a GC, before and after loading).
func MeasureHeap(ctx context.Context, n int) ([]HeapResult, error) {
	measure := func(load func() (any, error)) (float64, error) {
		before := liveHeap()
		v, err := load()
		if err != nil {
			return 0, err
		}
		after := liveHeap()
		runtime.KeepAlive(v)
		return float64(int64(after)-int64(before)) / float64(n), nil
	}
	var out []HeapResult
	for _, s := range []struct {
		name string
		load func() (any, error)
	}{
		{PeerScimkit, func() (any, error) {
			// Only the store: not the ids Peer keeps for its requests.
			store := newMemStore()
			for k := range n {
				if _, err := store.Create(ctx, seed(k)); err != nil {
					return nil, err
				}
			}
			return store, nil
		}},
		{PeerBare, func() (any, error) { return newBare(false, n).Handler, nil }},
		{PeerElimity, func() (any, error) {
			p, err := newElimity(n)
			if err != nil {
				return nil, err
			}
			return p.Handler, nil
		}},
	} {
		b, err := measure(s.load)
		if err != nil {
			return out, fmt.Errorf("bench: heap of %s: %w", s.name, err)
		}
		out = append(out, HeapResult{Store: s.name, Users: n, BytesPerUser: b})
	}
	return out, nil
}

func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
