package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// HTTPOptions configures the over-HTTP comparison, the headline figures.
// Each peer is a child process of Executable serving on 127.0.0.1 with
// GOMAXPROCS=1, pinned to core 0 with taskset; the load generator is
// another child, pinned to core 1. Its zero value (with Executable set)
// runs every peer and workload at 10,000 and 100,000 users, one round,
// 16 connections, 0.5 s of warm-up and a 1.5 s window.
type HTTPOptions struct {
	// Executable is a binary that calls RunChild first thing (as
	// cmd/compare and this package's tests do). Required.
	Executable string
	// Sizes are the numbers of preloaded users. Default 10,000 and
	// 100,000.
	Sizes []int
	// Peers are the peers to load, by name. Default Peers().
	Peers []string
	// Workloads are the workloads to send, by name, the group ones
	// included. Default all.
	Workloads []string
	// Groups, when not nil, also runs the group workloads W6–W9 against
	// GroupPeers, each server holding the group fixture of these sizes
	// (defaults filled in).
	Groups *GroupSizes
	// GroupPeers are the group peers, by name. Default GroupPeers().
	GroupPeers []string
	// MemoryOnlyAbove: at sizes above it only the in-memory peers that
	// the targets compare (bare-pre, bare and scimkit) run; elimity's
	// filters scan every user (1.7 s a request at 1,000,000) and filling
	// PostgreSQL takes minutes. Default 100,000.
	MemoryOnlyAbove int
	// Rounds is how many times every size runs, each round starting every
	// server afresh with the peer order rotated by one. Default 1.
	Rounds int
	// Warmup and Window are the unmeasured and the measured time of each
	// run. Default 0.5 s and 1.5 s.
	Warmup, Window time.Duration
	// Conns is the number of keep-alive connections, each with one
	// request in flight. Default 16.
	Conns int
	// CheckEvery: each connection checks the body of its first response
	// and of every CheckEvery-th after it. Default 50.
	CheckEvery int
	// ProfileDir, when set, makes every server write a CPU profile of
	// each window to ProfileDir/<peer>-<workload>-<users>-r<round>.pprof.
	ProfileDir string
	// Progress receives a line per run as it finishes; nil for none.
	Progress io.Writer
}

func (o HTTPOptions) withDefaults() HTTPOptions {
	if len(o.Sizes) == 0 {
		o.Sizes = []int{10_000, 100_000}
	}
	if len(o.Peers) == 0 {
		o.Peers = Peers()
	}
	if len(o.Workloads) == 0 {
		for _, w := range append(slices.Clone(registry), groupRegistry...) {
			o.Workloads = append(o.Workloads, w.Name)
		}
	}
	if o.Groups != nil {
		s := o.Groups.withDefaults()
		o.Groups = &s
		if len(o.GroupPeers) == 0 {
			o.GroupPeers = GroupPeers()
		}
	}
	if o.MemoryOnlyAbove == 0 {
		o.MemoryOnlyAbove = 100_000
	}
	o.Rounds = max(o.Rounds, 1)
	if o.Warmup == 0 {
		o.Warmup = 500 * time.Millisecond
	}
	if o.Window == 0 {
		o.Window = 1500 * time.Millisecond
	}
	if o.Conns == 0 {
		o.Conns = 16
	}
	if o.CheckEvery == 0 {
		o.CheckEvery = 50
	}
	return o
}

// runsAt reports whether peer runs at n users.
func (o HTTPOptions) runsAt(peer string, n int) bool {
	if n <= o.MemoryOnlyAbove {
		return true
	}
	return peer == PeerBarePre || peer == PeerBare || peer == PeerScimkit
}

// connsFor is the number of connections for peer and w at size (s is
// the group fixture, for a group workload): one where elimity scans every
// user or member (its userName filter, its displayName filter, its GET
// and PATCH of a large group); with more, the one core shares itself
// among all the scans in flight and a window sees few or no answers, so
// CPU per request cannot be told. W6 sends from one connection per
// outsider pair at most, so that each moves its own.
func connsFor(peer string, w *Workload, size, conns int, s GroupSizes) int {
	if peer == PeerElimity && (w == w2 || w.SizeKey != "" && size != s.Small) {
		return 1
	}
	if w == w6 {
		return min(conns, s.Pairs)
	}
	return conns
}

