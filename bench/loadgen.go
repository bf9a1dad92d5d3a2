package bench

import (
	"bufio"
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
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// loadSpec is one run of the load generator: one workload against one
// server, as the parent passes it to a -loadgen child.
type loadSpec struct {
	// Addr is the server's host:port; it must be a loopback address.
	Addr string
	// StatsAddr is the server's side listener for runtime statistics and
	// CPU profiles (see serveChild); empty for none.
	StatsAddr string
	// ServerPID is the server's process, whose CPU time /proc/PID/stat
	// gives; 0 when the server runs in this process (tests only).
	ServerPID int
	// Peer is the server's peer name.
	Peer     string
	Workload string
	// Users is the number of preloaded users, IDsFile the file with their
	// ids, one a line, line k for user k. For a group workload IDsFile is
	// the group fixture as JSON (groupFixture) and Size the case's size.
	Users   int
	IDsFile string
	Size    int
	Conns   int
	// DBCPU measures the CPU time of the server's PostgreSQL backends
	// over the window too (dbcpu.go).
	DBCPU bool
	// Warmup is sent before the window and not counted; Window is the
	// measured time.
	Warmup, Window time.Duration
	// CheckEvery: every connection parses and checks its first response
	// and every CheckEvery-th after it with the workload's check. Every
	// response's status is checked.
	CheckEvery int
	Seed       uint64
	// Profile, when set, is a file the server writes a CPU profile of the
	// window to.
	Profile string
}

// loadResult is what one run of the load generator measured.
type loadResult struct {
	// Requests were answered within the window, Total in the warm-up and
	// the window together.
	Requests, Total int
	// Errors counts wrong statuses, failed checks and broken connections;
	// FirstError describes the first.
	Errors     int
	FirstError string
	Window     time.Duration
	P50, P99   time.Duration
	// CPUTicks is the server's utime+stime over the window, in clock
	// ticks (USER_HZ, 100 a second).
	CPUTicks int64
	// DBCPUns is the CPU time of the server's database backends over the
	// window, in ns (loadSpec.DBCPU).
	DBCPUns int64
	// Mallocs, AllocBytes and GCs are the server's runtime.MemStats
	// deltas over the window.
	Mallocs, AllocBytes uint64
	GCs                 uint32
	// FullGC is the full collection the server ran before the warm-up.
	FullGC gcStats
}

// gcStats is what the server's POST /gc reports: the CPU time of a full
// collection and the live heap after it.
type gcStats struct {
	CPUns    int64
	HeapLive uint64
}

// userHZ is the unit of utime and stime in /proc/PID/stat: USER_HZ,
// which Linux fixes at 100 for user space whatever the kernel's HZ.
const userHZ = 100

// procCPU returns utime+stime of process pid, in clock ticks, from
// /proc/PID/stat (fields 14 and 15; the command name, field 2, may hold
// spaces and parentheses, so fields are counted after its last ')').
func procCPU(pid int) (int64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	return parseProcStat(string(b))
}

func parseProcStat(s string) (int64, error) {
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("bench: malformed /proc stat %.80q", s)
	}
	f := strings.Fields(s[i+1:])
	// f[0] is field 3 (state): utime, field 14, is f[11].
	if len(f) < 13 {
		return 0, fmt.Errorf("bench: short /proc stat %.80q", s)
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, fmt.Errorf("bench: /proc stat: %w", err)
	}
	return u + st, nil
}

// serverStats is what the server's stats listener reports.
type serverStats struct {
	Mallocs, AllocBytes uint64
	GCs                 uint32
}

func getStats(c *http.Client, addr string) (serverStats, error) {
	var s serverStats
	if addr == "" {
		return s, nil
	}
	resp, err := c.Get("http://" + addr + "/stats")
	if err != nil {
		return s, err
	}
	defer resp.Body.Close()
	return s, json.NewDecoder(resp.Body).Decode(&s)
}

