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
	// Workloads are the workloads to send, by name. Default all.
	Workloads []string
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
		for _, w := range registry {
			o.Workloads = append(o.Workloads, w.Name)
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

// connsFor is the number of connections for peer and w: one for
// elimity's userName filter, which scans every user; with more, the one
// core shares itself among all the scans in flight and a window sees few
// or no answers, so CPU per request cannot be told.
func connsFor(peer string, w *Workload, conns int) int {
	if peer == PeerElimity && w.Name == "W2" {
		return 1
	}
	return conns
}

// HTTPRun is one workload sent to one peer over loopback in one round.
type HTTPRun struct {
	Peer     string
	Workload string
	Users    int
	Round    int
	Conns    int
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
	Users    int
	Runs     []HTTPRun
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

// RPS is the requests per second over the rounds.
func (r HTTPResult) RPS() stat { return statOf(r.Runs, func(x HTTPRun) float64 { return x.RPS }) }

// P50 and P99 are the latency percentiles over the rounds, in ns.
func (r HTTPResult) P50() stat {
	return statOf(r.Runs, func(x HTTPRun) float64 { return float64(x.P50) })
}
func (r HTTPResult) P99() stat {
	return statOf(r.Runs, func(x HTTPRun) float64 { return float64(x.P99) })
}

// Allocs and Bytes are the server's allocations per request over the
// rounds.
func (r HTTPResult) Allocs() stat { return statOf(r.Runs, func(x HTTPRun) float64 { return x.Allocs }) }
func (r HTTPResult) Bytes() stat  { return statOf(r.Runs, func(x HTTPRun) float64 { return x.Bytes }) }

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
// every workload it serves by the load generator in turn. A peer that
// answers wrongly gets an Err in its results; the run goes on.
func RunHTTP(ctx context.Context, o HTTPOptions) ([]HTTPResult, error) {
	o = o.withDefaults()
	if o.Executable == "" {
		return nil, errors.New("bench: HTTPOptions.Executable is required")
	}
	var workloads []*Workload
	for _, w := range Workloads() {
		if slices.Contains(o.Workloads, w.Name) {
			workloads = append(workloads, w)
		}
	}
	if len(workloads) == 0 {
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

	var out []HTTPResult
	index := map[[3]string]int{}
	add := func(peer, w string, n int, run *HTTPRun, err error) {
		k := [3]string{peer, w, strconv.Itoa(n)}
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			out = append(out, HTTPResult{Peer: peer, Workload: w, Users: n})
		}
		if run != nil {
			out[i].Runs = append(out[i].Runs, *run)
		}
		if err != nil && out[i].Err == nil {
			out[i].Err = err
		}
	}
	seed := uint64(0)
	for _, n := range o.Sizes {
		for round := 1; round <= o.Rounds; round++ {
			peers := slices.Clone(o.Peers)
			if len(peers) > 0 {
				r := (round - 1) % len(peers)
				peers = append(peers[r:], peers[:r]...)
			}
			for _, peer := range peers {
				if !o.runsAt(peer, n) {
					continue
				}
				if err := ctx.Err(); err != nil {
					return out, err
				}
				ids := filepath.Join(dir, "ids")
				srv, err := startServer(ctx, o.Executable, peer, n, ids, pin)
				if err != nil {
					for _, w := range workloads {
						if serves(peer, w) {
							add(peer, w.Name, n, nil, err)
						}
					}
					continue
				}
				for _, w := range workloads {
					if !serves(peer, w) {
						continue
					}
					seed++
					spec := loadSpec{
						Addr: srv.addr, StatsAddr: srv.stats, ServerPID: srv.pid,
						Workload: w.Name, Users: n, IDsFile: ids,
						Conns: connsFor(peer, w, o.Conns), Warmup: o.Warmup, Window: o.Window,
						CheckEvery: o.CheckEvery, Seed: seed,
					}
					if o.ProfileDir != "" {
						spec.Profile, _ = filepath.Abs(filepath.Join(o.ProfileDir, fmt.Sprintf("%s-%s-%d-r%d.pprof", peer, w.Name, n, round)))
					}
					lr, err := runLoadChild(ctx, o.Executable, spec, pin)
					if err != nil {
						add(peer, w.Name, n, nil, fmt.Errorf("load generator: %w", err))
						if o.Progress != nil {
							fmt.Fprintf(o.Progress, "http round %d/%d %-8s users=%-8d %-9s error: %v\n", round, o.Rounds, w.Name, n, peer, err)
						}
						continue
					}
					run := HTTPRun{
						Peer: peer, Workload: w.Name, Users: n, Round: round, Conns: spec.Conns,
						Requests: lr.Requests, Errors: lr.Errors, FirstError: lr.FirstError,
						Window: lr.Window, P50: lr.P50, P99: lr.P99, GCs: lr.GCs,
						PeakRSSKB: peakRSS(srv.pid), Pinned: pin,
					}
					run.Busy = float64(lr.CPUTicks) / userHZ / lr.Window.Seconds()
					run.FullGC, run.HeapLive = time.Duration(lr.FullGC.CPUns), lr.FullGC.HeapLive
					if lr.Requests > 0 {
						run.RPS = float64(lr.Requests) / lr.Window.Seconds()
						run.CPUus = float64(lr.CPUTicks) * (1e6 / userHZ) / float64(lr.Requests)
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
					add(peer, w.Name, n, &run, rerr)
					if o.Progress != nil {
						verdict := ""
						if rerr != nil {
							verdict = " error: " + rerr.Error()
						}
						fmt.Fprintf(o.Progress, "http round %d/%d %-8s users=%-8d %-9s %7.0f req/s  p50 %-8s  cpu %6.1fµs/req  busy %3.0f%%  %5.1f allocs/req%s\n",
							round, o.Rounds, w.Name, n, peer, run.RPS, formatNs(float64(run.P50)), run.CPUus, run.Busy*100, run.Allocs, verdict)
					}
				}
				srv.stop()
			}
		}
	}
	return out, nil
}

type server struct {
	addr  string // host:port of the peer
	stats string // host:port of the stats listener
	pid   int
	stop  func()
}

// startServer starts peer preloaded with n users as a child process with
// GOMAXPROCS=1, pinned to core 0 when pin is set, and waits until it
// listens (which it does once it has written the ids of its users to ids).
func startServer(ctx context.Context, exe, peer string, n int, ids string, pin bool) (*server, error) {
	args := []string{exe, serveFlag, peer, strconv.Itoa(n), ids}
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
//	-serve <peer> <users> <ids file>   serve the peer on 127.0.0.1 until stdin closes
//	-loadgen <json>                    run one load and print what it measured as JSON
//
// A binary that passes itself as HTTPOptions.Executable calls it first
// thing in main.
func RunChild(args []string) (bool, error) {
	if len(args) == 4 && args[0] == serveFlag {
		n, err := strconv.Atoi(args[2])
		if err != nil {
			return true, err
		}
		return true, serveChild(args[1], n, args[3])
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

// serveChild preloads the peer, writes its users' ids to the ids file,
// collects the preload's garbage, and serves the peer on one loopback
// listener and its runtime statistics (and CPU profiles) on another, so
// that the peer's handler is exactly what NewPeer built. It prints
// "LISTEN <peer addr> <stats addr>" and serves until stdin closes.
func serveChild(peer string, n int, idsFile string) error {
	p, err := NewPeer(context.Background(), peer, n)
	if err != nil {
		return err
	}
	defer p.Close()
	if err := os.WriteFile(idsFile, []byte(strings.Join(p.ids, "\n")+"\n"), 0o600); err != nil {
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
	hs := &http.Server{Handler: p.Handler, ReadHeaderTimeout: 10 * time.Second}
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