// HTTPRun is one workload sent to one peer over loopback in one round.
type HTTPRun struct {
	Peer     string
	Workload string
	// Users is the number of preloaded users of a user workload; for a
	// group workload, the size of its case, which SizeKey names.
	Users   int
	SizeKey string
	Round   int
	Conns   int
	// Requests were answered in the window; Errors counts wrong statuses,
	// failed body checks and broken connections in the warm-up and the
	// window, FirstError describes the first.
	Requests   int
	Errors     int
	FirstError string
	Window     time.Duration
	// RPS is Requests per second of the window.
	RPS float64
	// P50 and P99 are latency percentiles as the client saw them.
	P50, P99 time.Duration
	// CPUus is the server's CPU time (utime+stime from /proc/PID/stat)
	// over the window divided by Requests, in µs.
	CPUus float64
	// DB says the peer's database was measured (sqlstore, sqldirect):
	// DBCPUus is the CPU time of the PostgreSQL backends serving the
	// server's connections over the window divided by Requests, in µs.
	DB      bool
	DBCPUus float64
	// Busy is the server's CPU time over the window divided by the
	// window: near 1, the one core it may use was saturated; well below,
	// the load generator (or another process on its core) held it back,
	// and each request pays its own wake-up and poll, so CPU per request
	// reads higher than at saturation.
	Busy float64
	// Allocs and Bytes are the server's heap allocations per request over
	// the window (net/http's included); GCs the collections in it.
	Allocs, Bytes float64
	GCs           uint32
	// FullGC is the CPU time of the full collection the server runs
	// before each workload (so that none started by the previous one is
	// charged to it), HeapLive the live heap after it.
	FullGC   time.Duration
	HeapLive uint64
	// GCus estimates the collection CPU each request causes, amortised:
	// with GOGC=100 a cycle comes every HeapLive bytes allocated, so
	// FullGC × Bytes / HeapLive. A window at 1,000,000 users rarely holds
	// a cycle, one at 10,000 holds several; this figure puts them on one
	// footing (it overstates a little: a background cycle runs alongside
	// the program, a forced one stops it).
	GCus float64
	// PeakRSSKB is the server's VmHWM after the run.
	PeakRSSKB int64
	// Pinned says the server and the client ran on different cores.
	Pinned bool
}

// HTTPResult is a workload against a peer at a size over every round.
type HTTPResult struct {
	Peer     string
	Workload string
	// Users is the number of preloaded users of a user workload; for a
	// group workload, the size of its case, which SizeKey names
	// ("members" or "groups"; "" for users).
	Users   int
	SizeKey string
	Runs    []HTTPRun
	// Err is a wrong answer, or a failure to start the peer; the figures
	// are then meaningless.
	Err error
}

// stat is a figure over the rounds: its median, least and greatest.
type stat struct{ Med, Min, Max float64 }

