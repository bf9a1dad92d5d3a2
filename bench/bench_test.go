package bench

import (
	"context"
	"flag"
	"strconv"
	"strings"
	"testing"
)

var benchUsers = flag.String("bench.users", "10000,100000", "comma-separated numbers of preloaded users for BenchmarkSCIM; add 1000000 for the full run")

// BenchmarkSCIM times every workload against every peer at every size:
// go test -bench SCIM ./bench [-args -bench.users=10000,100000,1000000].
func BenchmarkSCIM(b *testing.B) {
	for _, s := range strings.Split(*benchUsers, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			b.Fatalf("-bench.users: %v", err)
		}
		b.Run("users="+strconv.Itoa(n), func(b *testing.B) {
			for _, name := range Peers() {
				b.Run(name, func(b *testing.B) {
					p, err := NewPeer(context.Background(), name, n)
					if err != nil {
						b.Fatal(err)
					}
					defer p.Close()
					for _, w := range Workloads() {
						if p.Serves(w) {
							b.Run(w.Name, func(b *testing.B) { Run(b, p, w) })
						}
					}
				})
			}
		})
	}
}