func postStats(c *http.Client, addr, path string) error {
	resp, err := c.Post("http://"+addr+path, "text/plain", nil)
	if err != nil {
		return err
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s: %s", path, resp.Status, b)
	}
	return nil
}

// readIDs reads the ids file a server wrote: line k is the id of user k.
func readIDs(path string, n int) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	ids := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(ids) != n {
		return nil, fmt.Errorf("bench: %s has %d ids, want %d", path, len(ids), n)
	}
	return ids, nil
}

// loadGens returns what makes the requests of connection i: over the
// server's users, or for a group workload over its group fixture (also
// returned), connection i moving outsider pair i in W6.
func loadGens(spec loadSpec, w *Workload) (func(i int) *gen, *groupFixture, error) {
	if w.SizeKey == "" {
		ids, err := readIDs(spec.IDsFile, spec.Users)
		if err != nil {
			return nil, nil, err
		}
		return func(i int) *gen {
			return newGen(spec.Seed*1000+uint64(i), spec.Users,
				func(rng *rand.Rand) int { return rng.IntN(len(ids)) },
				func(k int) target { return userTarget(ids[k]) },
				func(k int) target { return filterTarget(UserName(k)) },
				func(k int) string { return ids[k] })
		}, nil, nil
	}
	b, err := os.ReadFile(spec.IDsFile)
	if err != nil {
		return nil, nil, err
	}
	fix := &groupFixture{}
	if err := json.Unmarshal(b, fix); err != nil {
		return nil, nil, fmt.Errorf("bench: group fixture %s: %w", spec.IDsFile, err)
	}
	if w == w6 && spec.Conns > len(fix.Out) {
		return nil, nil, fmt.Errorf("bench: W6 over %d connections, but the fixture has %d outsider pairs", spec.Conns, len(fix.Out))
	}
	return func(i int) *gen {
		return newGroupGen(spec.Seed*1000+uint64(i), fix, w, spec.Size, i%len(fix.Out), new(int), spec.Peer == PeerElimity)
	}, fix, nil
}

// checkMovedOver GETs W6's group after the run and checks that every
// connection's PATCHes moved its pair (groupFixture.checkMoved).
func checkMovedOver(ctx context.Context, addr string, fix *groupFixture, id string, sent map[int]int) error {
	c := &http.Client{Timeout: 2 * time.Minute}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/Groups/"+url.PathEscape(id), nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("GET /Groups/%s after W6: %w", id, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET /Groups/%s after W6: status %d, %v: %.300s", id, resp.StatusCode, err, body)
	}
	return fix.checkMoved(id, body, sent)
}

// ringSize is the number of requests each connection builds before the
// run and sends round and round: with 16 connections, 32,768 different
// requests, more than any window sends, spread over every user.
const ringSize = 2048