func statOf(runs []HTTPRun, f func(HTTPRun) float64) stat {
	if len(runs) == 0 {
		return stat{}
	}
	v := make([]float64, len(runs))
	for i, r := range runs {
		v[i] = f(r)
	}
	slices.Sort(v)
	s := stat{Min: v[0], Max: v[len(v)-1], Med: v[len(v)/2]}
	if len(v)%2 == 0 {
		s.Med = (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	return s
}

// CPU is the server's CPU µs per request over the rounds.
func (r HTTPResult) CPU() stat { return statOf(r.Runs, func(x HTTPRun) float64 { return x.CPUus }) }

// DBCPU is the database's CPU µs per request over the rounds (zero for
// a peer without one).
func (r HTTPResult) DBCPU() stat {
	return statOf(r.Runs, func(x HTTPRun) float64 { return x.DBCPUus })
}

// TotalCPU is the server's and its database's CPU µs per request over
// the rounds: what a request costs, wherever it runs.
func (r HTTPResult) TotalCPU() stat {
	return statOf(r.Runs, func(x HTTPRun) float64 { return x.CPUus + x.DBCPUus })
}

// RPS is the requests per second over the rounds.
func (r HTTPResult) RPS() stat { return statOf(r.Runs, func(x HTTPRun) float64 { return x.RPS }) }

// P50 and P99 are the latency percentiles over the rounds, in ns.
func (r HTTPResult) P50() stat {
	return statOf(r.Runs, func(x HTTPRun) float64 { return float64(x.P50) })
}

// P99 is the 99th latency percentile over the rounds, in ns (see P50).
func (r HTTPResult) P99() stat {
	return statOf(r.Runs, func(x HTTPRun) float64 { return float64(x.P99) })
}

// Allocs and Bytes are the server's allocations per request over the
// rounds.
func (r HTTPResult) Allocs() stat { return statOf(r.Runs, func(x HTTPRun) float64 { return x.Allocs }) }

// Bytes is the server's bytes allocated per request over the rounds.
func (r HTTPResult) Bytes() stat { return statOf(r.Runs, func(x HTTPRun) float64 { return x.Bytes }) }

// GCs is the number of collections the server ran in a window over the
// rounds: at 1,000,000 users a cycle comes every few hundred megabytes
// allocated, so a window may hold none, and its CPU per request then
// leaves out a collection's cost, which later requests pay.
func (r HTTPResult) GCs() stat {
	return statOf(r.Runs, func(x HTTPRun) float64 { return float64(x.GCs) })
}

// GC is the amortised collection CPU µs per request over the rounds
// (HTTPRun.GCus).
func (r HTTPResult) GC() stat { return statOf(r.Runs, func(x HTTPRun) float64 { return x.GCus }) }

// Busy is the server's share of its core over the rounds.
func (r HTTPResult) Busy() stat { return statOf(r.Runs, func(x HTTPRun) float64 { return x.Busy }) }

// few reports whether a round answered too few requests in its window
// for its CPU per request to be better than a few per cent.
func (r HTTPResult) few() bool {
	for _, x := range r.Runs {
		if x.Requests < 200 {
			return true
		}
	}
	return false
}

// RunHTTP runs the over-HTTP comparison: for every size and round, every
// peer (order rotated by one each round) as a fresh server process, sent
// every workload it serves by the load generator in turn; then, with
// o.Groups, every round of the group peers, each a fresh server with the
// group fixture, sent every group workload at each of its sizes. A peer
// that answers wrongly gets an Err in its results; the run goes on.
func RunHTTP(ctx context.Context, o HTTPOptions) ([]HTTPResult, error) {
	o = o.withDefaults()
	if o.Executable == "" {
		return nil, errors.New("bench: HTTPOptions.Executable is required")
	}
	var workloads, groupWorkloads []*Workload
	for _, w := range Workloads() {
		if slices.Contains(o.Workloads, w.Name) {
			workloads = append(workloads, w)
		}
	}
	for _, w := range groupRegistry {
		if o.Groups != nil && slices.Contains(o.Workloads, w.Name) {
			groupWorkloads = append(groupWorkloads, w)
		}
	}
	if len(workloads)+len(groupWorkloads) == 0 {
		return nil, fmt.Errorf("bench: no workload named %v", o.Workloads)
	}
	pin := runtime.NumCPU() >= 2
	if _, err := exec.LookPath("taskset"); err != nil {
		pin = false
	}
	dir, err := os.MkdirTemp("", "scimkit-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	r := &httpRunner{o: o, pin: pin, ids: filepath.Join(dir, "ids"), index: map[httpKey]int{}}
	for _, n := range o.Sizes {
		if len(workloads) == 0 {
			break
		}
		for round := 1; round <= o.Rounds; round++ {
			for _, peer := range rotate(o.Peers, round) {
				if !o.runsAt(peer, n) {
					continue
				}
				var jobs []loadJob
				for _, w := range workloads {
					if serves(peer, w) {
						jobs = append(jobs, loadJob{w: w, size: n, conns: connsFor(peer, w, n, o.Conns, GroupSizes{})})
					}
				}
				if err := r.serve(ctx, peer, strconv.Itoa(n), n, round, jobs); err != nil {
					return r.out, err
				}
			}
		}
	}
	if len(groupWorkloads) > 0 {
		s := o.Groups.withDefaults()
		if err := s.validate(); err != nil {
			return nil, err
		}
		for round := 1; round <= o.Rounds; round++ {
			for _, peer := range rotate(o.GroupPeers, round) {
				var jobs []loadJob
				for _, c := range groupCases(s) {
					if slices.Contains(groupWorkloads, c.w) {
						jobs = append(jobs, loadJob{w: c.w, size: c.size, conns: connsFor(peer, c.w, c.size, o.Conns, s)})
					}
				}
				if err := r.serve(ctx, peer, s.String(), s.users(), round, jobs); err != nil {
					return r.out, err
				}
			}
		}
	}
	return r.out, nil
}

// rotate returns peers rotated left by round-1.
func rotate(peers []string, round int) []string {
	if len(peers) == 0 {
		return nil
	}
	r := (round - 1) % len(peers)
	return append(slices.Clone(peers[r:]), peers[:r]...)
}

// loadJob is one run of the load generator against a server: w at size
// (the server's users, or a group case's size) over conns connections.
type loadJob struct {
	w     *Workload
	size  int
	conns int
}

type httpKey struct {
	peer, workload string
	size           int
}

// httpRunner collects the runs of RunHTTP into results.
type httpRunner struct {
	o     HTTPOptions
	pin   bool
	ids   string // the file a server writes its fixture's ids to
	seed  uint64
	out   []HTTPResult
	index map[httpKey]int
}

func (r *httpRunner) add(peer string, w *Workload, size int, run *HTTPRun, err error) {
	k := httpKey{peer, w.Name, size}
	i, ok := r.index[k]
	if !ok {
		i = len(r.out)
		r.index[k] = i
		r.out = append(r.out, HTTPResult{Peer: peer, Workload: w.Name, Users: size, SizeKey: w.SizeKey})
	}
	if run != nil {
		r.out[i].Runs = append(r.out[i].Runs, *run)
	}
	if err != nil && r.out[i].Err == nil {
		r.out[i].Err = err
	}
}

// serve starts peer with the fixture (of users users) as a fresh server
// and runs every job against it in turn. Only a cancelled ctx is an
// error; a peer that fails is an Err in its results.
func (r *httpRunner) serve(ctx context.Context, peer, fixture string, users, round int, jobs []loadJob) error {
	if len(jobs) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	o := r.o
	srv, err := startServer(ctx, o.Executable, peer, fixture, r.ids, r.pin)
	if err != nil {
		for _, j := range jobs {
			r.add(peer, j.w, j.size, nil, err)
		}
		return nil
	}
	defer srv.stop()
	for _, j := range jobs {
		r.seed++
		spec := loadSpec{
			Addr: srv.addr, StatsAddr: srv.stats, ServerPID: srv.pid, Peer: peer,
			Workload: j.w.Name, Users: users, IDsFile: r.ids, Size: j.size,
			Conns: j.conns, Warmup: o.Warmup, Window: o.Window,
			CheckEvery: o.CheckEvery, Seed: r.seed, DBCPU: isSQLPeer(peer),
		}
		what := fmt.Sprintf("%-8s %s=%-8d %-9s", j.w.Name, sizeKey(j.w), j.size, peer)
		if o.ProfileDir != "" {
			spec.Profile, _ = filepath.Abs(filepath.Join(o.ProfileDir, fmt.Sprintf("%s-%s-%d-r%d.pprof", peer, j.w.Name, j.size, round)))
		}
		lr, err := runLoadChild(ctx, o.Executable, spec, r.pin)
		if err != nil {
			r.add(peer, j.w, j.size, nil, fmt.Errorf("load generator: %w", err))
			if o.Progress != nil {
				fmt.Fprintf(o.Progress, "http round %d/%d %s error: %v\n", round, o.Rounds, what, err)
			}
			continue
		}
		run := HTTPRun{
			Peer: peer, Workload: j.w.Name, Users: j.size, SizeKey: j.w.SizeKey, Round: round, Conns: spec.Conns,
			Requests: lr.Requests, Errors: lr.Errors, FirstError: lr.FirstError,
			Window: lr.Window, P50: lr.P50, P99: lr.P99, GCs: lr.GCs,
			PeakRSSKB: peakRSS(srv.pid), Pinned: r.pin, DB: spec.DBCPU,
		}
		run.Busy = float64(lr.CPUTicks) / userHZ / lr.Window.Seconds()
		run.FullGC, run.HeapLive = time.Duration(lr.FullGC.CPUns), lr.FullGC.HeapLive
		if lr.Requests > 0 {
			run.RPS = float64(lr.Requests) / lr.Window.Seconds()
			run.CPUus = float64(lr.CPUTicks) * (1e6 / userHZ) / float64(lr.Requests)
			run.DBCPUus = float64(lr.DBCPUns) / 1e3 / float64(lr.Requests)
			run.Allocs = float64(lr.Mallocs) / float64(lr.Requests)
			run.Bytes = float64(lr.AllocBytes) / float64(lr.Requests)
			if lr.FullGC.HeapLive > 0 {
				run.GCus = float64(lr.FullGC.CPUns) / 1e3 * run.Bytes / float64(lr.FullGC.HeapLive)
			}
		}
		var rerr error
		switch {
		case lr.Errors > 0:
			rerr = fmt.Errorf("%d wrong answers or broken connections; the first: %s", lr.Errors, lr.FirstError)
		case lr.Requests == 0:
			rerr = errors.New("no answer in the window")
		}
		r.add(peer, j.w, j.size, &run, rerr)
		if o.Progress != nil {
			verdict := ""
			if rerr != nil {
				verdict = " error: " + rerr.Error()
			}
			db := ""
			if run.DB {
				db = fmt.Sprintf(" + db %6.1fµs", run.DBCPUus)
			}
			fmt.Fprintf(o.Progress, "http round %d/%d %s %7.0f req/s  p50 %-8s  cpu %6.1fµs/req%s  busy %3.0f%%  %5.1f allocs/req%s\n",
				round, o.Rounds, what, run.RPS, formatNs(float64(run.P50)), run.CPUus, db, run.Busy*100, run.Allocs, verdict)
		}
	}
	return nil
}

// isSQLPeer reports whether the peer's work is partly the database's.
func isSQLPeer(peer string) bool { return peer == PeerSQLStore || peer == PeerSQLDirect }

// sizeKey is what a workload's size counts: users, members or groups.
func sizeKey(w *Workload) string {
	if w.SizeKey == "" {
		return "users"
	}
	return w.SizeKey
}

type server struct {
	addr  string // host:port of the peer
	stats string // host:port of the stats listener
	pid   int
	stop  func()
}

// startServer starts peer preloaded with the fixture (see RunChild) as a
// child process with GOMAXPROCS=1, pinned to core 0 when pin is set, and
// waits until it listens (which it does once it has written the ids of
// its fixture to ids).
func startServer(ctx context.Context, exe, peer, fixture, ids string, pin bool) (*server, error) {
	args := []string{exe, serveFlag, peer, fixture, ids}
	if pin {
		args = append([]string{"taskset", "-c", "0"}, args...)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(os.Environ(), "GOMAXPROCS=1")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	stop := func() {
		stdin.Close() // the child exits when its stdin closes
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	}
	type addrs struct{ peer, stats string }
	ready := make(chan addrs, 1)
	go func() {
		var a addrs
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "LISTEN "); ok {
				a.peer, a.stats, _ = strings.Cut(v, " ")
				ready <- a
			}
		}
		close(ready)
	}()
	select {
	case a, ok := <-ready:
		if !ok {
			stop()
			return nil, fmt.Errorf("bench: server %s exited before listening", peer)
		}
		return &server{addr: a.peer, stats: a.stats, pid: cmd.Process.Pid, stop: stop}, nil
	case <-time.After(10 * time.Minute):
		stop()
		return nil, fmt.Errorf("bench: server %s did not listen within 10 minutes", peer)
	case <-ctx.Done():
		stop()
		return nil, ctx.Err()
	}
}

// peakRSS reads VmHWM, in kB, from /proc/<pid>/status.
func peakRSS(pid int) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return 0
}

// The hidden arguments of RunChild.
const (
	serveFlag   = "-serve"
	loadgenFlag = "-loadgen"
)

// RunChild runs a child process of the over-HTTP comparison when args
// (os.Args[1:]) ask for one, and reports whether they did:
//
//	-serve <peer> <fixture> <ids file>   serve the peer on 127.0.0.1 until stdin closes
//	-loadgen <json>                      run one load and print what it measured as JSON
//
// where the fixture is a number of users, or GroupSizes.String() for the
// group fixture.
//
// A binary that passes itself as HTTPOptions.Executable calls it first
// thing in main.
func RunChild(args []string) (bool, error) {
	if len(args) == 4 && args[0] == serveFlag {
		return true, serveChild(args[1], args[2], args[3])
	}
	if len(args) == 2 && args[0] == loadgenFlag {
		var spec loadSpec
		if err := json.Unmarshal([]byte(args[1]), &spec); err != nil {
			return true, err
		}
		r, err := runLoad(context.Background(), spec)
		if err != nil {
			return true, err
		}
		return true, json.NewEncoder(os.Stdout).Encode(r)
	}
	return false, nil
}

// serveChild builds the peer with its fixture, preloaded through its
// store: a number of users (NewPeer), whose ids it writes to the ids
// file, one a line, or the group fixture (GroupSizes.String), which it
// writes there as JSON. It collects the preload's garbage and serves the
// peer on one loopback listener and its runtime statistics (and CPU
// profiles) on another, so that the peer's handler is exactly what was
// built. It prints "LISTEN <peer addr> <stats addr>" and serves until
// stdin closes.
func serveChild(peer, fixture, idsFile string) error {
	var (
		h     http.Handler
		ids   []byte
		close func() error
	)
	if s, ok := parseGroupSizes(fixture); ok {
		p, err := newGroupPeer(context.Background(), peer, s)
		if err != nil {
			return err
		}
		h, close = p.handler, p.close
		if ids, err = json.Marshal(p.fix); err != nil {
			return err
		}
	} else {
		n, err := strconv.Atoi(fixture)
		if err != nil {
			return fmt.Errorf("bench: fixture %q is neither a number of users nor groups=…", fixture)
		}
		p, err := NewPeer(context.Background(), peer, n)
		if err != nil {
			return err
		}
		h, close = p.Handler, p.Close
		ids = []byte(strings.Join(p.ids, "\n") + "\n")
	}
	if close != nil {
		defer close()
	}
	if err := os.WriteFile(idsFile, ids, 0o600); err != nil {
		return err
	}
	runtime.GC()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	sln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	ss := &http.Server{Handler: statsHandler(), ReadHeaderTimeout: 10 * time.Second}
	go ss.Serve(sln)
	go func() {
		io.Copy(io.Discard, os.Stdin) // the parent closes stdin, or exits
		ss.Close()
		hs.Close()
	}()
	fmt.Printf("LISTEN %s %s\n", ln.Addr(), sln.Addr())
	if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// statsHandler serves GET /stats (the process's allocations and
// collections so far, as serverStats JSON), POST /gc (a full collection,
// reporting its CPU time and the live heap after it, as gcStats JSON) and
// POST /profile/start?file=
// and /profile/stop (a CPU profile of what happens between the two).
func statsHandler() http.Handler {
	var (
		mu   sync.Mutex
		prof *os.File
	)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, r *http.Request) {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		json.NewEncoder(w).Encode(serverStats{Mallocs: m.Mallocs, AllocBytes: m.TotalAlloc, GCs: m.NumGC})
	})
	mux.HandleFunc("POST /gc", func(w http.ResponseWriter, r *http.Request) {
		var ru0, ru1 syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
		runtime.GC()
		syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		cpu := ru1.Utime.Nano() + ru1.Stime.Nano() - ru0.Utime.Nano() - ru0.Stime.Nano()
		json.NewEncoder(w).Encode(gcStats{CPUns: cpu, HeapLive: m.HeapAlloc})
	})
	mux.HandleFunc("POST /profile/start", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		f, err := os.Create(r.URL.Query().Get("file"))
		if err == nil {
			if err = pprof.StartCPUProfile(f); err != nil {
				f.Close()
			}
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		prof = f
	})
	mux.HandleFunc("POST /profile/stop", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if prof != nil {
			pprof.StopCPUProfile()
			prof.Close()
			prof = nil
		}
	})
	return mux
}

// runLoadChild runs the load generator as a child process with
// GOMAXPROCS=1, pinned to core 1 when pin is set.
func runLoadChild(ctx context.Context, exe string, spec loadSpec, pin bool) (loadResult, error) {
	js, _ := json.Marshal(spec)
	args := []string{exe, loadgenFlag, string(js)}
	if pin {
		args = append([]string{"taskset", "-c", "1"}, args...)
	}
	ctx, cancel := context.WithTimeout(ctx, spec.Warmup+spec.Window+5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Env = append(os.Environ(), "GOMAXPROCS=1")
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return loadResult{}, err
	}
	var r loadResult
	return r, json.Unmarshal(out, &r)
}
