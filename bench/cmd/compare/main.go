// Command compare runs scimkit's side-by-side comparison with a bare
// net/http handler and elimity-com/scim (and, with SCIMKIT_TEST_POSTGRES,
// sqlstore against the same queries run directly through the driver) and
// prints a table and one RESULT line per workload and size.
//
//	go run ./bench/cmd/compare -short   # 10,000 and 100,000 users, under a minute
//	go run ./bench/cmd/compare          # the same with a 1 s benchtime
//	go run ./bench/cmd/compare -full    # adds 1,000,000 users, 3 rounds, heap per user there
//
// The in-process benchmarks use testing.Benchmark; the loopback load test
// runs each peer as a child process of this binary (a hidden -serve mode)
// on 127.0.0.1 and the load generator as another, pinned to different
// cores with taskset when there are two.
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
		short     = flag.Bool("short", false, "quick run: 10,000 and 100,000 users, 100ms benchtime, 1 s load runs of W1 and W2")
		full      = flag.Bool("full", false, "full run: adds 1,000,000 users and measures the heap per user there")
		sizes     = flag.String("users", "", "comma-separated numbers of preloaded users (overrides -short and -full)")
		benchtime = flag.String("benchtime", "", "benchtime of each benchmark, a duration or Nx (default 100ms with -short, else 1s)")
		peers     = flag.String("peers", "", "comma-separated peers (default: "+strings.Join(bench.Peers(), ",")+")")
		workloads = flag.String("workloads", "", "comma-separated workloads (default: all)")
		load      = flag.Bool("load", true, "run the loopback load test")
		loadTime  = flag.Duration("loadtime", 0, "duration of each load run (default 1s with -short, 2s, 3s with -full)")
		conns     = flag.Int("conns", 8, "keep-alive connections of the load generator")
		heap      = flag.Bool("heap", true, "measure the in-memory stores' heap per user at the largest size")
		rounds    = flag.Int("rounds", 0, "rounds of the whole comparison, keeping each cell's fastest (default 1, 3 with -full)")
	)
	flag.Parse()

	o := bench.Options{Sizes: []int{10_000, 100_000}, BenchTime: "1s", Progress: os.Stderr}
	lo := bench.LoadOptions{Duration: 2 * time.Second, Conns: *conns}
	switch {
	case *full:
		o.Sizes = append(o.Sizes, 1_000_000)
		o.Rounds = 3
		lo.Duration = 3 * time.Second
	case *short:
		o.BenchTime = "100ms"
		lo.Duration = time.Second
		lo.Workloads = []string{"W1", "W2"}
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
		o.Rounds = *rounds
	}
	if *benchtime != "" {
		o.BenchTime = *benchtime
	}
	if *peers != "" {
		o.Peers = strings.Split(*peers, ",")
		lo.Peers = nil
		for _, p := range o.Peers {
			if p != bench.PeerBarePre {
				lo.Peers = append(lo.Peers, p)
			}
		}
	}
	if *workloads != "" {
		o.Workloads = strings.Split(*workloads, ",")
	}
	if *loadTime != 0 {
		lo.Duration = *loadTime
	}
	largest := 0
	for _, n := range o.Sizes {
		largest = max(largest, n)
	}
	if *heap {
		o.HeapUsers = largest
	}
	if *load {
		exe, err := os.Executable()
		if err != nil {
			fmt.Fprintln(os.Stderr, "compare:", err)
			os.Exit(1)
		}
		lo.Executable = exe
		lo.Users = min(largest, 100_000)
		o.Load = &lo
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
}
