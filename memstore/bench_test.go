package memstore_test

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/filter"
	"github.com/scimkit/scim/memstore"
)

// benchUser is a user as Okta creates one.
func benchUser(i int) *scim.User {
	return &scim.User{
		ExternalID: fmt.Sprintf("00ujl29u%08dT6Aj", i),
		UserName:   fmt.Sprintf("test.user%d@okta.local", i),
		GivenName:  "Test",
		FamilyName: fmt.Sprintf("User%d", i),
		Email:      fmt.Sprintf("test.user%d@okta.local", i),
		Active:     true,
	}
}

var benchUsers = flag.String("bench.users", "10000,100000", "comma-separated store sizes of the benchmarks that take one")

// sizes are the store sizes of the benchmarks that take one, from
// -bench.users: go test -bench . ./memstore -args -bench.users=10000,1000000
func sizes(b *testing.B) []int {
	var ns []int
	for _, f := range strings.Split(*benchUsers, ",") {
		n, err := strconv.Atoi(f)
		if err != nil || n < 1024 {
			b.Fatalf("-bench.users: %q is not a number of users ≥ 1024", f)
		}
		ns = append(ns, n)
	}
	return ns
}

func load(tb testing.TB, n int) (*memstore.Store, []string) {
	tb.Helper()
	s := memstore.New()
	ctx := context.Background()
	ids := make([]string, n)
	for i := range n {
		u, err := s.Create(ctx, benchUser(i))
		if err != nil {
			tb.Fatal(err)
		}
		ids[i] = u.ID
	}
	return s, ids
}

func BenchmarkCreate(b *testing.B) {
	s := memstore.New()
	ctx := context.Background()
	i := 0
	for b.Loop() {
		if _, err := s.Create(ctx, benchUser(i)); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkUser(b *testing.B) {
	for _, n := range sizes(b) {
		b.Run(fmt.Sprint("users=", n), func(b *testing.B) {
			s, ids := load(b, n)
			ctx := context.Background()
			i := 0
			for b.Loop() {
				if _, err := s.User(ctx, ids[i%n]); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// BenchmarkUserParallel shows that reads do not block each other.
func BenchmarkUserParallel(b *testing.B) {
	s, ids := load(b, 100_000)
	ctx := context.Background()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		r := rand.New(rand.NewPCG(rand.Uint64(), 0))
		for pb.Next() {
			if _, err := s.User(ctx, ids[r.IntN(len(ids))]); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkListUserNameEq is Okta's existence check before every create:
// the cost must not grow with the number of users.
func BenchmarkListUserNameEq(b *testing.B) {
	for _, n := range sizes(b) {
		b.Run(fmt.Sprint("users=", n), func(b *testing.B) {
			s, _ := load(b, n)
			ctx := context.Background()
			filters := make([]filter.Expr, 1024)
			for i := range filters {
				filters[i], _ = filter.Parse(fmt.Sprintf(`userName eq "TEST.USER%d@okta.local"`, i*(n/len(filters))))
			}
			i := 0
			for b.Loop() {
				p, err := s.List(ctx, scim.Query{Filter: filters[i%len(filters)], StartIndex: 1, Count: 100})
				if err != nil || p.TotalResults != 1 {
					b.Fatal(p, err)
				}
				i++
			}
		})
	}
}

// BenchmarkListWorkEmail is Entra ID's lookup by work email.
func BenchmarkListWorkEmail(b *testing.B) {
	for _, n := range sizes(b) {
		b.Run(fmt.Sprint("users=", n), func(b *testing.B) {
			s, _ := load(b, n)
			ctx := context.Background()
			f, _ := filter.Parse(fmt.Sprintf(`emails[type eq "work"].value eq "test.user%d@okta.local"`, n/2))
			for b.Loop() {
				p, err := s.List(ctx, scim.Query{Filter: f, StartIndex: 1, Count: 100})
				if err != nil || p.TotalResults != 1 {
					b.Fatal(p, err)
				}
			}
		})
	}
}

// BenchmarkListPage is Okta's import: pages of 100 at any startIndex.
func BenchmarkListPage(b *testing.B) {
	for _, n := range sizes(b) {
		b.Run(fmt.Sprint("users=", n), func(b *testing.B) {
			s, ids := load(b, n)
			ctx := context.Background()
			// Deletes leave tombstones that paging must jump over.
			for i := 0; i < n; i += 3 {
				if err := s.Delete(ctx, ids[i], ""); err != nil {
					b.Fatal(err)
				}
			}
			r := rand.New(rand.NewPCG(1, 2))
			for b.Loop() {
				start := 1 + r.IntN(n/2)
				p, err := s.List(ctx, scim.Query{StartIndex: start, Count: 100})
				if err != nil || len(p.Users) != 100 {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkListScan is a filter no index answers, for contrast: it costs
// a filter.Match per user.
func BenchmarkListScan(b *testing.B) {
	for _, n := range sizes(b) {
		b.Run(fmt.Sprint("users=", n), func(b *testing.B) {
			s, _ := load(b, n)
			ctx := context.Background()
			f, _ := filter.Parse(`name.familyName sw "User4242"`)
			for b.Loop() {
				if _, err := s.List(ctx, scim.Query{Filter: f, StartIndex: 1, Count: 100}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkHeapPerUser reports what a stored user costs the heap, with
// Okta-shaped users: its live bytes (heapB/user), its heap objects
// (objects/user) and the CPU time a full collection spends on it (gcns/user:
// the store is what a collection of a large store's process marks, so
// this is the cost that grows with the number of users). Each iteration
// loads a fresh store; run it with -benchtime=1x.
func BenchmarkHeapPerUser(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprint("users=", n), func(b *testing.B) {
			var bytes, objects, gcns float64
			for b.Loop() {
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				s := loadStore(b, n)
				runtime.GC()
				runtime.ReadMemStats(&after)
				bytes = float64(after.HeapAlloc-before.HeapAlloc) / float64(n)
				objects = float64(after.HeapObjects-before.HeapObjects) / float64(n)
				start := cpuTime()
				runtime.GC()
				full := cpuTime() - start
				runtime.KeepAlive(s)
				runtime.GC() // the store is garbage now: the next one marks none of it
				start = cpuTime()
				runtime.GC()
				gcns = float64(full-(cpuTime()-start)) / float64(n)
			}
			b.ReportMetric(bytes, "heapB/user")
			b.ReportMetric(objects, "objects/user")
			b.ReportMetric(gcns, "gcns/user")
		})
	}
}

// loadStore is load without the ids, which are the benchmark's and not the
// store's heap.
func loadStore(tb testing.TB, n int) *memstore.Store {
	s, _ := load(tb, n)
	return s
}
