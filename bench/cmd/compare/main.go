// Command compare runs scimkit's side-by-side comparison with a bare
// net/http handler (json.Marshal per response, and bare-pre with bytes
// marshalled once: the read limit) and elimity-com/scim (and, with
// SCIMKIT_TEST_POSTGRES, sqlstore against the same queries run directly
// through the driver), and prints tables, RESULT lines and the targets.
//
//	go run ./bench/cmd/compare -short   # over HTTP at 10,000 and 100,000 users, one round, a few minutes
//	go run ./bench/cmd/compare          # the same with longer windows
//	go run ./bench/cmd/compare -full    # adds 1,000,000 users (in-memory peers) and three rounds
//	go run ./bench/cmd/compare -inprocess -short   # adds the in-process benchmarks, a CPU-profile aid
//
// The group workloads W6–W9 (issue 12) run over HTTP in every mode
// (-groups=false leaves them out), each group peer a server holding
// groups of 10 and 100,000 members, one of 10,000 and 10,000 groups
// (-group-sizes), and in process too with -inprocess.
//
// Over HTTP, each peer runs as a child process of this binary (a hidden
// -serve mode) with GOMAXPROCS=1 on 127.0.0.1 and the load generator as
// another (-loadgen), pinned to different cores with taskset when there
// are two. -cpuprofile DIR has every server write a CPU profile of each
// measured window there.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"github.com/scimkit/scim/bench"
)

func main() {
	if handled, err := bench.RunChild(os.Args[1:]); handled {
		if err != nil {
			fmt.Fprintln(os.Stderr, "compare:", err)
			os.Exit(1)
		}
		return
	}
	var (
		short      = flag.Bool("short", false, "quick run: 10,000 and 100,000 users, one round, 0.4 s warm-up and a 1.2 s window per run")
		full       = flag.Bool("full", false, "full run: adds 1,000,000 users (in-memory peers), three rounds, 1 s warm-up and 2 s windows")
		sizes      = flag.String("users", "", "comma-separated numbers of preloaded users (overrides -short and -full)")
		peers      = flag.String("peers", "", "comma-separated peers (default: "+strings.Join(bench.Peers(), ",")+")")
		workloads  = flag.String("workloads", "", "comma-separated workloads (default: all)")
		rounds     = flag.Int("rounds", 0, "rounds, each starting every server afresh with the peer order rotated (default 1, 3 with -full)")
		conns      = flag.Int("conns", 16, "keep-alive connections of the load generator")
		warmup     = flag.Duration("warmup", 0, "unmeasured warm-up of each over-HTTP run (default 0.4s with -short, else 1s)")
		window     = flag.Duration("window", 0, "measured window of each over-HTTP run (default 1.2s with -short, else 2s)")
		cpuprofile = flag.String("cpuprofile", "", "directory where every server writes a CPU profile of each window")
		overHTTP   = flag.Bool("http", true, "run the over-HTTP comparison (the headline)")
		inprocess  = flag.Bool("inprocess", false, "also run the in-process testing.Benchmark comparison (ServeHTTP without net/http), a CPU-profile aid")
		benchtime  = flag.String("benchtime", "", "in process: benchtime of each benchmark, a duration or Nx (default 100ms with -short, else 1s)")
		heap       = flag.Bool("heap", true, "in process: measure the in-memory stores' heap per user at the largest size")
		groups     = flag.Bool("groups", true, "run the group workloads W6–W9 (over HTTP, and in process with -inprocess)")
		groupSizes = flag.String("group-sizes", "10,100000,10000,10000", "the group fixture: small and big group (W6, W7), wide group (W8), number of groups (W9)")
		groupPeers = flag.String("group-peers", "", "comma-separated group peers (default: "+strings.Join(bench.GroupPeers(), ",")+")")
	)
	flag.Parse()

	o := bench.Options{Sizes: []int{10_000, 100_000}, BenchTime: "1s", Progress: os.Stderr, InProcess: *inprocess}
	ho := bench.HTTPOptions{Warmup: time.Second, Window: 2 * time.Second, Conns: *conns, ProfileDir: *cpuprofile, Progress: os.Stderr}
	switch {
	case *full:
		o.Sizes = append(o.Sizes, 1_000_000)
		o.Rounds, ho.Rounds = 3, 3
	case *short:
		o.BenchTime = "100ms"
		ho.Warmup, ho.Window = 400*time.Millisecond, 1200*time.Millisecond
	}
	if *sizes != "" {
		o.Sizes = nil
		for _, s := range strings.Split(*sizes, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil || n < 1 {
				fmt.Fprintf(os.Stderr, "compare: -users: %q is not a positive number\n", s)
				os.Exit(2)
			}
			o.Sizes = append(o.Sizes, n)
		}
	}
	if *rounds > 0 {
		o.Rounds, ho.Rounds = *rounds, *rounds
	}
	if *benchtime != "" {
		o.BenchTime = *benchtime
	}
	if *peers != "" {
		o.Peers = strings.Split(*peers, ",")
	}
	if *workloads != "" {
		o.Workloads = strings.Split(*workloads, ",")
	}
	if *warmup != 0 {
		ho.Warmup = *warmup
	}
	if *window != 0 {
		ho.Window = *window
	}
	if *cpuprofile != "" {
		if err := os.MkdirAll(*cpuprofile, 0o755); err != nil {
			fmt.Fprintln(os.Stderr, "compare:", err)
			os.Exit(1)
		}
	}
	var gs bench.GroupSizes
	if *groups {
		var n []int
		for _, s := range strings.Split(*groupSizes, ",") {
			v, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil || v < 1 {
				fmt.Fprintf(os.Stderr, "compare: -group-sizes: %q is not a positive number\n", s)
				os.Exit(2)
			}
			n = append(n, v)
		}
		if len(n) != 4 {
			fmt.Fprintln(os.Stderr, "compare: -group-sizes takes four numbers: small,big,wide,groups")
			os.Exit(2)
		}
		gs = bench.GroupSizes{Small: n[0], Big: n[1], Wide: n[2], Groups: n[3]}
		if *inprocess {
			o.Groups = &bench.GroupOptions{Sizes: gs}
			if *groupPeers != "" {
				o.Groups.Peers = strings.Split(*groupPeers, ",")
			}
		}
	}
	if *heap && *inprocess {
		for _, n := range o.Sizes {
			o.HeapUsers = max(o.HeapUsers, n)
		}
	}
	if *overHTTP {
		exe, err := os.Executable()
		if err != nil {
			fmt.Fprintln(os.Stderr, "compare:", err)
			os.Exit(1)
		}
		ho.Executable = exe
		ho.Sizes, ho.Peers, ho.Workloads = o.Sizes, o.Peers, o.Workloads
		if *groups {
			ho.Groups = &gs
			if *groupPeers != "" {
				ho.GroupPeers = strings.Split(*groupPeers, ",")
			}
		}
		o.HTTP = &ho
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	rep, err := bench.Compare(ctx, o)
	if rep != nil {
		fmt.Println()
		rep.WriteTable(os.Stdout)
		fmt.Println()
		rep.WriteResults(os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		os.Exit(1)
	}
	for _, r := range rep.Results {
		if r.Err != nil {
			os.Exit(1)
		}
	}
	for _, r := range rep.HTTP {
		if r.Err != nil {
			os.Exit(1) // a peer answered wrongly: the run fails
		}
	}
	for _, r := range rep.Groups {
		if r.Err != nil {
			os.Exit(1)
		}
	}
}