// runLoad sends spec's workload to spec.Addr over spec.Conns raw
// keep-alive HTTP/1.1 connections, each with one request in flight, for
// spec.Warmup and then spec.Window, and measures the window: requests,
// latencies as the client saw them, and the server's CPU time from
// /proc/PID/stat. Requests are built before the run (or, for a workload
// whose every request must differ, into a reused buffer); responses are
// read with a status line, headers and a Content-Length or chunked body
// parser of its own, so that the generator does little per request and
// allocates almost nothing.
func runLoad(ctx context.Context, spec loadSpec) (loadResult, error) {
	var res loadResult
	w := WorkloadNamed(spec.Workload)
	if w == nil {
		return res, fmt.Errorf("no workload %q", spec.Workload)
	}
	host, _, err := net.SplitHostPort(spec.Addr)
	if err != nil {
		return res, err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return res, fmt.Errorf("the load generator sends only to loopback addresses, not %q", spec.Addr)
	}
	if spec.Conns < 1 || spec.Window <= 0 {
		return res, fmt.Errorf("bench: %d connections for %s", spec.Conns, spec.Window)
	}
	newGen, fix, err := loadGens(spec, w)
	if err != nil {
		return res, err
	}
	every := max(spec.CheckEvery, 1)
	// W4's userNames must not collide with another run's on this server.
	created.Store(spec.Seed << 40)

	// The full collection first: at 1,000,000 users it takes seconds,
	// longer than the server waits for a first request on an idle
	// connection.
	stats := &http.Client{Timeout: 2 * time.Minute}
	if spec.StatsAddr != "" {
		resp, err := stats.Post("http://"+spec.StatsAddr+"/gc", "text/plain", nil)
		if err != nil {
			return res, fmt.Errorf("server gc: %w", err)
		}
		err = json.NewDecoder(resp.Body).Decode(&res.FullGC)
		resp.Body.Close()
		if err != nil {
			return res, fmt.Errorf("server gc: %w", err)
		}
	}

	conns := make([]*loadConn, spec.Conns)
	defer func() {
		for _, c := range conns {
			if c != nil {
				c.nc.Close()
			}
		}
	}()
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	for i := range conns {
		nc, err := dialer.DialContext(ctx, "tcp", spec.Addr)
		if err != nil {
			return res, err
		}
		g := newGen(i)
		c := &loadConn{nc: nc, br: bufio.NewReaderSize(nc, 64<<10), w: w, g: g, host: spec.Addr, every: every}
		if !w.Unique {
			c.steps = make([]step, ringSize)
			c.reqs = make([][]byte, ringSize)
			for j := range c.steps {
				c.steps[j] = w.next(g)
				c.reqs[j] = appendRequest(nil, spec.Addr, c.steps[j])
			}
		}
		conns[i] = c
	}

	var phase atomic.Int32 // 0 warm-up, 1 window, 2 done
	var answered atomic.Int64
	end := time.Now().Add(spec.Warmup + spec.Window + 2*time.Minute)
	var wg sync.WaitGroup
	for _, c := range conns {
		c.nc.SetDeadline(end)
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.run(&phase, &answered)
		}()
	}
	fail := func(err error) (loadResult, error) {
		phase.Store(2)
		for _, c := range conns {
			c.nc.Close()
		}
		wg.Wait()
		return res, err
	}
	sleep := func(d time.Duration) error {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if err := sleep(spec.Warmup); err != nil {
		return fail(err)
	}
	s0, err := getStats(stats, spec.StatsAddr)
	if err != nil {
		return fail(fmt.Errorf("server stats: %w", err))
	}
	if spec.Profile != "" {
		if err := postStats(stats, spec.StatsAddr, "/profile/start?file="+spec.Profile); err != nil {
			return fail(err)
		}
	}
	var cpu0, cpu1 int64
	var db *dbWindow
	if spec.DBCPU && spec.ServerPID != 0 {
		if db, err = startDBWindow(spec.ServerPID); err != nil {
			return fail(fmt.Errorf("database CPU: %w", err))
		}
	}
	if spec.ServerPID != 0 {
		if cpu0, err = procCPU(spec.ServerPID); err != nil {
			return fail(err)
		}
	}
	t0 := time.Now()
	phase.Store(1)
	if err := sleep(spec.Window); err != nil {
		return fail(err)
	}
	// A window closes with at least one answer in it (one request can
	// take longer than a window on a slow peer or a loaded machine), or
	// after a minute more.
	for answered.Load() == 0 && time.Since(t0) < spec.Window+time.Minute && ctx.Err() == nil {
		time.Sleep(5 * time.Millisecond)
	}
	phase.Store(2)
	res.Window = time.Since(t0)
	if spec.ServerPID != 0 {
		if cpu1, err = procCPU(spec.ServerPID); err != nil {
			return fail(err)
		}
	}
	if db != nil {
		if res.DBCPUns, err = db.stop(); err != nil {
			return fail(fmt.Errorf("database CPU: %w", err))
		}
	}
	if spec.Profile != "" {
		if err := postStats(stats, spec.StatsAddr, "/profile/stop"); err != nil {
			return fail(err)
		}
	}
	s1, err := getStats(stats, spec.StatsAddr)
	if err != nil {
		return fail(fmt.Errorf("server stats: %w", err))
	}
	wg.Wait()

	var lat []time.Duration
	for _, c := range conns {
		lat = append(lat, c.lat...)
		res.Total += c.total
		res.Errors += c.errors
		if res.FirstError == "" && c.firstErr != "" {
			res.FirstError = c.firstErr
		}
	}
	if w == w6 && res.Errors == 0 {
		// What W6's PATCHes did: each connection moved its own pair.
		sent := map[int]int{}
		for _, c := range conns {
			sent[c.g.groups.pair] = c.total
		}
		if err := checkMovedOver(ctx, spec.Addr, fix, fix.group(w, spec.Size), sent); err != nil {
			res.Errors++
			res.FirstError = err.Error()
		}
	}
	slices.Sort(lat)
	res.Requests = len(lat)
	if len(lat) > 0 {
		res.P50 = lat[len(lat)*50/100]
		res.P99 = lat[len(lat)*99/100]
	}
	res.CPUTicks = cpu1 - cpu0
	res.Mallocs, res.AllocBytes, res.GCs = s1.Mallocs-s0.Mallocs, s1.AllocBytes-s0.AllocBytes, s1.GCs-s0.GCs
	return res, nil
}

