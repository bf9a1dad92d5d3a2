// Package bench compares scimkit with a bare net/http handler and with
// github.com/elimity-com/scim, side by side in one run, and measures
// scimkit's own figures against the targets in BENCHMARKS.md.
//
// It is a nested module, so that the root module never depends on
// elimity-com/scim.
//
// # Running
//
// From the repository root (the go.work workspace):
//
//	go run ./bench/cmd/compare -short   # 10,000 and 100,000 users, under a minute
//	go run ./bench/cmd/compare -full    # adds 1,000,000 users, three rounds
//
// The command prints a table, one RESULT line per workload and size,
//
//	RESULT workload=W2 users=100000 scimkit_ns=… bare_ns=… elimity_ns=… scimkit_allocs=… scimkit_vs_bare=… scimkit_vs_elimity=…
//
// a RESULT line with the heap per user of the in-memory stores, and a LOAD
// line per peer and workload of the loopback load test. The same
// benchmarks run under go test:
//
//	go test -run '^$' -bench SCIM ./bench [-args -bench.users=10000,100000,1000000]
//
// TestCompareSmoke runs the comparison with one request per benchmark on
// every go test of the module, -race included: it checks that every peer
// answers every workload correctly, not how fast.
//
// # Peers
//
//   - bare-pre: a bare net/http handler writing the same User JSON as
//     scimkit, marshalled once when the user changes; the physical limit of
//     a read. Reads only.
//   - bare: the same handler calling json.Marshal on every response.
//   - elimity: elimity-com/scim with the in-memory ResourceHandler its
//     README points to: a map by id, a linear PassesFilter scan for
//     filters, elimity's own PATCH validation.
//   - scimkit: scim.NewHandler(memstore.New(), scim.Config{}).
//   - sqlstore and sqldirect, when SCIMKIT_TEST_POSTGRES names a
//     PostgreSQL database: scimkit over sqlstore, and a bare handler that
//     runs the same statements directly through the driver (reads and
//     creates).
//
// Every peer preloads its users through its store directly, not over
// HTTP.
//
// # Workloads
//
//   - W1: GET /Users/{id} of a random user.
//   - W2: Okta's existence check, GET /Users?filter=userName eq "…".
//   - W3: a page of 100 at a random startIndex.
//   - W4: POST /Users with Okta's create body and a new userName.
//   - W5okta: Okta's deactivation, a path-less replace of active.
//   - W5entra: Entra ID's four-operation PATCH of its default shape.
//
// In process, each request is served by Handler.ServeHTTP with a reused
// *http.Request and ResponseWriter and precomputed targets, so that the
// figures are the peer's work alone. The first response of every round is
// checked: its status and a field of its body.
//
// # Load test
//
// LoadTest starts each peer as a server on 127.0.0.1 (a child process
// when LoadOptions.Executable is set, pinned to core 0 with taskset) and
// a load generator (another child, pinned to core 1) with a fixed number
// of keep-alive connections, for a fixed duration and at most a fixed
// number of requests. It reports requests per second, p50 and p99
// latency, errors and the server's peak RSS (VmHWM). It sends only to
// loopback addresses.
package bench
