package bench

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// The database's CPU per request, for the PostgreSQL peers: the server
// process alone hides the work its queries push to the database.
//
// PostgreSQL serves each connection with a backend process whose title
// (/proc/PID/cmdline) names the client's address, "postgres: … user db
// 127.0.0.1(54642) SELECT". The backends of a peer are those whose client
// port is the local port of one of the peer's TCP sockets; their CPU time
// over the window is the database's work for the peer. Other clients'
// backends (a shared database) and the background processes (checkpointer,
// background writer, walwriter, autovacuum), which serve every client and
// whose work lags the window, are left out; a commit's WAL flush runs in
// its backend, so writes are counted.

// dbBackends returns the process ids of the PostgreSQL backends serving
// the TCP connections of process pid.
func dbBackends(pid int) ([]int, error) {
	ports, err := localPorts(pid)
	if err != nil || len(ports) == 0 {
		return nil, err
	}
	procs, err := filepath.Glob("/proc/[0-9]*/cmdline")
	if err != nil {
		return nil, err
	}
	var out []int
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err != nil || !strings.HasPrefix(string(b), "postgres: ") {
			continue // gone, or not a PostgreSQL process
		}
		if port, ok := backendPort(string(b)); ok && ports[port] {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(p, "/proc/"), "/cmdline"))
			out = append(out, n)
		}
	}
	return out, nil
}

// backendPort returns the client port in a backend's process title:
// the number in the first "(…)" after the host.
func backendPort(title string) (int, bool) {
	title, _, _ = strings.Cut(title, "\x00")
	for _, f := range strings.Fields(title) {
		i := strings.IndexByte(f, '(')
		if i <= 0 || !strings.HasSuffix(f, ")") {
			continue
		}
		if n, err := strconv.Atoi(f[i+1 : len(f)-1]); err == nil {
			return n, true
		}
	}
	return 0, false
}

// localPorts returns the local ports of the TCP sockets process pid holds:
// its socket inodes (/proc/PID/fd) found in /proc/PID/net/tcp and tcp6.
func localPorts(pid int) (map[int]bool, error) {
	dir := "/proc/" + strconv.Itoa(pid)
	fds, err := os.ReadDir(dir + "/fd")
	if err != nil {
		return nil, err
	}
	inodes := map[string]bool{}
	for _, fd := range fds {
		l, err := os.Readlink(dir + "/fd/" + fd.Name())
		if ino, ok := strings.CutPrefix(l, "socket:["); err == nil && ok {
			inodes[strings.TrimSuffix(ino, "]")] = true
		}
	}
	ports := map[int]bool{}
	for _, table := range []string{"/net/tcp", "/net/tcp6"} {
		f, err := os.Open(dir + table)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		sc.Scan() // the header
		for sc.Scan() {
			// sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
			fs := strings.Fields(sc.Text())
			if len(fs) < 10 || !inodes[fs[9]] {
				continue
			}
			_, hex, ok := strings.Cut(fs[1], ":")
			if port, err := strconv.ParseInt(hex, 16, 32); ok && err == nil {
				ports[int(port)] = true
			}
		}
		f.Close()
	}
	return ports, nil
}

// cpuNs returns the CPU time of each process, in ns, from
// /proc/PID/schedstat (its first field; the same time as utime+stime, to
// the nanosecond, where ticks rounded over sixteen backends would add up).
// A process that has gone is left out.
func cpuNs(pids []int) map[int]int64 {
	out := make(map[int]int64, len(pids))
	for _, pid := range pids {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/schedstat")
		if err != nil {
			continue
		}
		f, _, _ := strings.Cut(string(b), " ")
		if n, err := strconv.ParseInt(f, 10, 64); err == nil {
			out[pid] = n
		}
	}
	return out
}

// dbWindow measures the CPU time of a peer's database backends over a
// window: start before it, stop after it.
type dbWindow struct {
	server int
	pids   []int
	start  map[int]int64
}

func startDBWindow(server int) (*dbWindow, error) {
	pids, err := dbBackends(server)
	if err != nil {
		return nil, err
	}
	if len(pids) == 0 {
		return nil, errors.New("no PostgreSQL backend serves the server's connections (is the database on this machine?)")
	}
	return &dbWindow{server: server, pids: pids, start: cpuNs(pids)}, nil
}

// stop returns the backends' CPU ns since start, a backend that connected
// in the window counted whole.
func (d *dbWindow) stop() (int64, error) {
	pids, err := dbBackends(d.server)
	if err != nil {
		return 0, err
	}
	var sum int64
	for pid, ns := range cpuNs(pids) {
		sum += ns - d.start[pid]
	}
	return sum, nil
}