// appendRequest appends st as an HTTP/1.1 request to b.
func appendRequest(b []byte, host string, st step) []byte {
	b = append(b, st.method...)
	b = append(b, ' ')
	b = append(b, st.t.uri...)
	b = append(b, " HTTP/1.1\r\nHost: "...)
	b = append(b, host...)
	b = append(b, "\r\n"...)
	if st.body != nil {
		b = append(b, "Content-Type: application/scim+json\r\nContent-Length: "...)
		b = strconv.AppendInt(b, int64(len(st.body)), 10)
		b = append(b, "\r\n"...)
	}
	b = append(b, "\r\n"...)
	return append(b, st.body...)
}

// loadConn is one keep-alive connection of the load generator.
type loadConn struct {
	nc    net.Conn
	br    *bufio.Reader
	w     *Workload
	g     *gen
	host  string
	every int

	steps []step   // the ring of requests, nil when w.Unique
	reqs  [][]byte // steps as bytes
	buf   []byte   // the request being sent, when w.Unique
	body  []byte   // the body of a response being checked

	lat      []time.Duration // latencies of the window's requests
	total    int
	errors   int
	firstErr string
}

func (c *loadConn) fail(format string, args ...any) {
	c.errors++
	if c.firstErr == "" {
		c.firstErr = fmt.Sprintf(format, args...)
	}
}

// run sends requests until phase is 2, recording the latency of those
// answered while it is 1; answered counts the connections with an answer
// in the window.
func (c *loadConn) run(phase *atomic.Int32, answered *atomic.Int64) {
	c.lat = make([]time.Duration, 0, 1<<14)
	for i := 0; phase.Load() < 2; i++ {
		var st step
		var req []byte
		if c.steps != nil {
			st, req = c.steps[i%len(c.steps)], c.reqs[i%len(c.reqs)]
		} else {
			st = c.w.next(c.g)
			c.buf = appendRequest(c.buf[:0], c.host, st)
			req = c.buf
		}
		check := i%c.every == 0
		t0 := time.Now()
		if _, err := c.nc.Write(req); err != nil {
			c.fail("%s %s: %v", st.method, st.t.uri, err)
			return
		}
		status, err := c.read(check)
		d := time.Since(t0)
		if err != nil {
			c.fail("%s %s: %v", st.method, st.t.uri, err)
			return
		}
		c.total++
		if phase.Load() == 1 {
			c.lat = append(c.lat, d)
			if len(c.lat) == 1 {
				answered.Add(1)
			}
		}
		switch {
		case status != c.w.Status:
			c.fail("%s %s: status %d, want %d", st.method, st.t.uri, status, c.w.Status)
		case check:
			if err := checkResponse(c.w, st, status, c.body); err != nil {
				c.fail("%v", err)
			}
		}
	}
}

