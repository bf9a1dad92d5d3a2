package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// LoadOptions configures LoadTest. Its zero value runs W1, W2 and W4 for
// 2 s each with 8 connections against every peer but bare-pre, preloaded
// with 100,000 users, all in process.
type LoadOptions struct {
	// Users is the number of users each server preloads. Default 100,000.
	Users int
	// Peers are the servers to load, by name. Default Peers() without
	// bare-pre.
	Peers []string
	// Workloads are the workloads to send, by name. Default W1, W2, W4.
	Workloads []string
	// Duration is how long each workload runs against each peer. Default
	// 2 s.
	Duration time.Duration
	// Conns is the number of keep-alive connections, each with one
	// request in flight. Default 8.
	Conns int
	// MaxRequests bounds the requests of each run. Default 200,000.
	MaxRequests int
	// Executable, when set, is a binary that calls RunChild first thing
	// (as cmd/compare does): the servers and the load generator then run
	// as its child processes, pinned with taskset to different cores when
	// there are two or more, and each server's peak RSS is read from
	// /proc. When empty, both run in this process, unpinned and without
	// RSS figures.
	Executable string
}

func (o LoadOptions) withDefaults() LoadOptions {
	if o.Users == 0 {
		o.Users = 100_000
	}
	if len(o.Peers) == 0 {
		o.Peers = slices.DeleteFunc(Peers(), func(p string) bool { return p == PeerBarePre })
	}
	if len(o.Workloads) == 0 {
		o.Workloads = []string{"W1", "W2", "W4"}
	}
	if o.Duration == 0 {
		o.Duration = 2 * time.Second
	}
	if o.Conns == 0 {
		o.Conns = 8
	}
	if o.MaxRequests == 0 {
		o.MaxRequests = 200_000
	}
	return o
}

// LoadResult is one workload sent to one peer over loopback.
type LoadResult struct {
	// Peer, Workload, Users and Conns say what ran: a peer and a workload
	// by name, the users the server preloaded, the client's connections.
	Peer     string
	Workload string
	Users    int
	Conns    int
	// Requests is the number of answered requests, Errors those with a
	// wrong status or none.
	Requests int
	Errors   int
	// Duration is how long the run took.
	Duration time.Duration
	// RPS is Requests per second.
	RPS float64
	// P50 and P99 are latency percentiles as the client saw them.
	P50, P99 time.Duration
	// PeakRSSKB is the server process's VmHWM after the run (its peak
	// resident set so far), 0 when the server ran in process.
	PeakRSSKB int64
	// Pinned says the server and the client ran on different cores.
	Pinned bool
}

// LoadTest starts each peer as a real server on 127.0.0.1 and sends it
// each workload from a load generator with a fixed number of keep-alive
// connections, for a fixed duration and at most a fixed number of
// requests. It stops by itself.
func LoadTest(ctx context.Context, o LoadOptions) ([]LoadResult, error) {
	o = o.withDefaults()
	pin := o.Executable != "" && runtime.NumCPU() >= 2
	if pin {
		if _, err := exec.LookPath("taskset"); err != nil {
			pin = false
		}
	}
	var out []LoadResult
	for _, peer := range o.Peers {
		srv, err := startServer(ctx, o, peer, pin)
		if err != nil {
			return out, err
		}
		for i, w := range o.Workloads {
			if wl := WorkloadNamed(w); wl != nil && !serves(peer, wl) {
				continue
			}
			spec := loadSpec{URL: srv.url, Workload: w, Users: o.Users, Conns: o.Conns, Duration: o.Duration, MaxRequests: o.MaxRequests, Seed: uint64(i + 1)}
			var r LoadResult
			if o.Executable != "" {
				r, err = runLoadChild(ctx, o.Executable, spec, pin)
			} else {
				r, err = runLoad(ctx, spec)
			}
			if err != nil {
				srv.stop()
				return out, fmt.Errorf("bench: load %s %s: %w", peer, w, err)
			}
			r.Peer, r.Pinned = peer, pin
			if srv.pid != 0 {
				r.PeakRSSKB = peakRSS(srv.pid)
			}
			out = append(out, r)
		}
		srv.stop()
	}
	return out, nil
}

