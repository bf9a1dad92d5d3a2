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
//	go run ./bench/cmd/compare -short   # over HTTP, 10,000 and 100,000 users and the group workloads, one round: a few minutes
//	go run ./bench/cmd/compare -full    # adds 1,000,000 users (bare-pre, bare, scimkit) and three rounds
//	go run ./bench/cmd/compare -short -inprocess   # adds the in-process benchmarks
//	go run ./bench/cmd/compare -full -workloads W6,W7,W8,W9   # the group workloads alone
//
// The headline is the over-HTTP comparison (RunHTTP): a table per
// workload, size and peer with the server's CPU µs per request, req/s,
// p50/p99 and the server's allocations per request, the targets on CPU
// per request with their verdicts, and one RESULT line per workload and
// size,
//
//	RESULT workload=W2 users=100000 mode=http rounds=3 scimkit_ns=… bare_ns=… … scimkit_cpu_us=… bare_cpu_us=… bare_pre_cpu_us=… elimity_cpu_us=… … scimkit_vs_bare=…
//
// where <peer>_ns is the server's CPU ns per request, so that the _vs_
// ratios are, as in process, throughput per core. With -inprocess, the
// in-process lines (no mode) come first, as before:
//
//	RESULT workload=W2 users=100000 scimkit_ns=… bare_ns=… elimity_ns=… scimkit_allocs=… scimkit_vs_bare=… scimkit_vs_elimity=…
//
// The in-process benchmarks also run under go test, with -cpuprofile:
//
//	go test -run '^$' -bench SCIM ./bench [-args -bench.users=10000,100000,1000000]
//
// TestCompareSmoke runs both modes briefly on every go test of the
// module, -race included, and TestGroupsSmoke and TestGroupsOverHTTPSmoke
// do the same for the group workloads: they check that every peer answers
// every workload correctly, in process and over HTTP, not how fast.
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
//   - scimkit: scim.NewHandler(memstore.New(), scim.Config{Authenticator:
//     scim.SkipAuthentication}): the load generator sends no token.
//   - scimkit-rfc: the same with Config.Profile = scim.ProfileRFC, on W1
//     and W2 (within 0.8× of the strict profile's throughput), and on the
//     writes W4 and W5entra, where every RFC attribute's limits are walked.
//   - scimkit-activity: the same with Config.Activity =
//     activitylog.New(0, nil), on W1 and the W5 PATCHes (issue 16:
//     the activity sink within 3%).
//   - sqlstore and sqldirect, when SCIMKIT_TEST_POSTGRES names a
//     PostgreSQL database: scimkit over sqlstore, and a bare handler that
//     runs the same statements directly through the driver (reads and
//     creates). Both read tables that one builder (sqlfixture.go) makes
//     with sqlstore's Schema and fills through the driver, for the user
//     and the group workloads alike.
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
//   - W1a, W3a: W1 and W3 with attributes=userName (RFC 7644 §3.9), served
//     by scimkit (W1a also by scimkit-rfc) only; their target is CPU per
//     request at most that of W1 and W3, so that projection is seen to
//     cost no more than it saves (issue 13).
//
// # Group workloads
//
// Issue 12's group workloads run over HTTP beside the user workloads
// (HTTPOptions.Groups; cmd/compare runs them unless -groups=false) and in
// process with -inprocess (RunGroups), against their own peers: bare (a
// map of groups, each with its membership as a set), elimity (its
// README's shape: the member list an attribute of the group), scimkit
// (memstore), and with SCIMKIT_TEST_POSTGRES sqlstore and sqldirect (the
// statements sqlstore runs, prepared, through the driver). Each server
// builds one group fixture (GroupSizes, cmd/compare's -group-sizes),
// through its store or its tables directly: 100,000 users and eight
// outsider pairs, groups of 10, 100,000 and 10,000 members and 10,000
// groups "Team k"; the small and big groups hold one outsider of each
// pair. Building it takes about 3 s for memstore and 10–15 s for each
// PostgreSQL peer, once per round:
//
//   - W6: PATCH adding one outsider of a pair and removing the other
//     (they alternate, so each request changes two memberships), at 10 and
//     100,000 members. Over HTTP each connection moves its own pair (so
//     W6 uses at most as many connections as there are pairs), and after
//     the run the load generator GETs the group and checks every pair is
//     where its PATCHes put it.
//   - W7: GET /Groups/{id}?excludedAttributes=members at 10 and 100,000.
//   - W8: GET /Groups/{id} with all 10,000 members.
//   - W9: GET /Groups?excludedAttributes=members&filter=displayName eq
//     "Team k" among 10,000 groups.
//
// Their RESULT lines say members=… (W9: groups=…) where the user
// workloads say users=…:
//
//	RESULT workload=W6 members=100000 mode=http rounds=1 scimkit_ns=… … sqlstore_cpu_us=… sqlstore_db_cpu_us=… sqlstore_total_cpu_us=… … scimkit_vs_elimity=… sqlstore_vs_sqldirect=…
//	RESULT workload=W6 members=100000 scimkit_ns=… bare_ns=… elimity_ns=… sqlstore_ns=… sqldirect_ns=… … scimkit_vs_elimity=… sqlstore_vs_sqldirect=…
//
// the first over HTTP, the second (no mode) in process. Issue 12's
// targets are judged over HTTP on CPU per request (GroupHTTPTargets).
//
// Adding a workload is an entry in the registry of workload.go (its
// comment says what to fill in; a group workload goes in groupRegistry
// with a SizeKey and groupCases); the in-process benchmarks, the load
// generator, the tables, the RESULT lines and the per-workload targets
// pick it up.
//
// # Over HTTP
//
// RunHTTP starts each peer as a child process of the executable
// (-serve, preloaded, its users' ids, or its group fixture as JSON,
// written to a file) with GOMAXPROCS=1 on 127.0.0.1, pinned to core 0
// with taskset, and for each workload a load generator (-loadgen, another
// child, pinned to core 1): raw keep-alive HTTP/1.1 over N connections
// with one request in flight each, requests built before the run (a ring
// per connection over random users of the whole set, or over the group
// fixture; W4 builds each new body into a reused buffer), its own
// status-line, Content-Length and chunked parsing. Before each
// workload the server runs a full collection, so that none started by the
// previous workload is charged to this one; its CPU time, times the bytes
// a request allocates over the live heap, is the collection cost a request
// causes, amortised (GC µs/req). After a warm-up it
// measures a fixed window: requests, latency percentiles, the server's
// utime+stime from /proc/PID/stat (the figure the targets use: steadier
// than req/s on a shared machine), for sqlstore and sqldirect the CPU
// time of the PostgreSQL backends serving the server's connections
// (found by the client port in their process titles; /proc/PID/schedstat)
// — the server alone hides the work its queries push to the database, so
// their targets count both — and the server's allocations and
// collections from a side listener that leaves the peer's handler as
// NewPeer built it. Every response's status is checked, and each
// connection's first body and every CheckEvery-th with the workload's own
// check; a wrong answer is an error and fails cmd/compare. Rounds start
// every server afresh with the peer order rotated; medians and min–max
// are reported. It sends only to loopback addresses.
//
// # In process
//
// In process, each request is served by Handler.ServeHTTP with a reused
// *http.Request and ResponseWriter and precomputed targets, so that the
// figures are the peer's work alone. The first response of every round is
// checked: its status and a field of its body.
package bench