var errNoLength = errors.New("response with neither Content-Length nor chunked encoding")

// read reads one response: its status, and its body into c.body when
// keep is set (else the body is skipped).
func (c *loadConn) read(keep bool) (status int, err error) {
	line, err := c.br.ReadSlice('\n')
	if err != nil {
		return 0, err
	}
	if len(line) < 12 || string(line[:9]) != "HTTP/1.1 " {
		return 0, fmt.Errorf("bad status line %q", line)
	}
	for _, d := range line[9:12] {
		if d < '0' || d > '9' {
			return 0, fmt.Errorf("bad status line %q", line)
		}
		status = status*10 + int(d-'0')
	}
	length, chunked := -1, false
	for {
		line, err = c.br.ReadSlice('\n')
		if err != nil {
			return 0, err
		}
		if len(line) <= 2 { // "\r\n": the end of the header
			break
		}
		if v, ok := headerValue(line, "content-length:"); ok {
			if length, err = atoi(v); err != nil {
				return 0, fmt.Errorf("bad Content-Length %q", v)
			}
		} else if v, ok := headerValue(line, "transfer-encoding:"); ok {
			chunked = strings.EqualFold(string(v), "chunked")
		} else if v, ok := headerValue(line, "connection:"); ok && strings.EqualFold(string(v), "close") {
			err = errors.New("the server closes the connection")
		}
	}
	if err != nil {
		return status, err
	}
	c.body = c.body[:0]
	switch {
	case chunked:
		return status, c.readChunked(keep)
	case length >= 0:
		return status, c.readN(length, keep)
	case status == http.StatusNoContent || status == http.StatusNotModified:
		return status, nil
	}
	return status, errNoLength
}

func (c *loadConn) readN(n int, keep bool) error {
	if !keep {
		_, err := c.br.Discard(n)
		return err
	}
	c.body = slices.Grow(c.body, n)
	start := len(c.body)
	c.body = c.body[:start+n]
	_, err := io.ReadFull(c.br, c.body[start:])
	return err
}

func (c *loadConn) readChunked(keep bool) error {
	for {
		line, err := c.br.ReadSlice('\n')
		if err != nil {
			return err
		}
		n := 0
		for _, d := range line {
			switch {
			case '0' <= d && d <= '9':
				n = n<<4 | int(d-'0')
			case 'a' <= d && d <= 'f':
				n = n<<4 | int(d-'a'+10)
			case 'A' <= d && d <= 'F':
				n = n<<4 | int(d-'A'+10)
			default:
				goto size
			}
			if n > 1<<30 {
				return errors.New("chunk too large")
			}
		}
	size:
		if n == 0 {
			for { // trailers, up to the empty line
				line, err := c.br.ReadSlice('\n')
				if err != nil {
					return err
				}
				if len(line) <= 2 {
					return nil
				}
			}
		}
		if err := c.readN(n, keep); err != nil {
			return err
		}
		if _, err := c.br.Discard(2); err != nil { // the chunk's CRLF
			return err
		}
	}
}

// headerValue returns the trimmed value of a header line whose lower-cased
// name (with its colon) is name.
func headerValue(line []byte, name string) ([]byte, bool) {
	if len(line) < len(name) {
		return nil, false
	}
	for i := range len(name) {
		b := line[i]
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		if b != name[i] {
			return nil, false
		}
	}
	v := line[len(name):]
	for len(v) > 0 && (v[0] == ' ' || v[0] == '\t') {
		v = v[1:]
	}
	for len(v) > 0 && (v[len(v)-1] == '\n' || v[len(v)-1] == '\r' || v[len(v)-1] == ' ') {
		v = v[:len(v)-1]
	}
	return v, true
}

func atoi(b []byte) (int, error) {
	if len(b) == 0 || len(b) > 12 {
		return 0, errors.New("bad number")
	}
	n := 0
	for _, d := range b {
		if d < '0' || d > '9' {
			return 0, errors.New("bad number")
		}
		n = n*10 + int(d-'0')
	}
	return n, nil
}