type server struct {
	url  string
	pid  int
	stop func()
}

// startServer starts peer preloaded with o.Users users: as a child
// process pinned to core 0 when o.Executable is set, else in process.
func startServer(ctx context.Context, o LoadOptions, peer string, pin bool) (*server, error) {
	if o.Executable == "" {
		p, err := NewPeer(ctx, peer, o.Users)
		if err != nil {
			return nil, err
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		hs := &http.Server{Handler: p.Handler, ReadHeaderTimeout: 10 * time.Second}
		go hs.Serve(ln)
		return &server{url: "http://" + ln.Addr().String(), stop: func() { hs.Close(); p.Close() }}, nil
	}
	args := []string{o.Executable, serveFlag, peer, strconv.Itoa(o.Users)}
	if pin {
		args = append([]string{"taskset", "-c", "0"}, args...)
	}
	cmd := exec.Command(args[0], args[1:]...)
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
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "LISTEN "); ok {
				addr <- a
			}
		}
		close(addr)
	}()
	select {
	case a, ok := <-addr:
		if !ok {
			stop()
			return nil, fmt.Errorf("bench: server %s exited before listening", peer)
		}
		return &server{url: "http://" + a, pid: cmd.Process.Pid, stop: stop}, nil
	case <-time.After(5 * time.Minute):
		stop()
		return nil, fmt.Errorf("bench: server %s did not listen within 5 minutes", peer)
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

// RunChild runs a child process of LoadTest when args (os.Args[1:]) ask
// for one, and reports whether they did:
//
//	-serve <peer> <users>   serve the peer on 127.0.0.1 until stdin closes
//	-loadgen <json>         run one load and print its LoadResult as JSON
//
// A binary that sets LoadOptions.Executable to itself calls it first
// thing in main.
func RunChild(args []string) (bool, error) {
	if len(args) == 3 && args[0] == serveFlag {
		n, err := strconv.Atoi(args[2])
		if err != nil {
			return true, err
		}
		return true, serveChild(args[1], n)
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

func serveChild(peer string, n int) error {
	p, err := NewPeer(context.Background(), peer, n)
	if err != nil {
		return err
	}
	defer p.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: p.Handler, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		io.Copy(io.Discard, os.Stdin) // the parent closes stdin, or exits
		hs.Close()
	}()
	fmt.Printf("LISTEN %s\n", ln.Addr())
	if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// runLoadChild runs the load generator as a child process pinned to core
// 1 when pin is set.
func runLoadChild(ctx context.Context, exe string, spec loadSpec, pin bool) (LoadResult, error) {
	js, _ := json.Marshal(spec)
	args := []string{exe, loadgenFlag, string(js)}
	if pin {
		args = append([]string{"taskset", "-c", "1"}, args...)
	}
	ctx, cancel := context.WithTimeout(ctx, spec.Duration+10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return LoadResult{}, err
	}
	var r LoadResult
	return r, json.Unmarshal(out, &r)
}

// loadSpec is one run of the load generator.
type loadSpec struct {
	URL         string
	Workload    string
	Users       int
	Conns       int
	Duration    time.Duration
	MaxRequests int
	Seed        uint64
}

// runLoad sends spec's workload to spec.URL, which must be a loopback
// address, from spec.Conns goroutines, each with its own keep-alive
// connection and one request in flight, until spec.Duration has passed or
// spec.MaxRequests have been sent.
func runLoad(ctx context.Context, spec loadSpec) (LoadResult, error) {
	w := WorkloadNamed(spec.Workload)
	if w == nil {
		return LoadResult{}, fmt.Errorf("no workload %q", spec.Workload)
	}
	base, err := url.Parse(spec.URL)
	if err != nil {
		return LoadResult{}, err
	}
	if ip := net.ParseIP(base.Hostname()); ip == nil || !ip.IsLoopback() {
		return LoadResult{}, fmt.Errorf("the load generator sends only to loopback addresses, not %q", base.Host)
	}
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	client := &http.Client{
		Timeout: 60 * time.Second,
		Transport: &http.Transport{
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				return dialer.DialContext(ctx, network, base.Host) // never anywhere else
			},
			MaxIdleConns:        spec.Conns,
			MaxIdleConnsPerHost: spec.Conns,
			MaxConnsPerHost:     spec.Conns,
			DisableCompression:  true,
		},
	}
	defer client.CloseIdleConnections()
	// W4's userNames must not collide with another run's on this server.
	created.Store(spec.Seed << 40)

	ids, err := sampleIDs(ctx, client, spec)
	if err != nil {
		return LoadResult{}, fmt.Errorf("sampling ids: %w", err)
	}
	keys := make([]int, 0, len(ids))
	for k := range ids {
		keys = append(keys, k)
	}
	slices.Sort(keys)

	var (
		sent, errs atomic.Int64
		mu         sync.Mutex
		lat        []time.Duration
		wg         sync.WaitGroup
	)
	deadline := time.Now().Add(spec.Duration)
	start := time.Now()
	for c := range spec.Conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g := newGen(spec.Seed*1000+uint64(c), spec.Users,
				func(rng *rand.Rand) int { return keys[rng.IntN(len(keys))] },
				func(k int) target { return userTarget(ids[k]) },
				func(k int) target { return filterTarget(UserName(k)) },
				func(k int) string { return ids[k] })
			mine := make([]time.Duration, 0, 1024)
			for time.Now().Before(deadline) && sent.Add(1) <= int64(spec.MaxRequests) && ctx.Err() == nil {
				st := w.next(g)
				t0 := time.Now()
				if !send(ctx, client, spec.URL, w, st) {
					errs.Add(1)
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(lat)
	r := LoadResult{Workload: w.Name, Users: spec.Users, Conns: spec.Conns, Requests: len(lat), Errors: int(errs.Load()), Duration: elapsed}
	r.RPS = float64(len(lat)) / elapsed.Seconds()
	if len(lat) > 0 {
		r.P50 = lat[len(lat)*50/100]
		r.P99 = lat[len(lat)*99/100]
	}
	return r, nil
}

// send sends one request and reports whether its status was right.
func send(ctx context.Context, c *http.Client, base string, w *Workload, st step) bool {
	var body io.Reader
	if st.body != nil {
		body = bytes.NewReader(st.body)
	}
	req, err := http.NewRequestWithContext(ctx, st.method, base+st.t.uri, body)
	if err != nil {
		return false
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	resp, err := c.Do(req)
	if err != nil {
		return false
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode == w.Status
}

// sampleIDs learns the ids of some preloaded users from a few random
// pages of the list, reading each user's key from its userName, so that
// W1 and W5 can address users by id without a filter (which is slow on
// some peers).
func sampleIDs(ctx context.Context, c *http.Client, spec loadSpec) (map[int]string, error) {
	ids := map[int]string{}
	rng := rand.New(rand.NewPCG(spec.Seed, 7))
	for range 10 {
		s := 1
		if spec.Users > 100 {
			s = 1 + rng.IntN(spec.Users-99)
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, spec.URL+"/Users?startIndex="+strconv.Itoa(s)+"&count=100", nil)
		if err != nil {
			return nil, err
		}
		resp, err := c.Do(req)
		if err != nil {
			return nil, err
		}
		var l struct {
			Resources []checkedUser `json:"Resources"`
		}
		err = json.NewDecoder(resp.Body).Decode(&l)
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		for _, u := range l.Resources {
			k, ok := strings.CutPrefix(u.UserName, "user")
			k, ok2 := strings.CutSuffix(k, "@example.com")
			if n, err := strconv.Atoi(k); ok && ok2 && err == nil {
				ids[n] = u.ID
			}
		}
	}
	if len(ids) == 0 {
		return nil, errors.New("no preloaded user in the list")
	}
	return ids, nil
}
