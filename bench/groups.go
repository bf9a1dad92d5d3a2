package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"text/tabwriter"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/memstore"
)

// The group workloads of issue 12, timed in process against the group
// peers (GroupPeers):
//
//   - W6: one PATCH adding one member and removing another, on a group of
//     GroupSizes.Small and of GroupSizes.Big members;
//   - W7: GET /Groups/{id}?excludedAttributes=members on both;
//   - W8: GET /Groups/{id} with all GroupSizes.Wide members;
//   - W9: Entra ID's lookup, GET /Groups?excludedAttributes=members&filter=
//     displayName eq "…", among GroupSizes.Groups groups.
const (
	GroupW6 = "W6"
	GroupW7 = "W7"
	GroupW8 = "W8"
	GroupW9 = "W9"
)

// GroupSizes are the sizes of the group fixture every group peer builds.
type GroupSizes struct {
	// Small and Big are the members of W6's and W7's two groups [10,
	// 100,000].
	Small, Big int
	// Wide is the members of W8's group [10,000].
	Wide int
	// Groups is the number of groups W9 looks one up among [10,000].
	Groups int
}

func (s GroupSizes) withDefaults() GroupSizes {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&s.Small, 10)
	def(&s.Big, 100_000)
	def(&s.Wide, 10_000)
	def(&s.Groups, 10_000)
	return s
}

// users is how many users the fixture holds besides the two outsiders:
// enough for the largest group.
func (s GroupSizes) users() int { return max(s.Small, s.Big, s.Wide) }

// groupName is the displayName of W9's group k.
func groupName(k int) string { return "Team " + strconv.Itoa(k) }

// GroupPeers returns the group peers this machine can run: the in-memory
// ones always, the PostgreSQL ones when PostgresEnv is set.
func GroupPeers() []string {
	p := []string{PeerBare, PeerElimity, PeerScimkit}
	if os.Getenv(PostgresEnv) != "" && sqlPeersAvailable {
		p = append(p, PeerSQLDirect, PeerSQLStore)
	}
	return p
}

// groupPeer is one server loaded with the group fixture: users 0…U-1 and
// two outsiders, the groups small, big and wide, and W9's groups "Team k".
// Small and big hold out[1] and not out[0], so that W6's first PATCH
// (add out[0], remove out[1]) and every one after it, alternating,
// changes two memberships.
type groupPeer struct {
	name              string
	handler           http.Handler
	small, big, wide  string    // group ids
	out               [2]string // the outsiders' user ids
	sizes             GroupSizes
	patches           map[string]int // W6 requests sent per group
	close             func() error
	lookups           []target // W9's ring of targets
	smallT, bigT      target   // GET targets
	smallX, bigX      target   // GET …?excludedAttributes=members
	wideT             target
	patchBody         map[string][2][]byte
	checkedMembership bool
}

// members returns the member ids of a fixture group of n members: users
// 0…n-2 and out[1] for small and big (with), users 0…n-1 for wide.
func fixtureMembers(ids []string, n int, out1 string) []string {
	if out1 == "" {
		return slices.Clone(ids[:n])
	}
	return append(slices.Clone(ids[:n-1]), out1)
}

func newGroupPeer(ctx context.Context, name string, s GroupSizes) (*groupPeer, error) {
	s = s.withDefaults()
	var (
		p   *groupPeer
		err error
	)
	switch name {
	case PeerBare:
		p = newBareGroups(s)
	case PeerElimity:
		p, err = newElimityGroups(s)
	case PeerScimkit:
		p, err = newScimkitGroups(ctx, s)
	case PeerSQLStore, PeerSQLDirect:
		p, err = newSQLGroups(ctx, name, s)
	default:
		return nil, fmt.Errorf("bench: unknown group peer %q", name)
	}
	if err != nil {
		return nil, fmt.Errorf("bench: group peer %s: %w", name, err)
	}
	p.name, p.sizes = name, s
	p.patches = map[string]int{}
	p.patchBody = map[string][2][]byte{}
	for _, id := range []string{p.small, p.big} {
		p.patchBody[id] = [2][]byte{groupPatch(p.out[0], p.out[1]), groupPatch(p.out[1], p.out[0])}
	}
	get := func(id, q string) target {
		t := target{path: "/Groups/" + id, uri: "/Groups/" + url.PathEscape(id)}
		if q != "" {
			t.query, t.uri = q, t.uri+"?"+q
		}
		return t
	}
	p.smallT, p.bigT, p.wideT = get(p.small, ""), get(p.big, ""), get(p.wide, "")
	p.smallX, p.bigX = get(p.small, "excludedAttributes=members"), get(p.big, "excludedAttributes=members")
	rng := rand.New(rand.NewPCG(12, 9))
	p.lookups = make([]target, 4096)
	for i := range p.lookups {
		q := "excludedAttributes=members&filter=" + url.QueryEscape(`displayName eq "`+groupName(rng.IntN(s.Groups))+`"`)
		p.lookups[i] = target{path: "/Groups", query: q, uri: "/Groups?" + q}
	}
	return p, nil
}

// groupPatch is W6's body: add one member, remove another, as Okta's
// Push Groups sends membership changes.
func groupPatch(add, remove string) []byte {
	return []byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[` +
		`{"op":"add","path":"members","value":[{"value":"` + add + `"}]},` +
		`{"op":"remove","path":"members[value eq \"` + remove + `\"]"}]}`)
}

// newScimkitGroups is scimkit's Handler over memstore with the fixture
// loaded through the Store API.
func newScimkitGroups(ctx context.Context, s GroupSizes) (*groupPeer, error) {
	store := memstore.New()
	h, err := scim.NewHandler(store, scim.Config{})
	if err != nil {
		return nil, err
	}
	ids, err := preload(ctx, store, s.users()+2)
	if err != nil {
		return nil, err
	}
	p := &groupPeer{handler: h, out: [2]string{ids[len(ids)-2], ids[len(ids)-1]}}
	mk := func(name string, members []string) (string, error) {
		g := &scim.Group{DisplayName: name}
		for _, m := range members {
			g.Members = append(g.Members, scim.Member{Value: m})
		}
		stored, err := store.CreateGroup(ctx, g)
		if err != nil {
			return "", err
		}
		return stored.ID, nil
	}
	if p.small, err = mk("small", fixtureMembers(ids, s.Small, p.out[1])); err != nil {
		return nil, err
	}
	if p.big, err = mk("big", fixtureMembers(ids, s.Big, p.out[1])); err != nil {
		return nil, err
	}
	if p.wide, err = mk("wide", fixtureMembers(ids, s.Wide, "")); err != nil {
		return nil, err
	}
	for k := range s.Groups {
		if _, err := mk(groupName(k), nil); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// groupCase is one workload at one size against a group peer.
type groupCase struct {
	workload string
	sizeKey  string // "members" or "groups"
	size     int
}

// groupCases are the workloads at the fixture's sizes, in table order.
func groupCases(s GroupSizes) []groupCase {
	s = s.withDefaults()
	return []groupCase{
		{GroupW6, "members", s.Small}, {GroupW6, "members", s.Big},
		{GroupW7, "members", s.Small}, {GroupW7, "members", s.Big},
		{GroupW8, "members", s.Wide},
		{GroupW9, "groups", s.Groups},
	}
}

// request returns the i-th request of c against p.
func (p *groupPeer) request(c groupCase, rng *rand.Rand) (method string, t target, body []byte) {
	switch c.workload {
	case GroupW6:
		id := p.small
		if c.size == p.sizes.Big {
			id = p.big
		}
		n := p.patches[id]
		p.patches[id] = n + 1
		t := p.smallT
		if id == p.big {
			t = p.bigT
		}
		return http.MethodPatch, t, p.patchBody[id][n%2]
	case GroupW7:
		if c.size == p.sizes.Big {
			return http.MethodGet, p.bigX, nil
		}
		return http.MethodGet, p.smallX, nil
	case GroupW8:
		return http.MethodGet, p.wideT, nil
	}
	return http.MethodGet, p.lookups[rng.IntN(len(p.lookups))], nil
}

type checkedGroup struct {
	ID          string  `json:"id"`
	DisplayName string  `json:"displayName"`
	Members     []mrefs `json:"members"`
}

type mrefs struct {
	Value string `json:"value"`
}

// check checks the answer to the request of c for target t.
func (p *groupPeer) check(c groupCase, t target, status int, body []byte) error {
	fail := func(format string, a ...any) error {
		return fmt.Errorf("%s %s %s=%d %s: %s: %.300s", p.name, c.workload, c.sizeKey, c.size, t.uri, fmt.Sprintf(format, a...), body)
	}
	if c.workload == GroupW6 {
		if status != http.StatusNoContent && status != http.StatusOK {
			return fail("status %d, want 204 or 200", status)
		}
		return nil
	}
	if status != http.StatusOK {
		return fail("status %d, want 200", status)
	}
	switch c.workload {
	case GroupW7, GroupW8:
		var g checkedGroup
		if err := json.Unmarshal(body, &g); err != nil {
			return fail("%v", err)
		}
		want := map[string]string{p.small: "small", p.big: "big", p.wide: "wide"}[g.ID]
		if want == "" || g.DisplayName != want {
			return fail("id %q displayName %q", g.ID, g.DisplayName)
		}
		switch {
		case c.workload == GroupW8 && len(g.Members) != c.size:
			return fail("%d members, want %d", len(g.Members), c.size)
		case c.workload == GroupW7 && g.Members != nil && p.name != PeerElimity:
			// elimity ignores excludedAttributes on GET (it reads it only
			// in a .search body): it sends every member, and is timed so.
			return fail("%d members, want none (excludedAttributes=members)", len(g.Members))
		}
	case GroupW9:
		var l struct {
			TotalResults int            `json:"totalResults"`
			Resources    []checkedGroup `json:"Resources"`
		}
		if err := json.Unmarshal(body, &l); err != nil {
			return fail("%v", err)
		}
		f, _ := url.ParseQuery(t.query)
		name := strings.TrimSuffix(strings.TrimPrefix(f.Get("filter"), `displayName eq "`), `"`)
		if l.TotalResults != 1 || len(l.Resources) != 1 || l.Resources[0].DisplayName != name || l.Resources[0].Members != nil {
			return fail("want one group %q without members", name)
		}
	}
	return nil
}

// checkMembership checks, once per peer, that W6 really moved the
// outsiders: after an odd number of its PATCHes on the small group,
// out[0] is a member and out[1] is not, and after an even number the
// reverse.
func (p *groupPeer) checkMembership() error {
	var rec recorder
	rec.h = http.Header{}
	r, _ := http.NewRequest(http.MethodGet, p.smallT.uri, nil)
	p.handler.ServeHTTP(&rec, r)
	var g checkedGroup
	if err := json.Unmarshal(rec.body, &g); err != nil || rec.code != http.StatusOK {
		return fmt.Errorf("%s: GET %s after W6: status %d, %v: %.300s", p.name, p.smallT.uri, rec.code, err, rec.body)
	}
	in, out := p.out[0], p.out[1]
	if p.patches[p.small]%2 == 0 {
		in, out = out, in
	}
	has := func(id string) bool {
		return slices.ContainsFunc(g.Members, func(m mrefs) bool { return m.Value == id })
	}
	if !has(in) || has(out) || len(g.Members) != p.sizes.Small {
		return fmt.Errorf("%s: after %d W6 PATCHes the small group has %d members, %s in: %v, %s in: %v; want %d, true, false",
			p.name, p.patches[p.small], len(g.Members), in, has(in), out, has(out), p.sizes.Small)
	}
	return nil
}

// runGroup times c against p in process, as run does for the user
// workloads: a reused request and ResponseWriter, the first response of
// every round checked.
func runGroup(b *testing.B, p *groupPeer, c groupCase) error {
	rng := rand.New(rand.NewPCG(uint64(b.N), 3))
	r := &http.Request{
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		URL:        &url.URL{},
		Header:     http.Header{"Content-Type": {"application/scim+json"}},
		Host:       "example.com",
		RemoteAddr: "192.0.2.1:1234",
	}
	var body bodyReader
	rec := &recorder{h: http.Header{}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		method, t, bb := p.request(c, rng)
		r.Method = method
		r.URL.Path, r.URL.RawQuery, r.RequestURI = t.path, t.query, t.uri
		if bb != nil {
			body.reset(bb)
			r.Body, r.ContentLength = &body, int64(len(bb))
		} else {
			r.Body, r.ContentLength = http.NoBody, 0
		}
		rec.reset()
		p.handler.ServeHTTP(rec, r)
		if i == 0 {
			b.StopTimer()
			if err := p.check(c, t, rec.code, rec.body); err != nil {
				return err
			}
			if c.workload == GroupW6 && c.size == p.sizes.Small && !p.checkedMembership {
				if err := p.checkMembership(); err != nil {
					return err
				}
				p.checkedMembership = true
			}
			b.StartTimer()
		}
	}
	return nil
}

// GroupResult is the timing of one group workload at one size against one
// peer.
type GroupResult struct {
	// Workload is W6…W9; SizeKey says what Size counts: "members" (W6, W7,
	// W8) or "groups" (W9).
	Workload, SizeKey string
	Size              int
	Peer              string
	N                 int
	// NsPerOp, AllocsPerOp and BytesPerOp are per request.
	NsPerOp     float64
	AllocsPerOp int64
	BytesPerOp  int64
	// Err is a wrong answer or a failure to build the peer.
	Err error
}

// GroupOptions configures the group comparison.
type GroupOptions struct {
	// Sizes are the fixture's sizes (defaults: 10 and 100,000 members,
	// 10,000 for W8, 10,000 groups).
	Sizes GroupSizes
	// Peers are the group peers, by name. Default GroupPeers().
	Peers []string
}

// RunGroups times every group workload against every group peer in
// process, one peer at a time, with testing.Benchmark (its benchtime is
// Compare's).
func RunGroups(ctx context.Context, o GroupOptions, progress func(GroupResult)) ([]GroupResult, error) {
	if len(o.Peers) == 0 {
		o.Peers = GroupPeers()
	}
	var out []GroupResult
	for _, name := range o.Peers {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		p, err := newGroupPeer(ctx, name, o.Sizes)
		cases := groupCases(o.Sizes)
		if err != nil {
			for _, c := range cases {
				out = append(out, GroupResult{Workload: c.workload, SizeKey: c.sizeKey, Size: c.size, Peer: name, Err: err})
			}
			continue
		}
		for _, c := range cases {
			var failed error
			br := testing.Benchmark(func(b *testing.B) {
				if err := runGroup(b, p, c); err != nil {
					failed = err
					b.FailNow()
				}
			})
			r := GroupResult{Workload: c.workload, SizeKey: c.sizeKey, Size: c.size, Peer: name, N: br.N,
				AllocsPerOp: br.AllocsPerOp(), BytesPerOp: br.AllocedBytesPerOp(), Err: failed}
			if br.N > 0 {
				r.NsPerOp = float64(br.T.Nanoseconds()) / float64(br.N)
			} else if r.Err == nil {
				r.Err = fmt.Errorf("the benchmark did not run")
			}
			out = append(out, r)
			if progress != nil {
				progress(r)
			}
		}
		if p.close != nil {
			if err := p.close(); err != nil {
				return out, err
			}
		}
	}
	return out, nil
}

// groupOrder is the order of the peers in group RESULT lines.
var groupOrder = []string{PeerScimkit, PeerBare, PeerElimity, PeerSQLStore, PeerSQLDirect}

// groupRatios are the throughput ratios the group table and RESULT lines
// show.
var groupRatios = [][2]string{{PeerScimkit, PeerBare}, {PeerScimkit, PeerElimity}, {PeerSQLStore, PeerSQLDirect}}

// groupRow is the results of one group workload at one size, by peer.
type groupRow struct {
	c      groupCase
	byPeer map[string]GroupResult
}

func (rep *Report) groupRows() []groupRow {
	var rows []groupRow
	for _, c := range groupCases(rep.GroupSizes) {
		r := groupRow{c: c, byPeer: map[string]GroupResult{}}
		for _, res := range rep.Groups {
			if res.Workload == c.workload && res.Size == c.size && res.SizeKey == c.sizeKey {
				r.byPeer[res.Peer] = res
			}
		}
		if len(r.byPeer) > 0 {
			rows = append(rows, r)
		}
	}
	return rows
}

// ns is peer's time per request, NaN when missing or wrong.
func (r groupRow) ns(peer string) float64 {
	res, ok := r.byPeer[peer]
	if !ok || res.Err != nil || res.NsPerOp == 0 {
		return math.NaN()
	}
	return res.NsPerOp
}

// speedup is a's throughput over b's.
func (r groupRow) speedup(a, b string) float64 { return r.ns(b) / r.ns(a) }

func (r GroupResult) cell() string {
	if r.Err != nil {
		return "error"
	}
	return fmt.Sprintf("%s %da", formatNs(r.NsPerOp), r.AllocsPerOp)
}

// writeGroupTable writes the group workloads' in-process table.
func (rep *Report) writeGroupTable(w io.Writer) {
	fmt.Fprintf(w, "groups in process (issue 12; ServeHTTP without net/http): time and allocations per request; ratios are throughput, higher is better for the first\n\n")
	peers := rep.GroupPeers
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "workload\tsize\t")
	for _, p := range peers {
		fmt.Fprintf(tw, "%s\t", p)
	}
	for _, rt := range groupRatios {
		fmt.Fprintf(tw, "%s/%s\t", rt[0], rt[1])
	}
	fmt.Fprintln(tw)
	var errs []GroupResult
	for _, r := range rep.groupRows() {
		fmt.Fprintf(tw, "%s\t%s=%d\t", r.c.workload, r.c.sizeKey, r.c.size)
		for _, p := range peers {
			res, ok := r.byPeer[p]
			if !ok {
				fmt.Fprint(tw, "-\t")
				continue
			}
			if res.Err != nil {
				errs = append(errs, res)
			}
			fmt.Fprintf(tw, "%s\t", res.cell())
		}
		for _, rt := range groupRatios {
			fmt.Fprintf(tw, "%s\t", formatRatio(r.speedup(rt[0], rt[1])))
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	fmt.Fprintln(w, "W6: PATCH add one member, remove another; W7: GET /Groups/{id}?excludedAttributes=members (elimity ignores it and sends every member);")
	fmt.Fprintln(w, "W8: GET /Groups/{id} with every member; W9: GET /Groups?excludedAttributes=members&filter=displayName eq \"…\"")
	for _, e := range errs {
		fmt.Fprintf(w, "error: %s %s %s=%d: %v\n", e.Peer, e.Workload, e.SizeKey, e.Size, e.Err)
	}
}

// writeGroupResults writes one RESULT line per group workload and size,
//
//	RESULT workload=W6 members=100000 scimkit_ns=… bare_ns=… elimity_ns=… sqlstore_ns=… sqldirect_ns=… scimkit_allocs=… … scimkit_vs_bare=… scimkit_vs_elimity=… sqlstore_vs_sqldirect=…
//
// (groups=… instead of members=… for W9), in the format of the user
// workloads' in-process lines.
func (rep *Report) writeGroupResults(w io.Writer) {
	for _, r := range rep.groupRows() {
		var b strings.Builder
		fmt.Fprintf(&b, "RESULT workload=%s %s=%d", r.c.workload, r.c.sizeKey, r.c.size)
		for _, p := range groupOrder {
			if res, ok := r.byPeer[p]; ok && res.Err == nil {
				fmt.Fprintf(&b, " %s_ns=%.0f", key(p), res.NsPerOp)
			} else if ok {
				fmt.Fprintf(&b, " %s_ns=NaN %s_error=1", key(p), key(p))
			}
		}
		for _, p := range groupOrder {
			if res, ok := r.byPeer[p]; ok && res.Err == nil {
				fmt.Fprintf(&b, " %s_allocs=%d %s_bytes=%d", key(p), res.AllocsPerOp, key(p), res.BytesPerOp)
			}
		}
		for _, rt := range groupRatios {
			if f := r.speedup(rt[0], rt[1]); !math.IsNaN(f) {
				fmt.Fprintf(&b, " %s_vs_%s=%.3f", key(rt[0]), key(rt[1]), f)
			}
		}
		fmt.Fprintln(w, b.String())
	}
}

// GroupTargets checks the group figures against issue 12's targets: W6
// and W7 at the big group within 1.25× their time at the small one for
// memstore and sqlstore; W6 scimkit ≥ 10× elimity's throughput at the big
// group; sqlstore ≥ 0.8× the direct-SQL peer's throughput (time ≤ 1.25×
// its time) on every group workload.
func (rep *Report) GroupTargets() []Target {
	s := rep.GroupSizes.withDefaults()
	rows := rep.groupRows()
	find := func(w string, size int) groupRow {
		for _, r := range rows {
			if r.c.workload == w && r.c.size == size {
				return r
			}
		}
		return groupRow{byPeer: map[string]GroupResult{}}
	}
	var out []Target
	for _, w := range []string{GroupW6, GroupW7} {
		for _, p := range []string{PeerScimkit, PeerSQLStore} {
			t := Target{Goal: fmt.Sprintf("%s %s time at %d members ≤ 1.25× at %d", w, p, s.Big, s.Small)}
			lo, hi := find(w, s.Small).ns(p), find(w, s.Big).ns(p)
			if v := hi / lo; !math.IsNaN(v) {
				t.Known, t.Met, t.Measured = true, v <= 1.25, fmt.Sprintf("%.2f× (%s → %s)", v, formatNs(lo), formatNs(hi))
			}
			out = append(out, t)
		}
	}
	t := Target{Goal: fmt.Sprintf("W6 scimkit ≥ 10× elimity throughput at %d members", s.Big)}
	if v := find(GroupW6, s.Big).speedup(PeerScimkit, PeerElimity); !math.IsNaN(v) {
		t.Known, t.Met, t.Measured = true, v >= 10, fmt.Sprintf("%.1f×", v)
	}
	out = append(out, t)
	for _, c := range groupCases(s) {
		t := Target{Goal: fmt.Sprintf("%s %s=%d sqlstore ≥ 0.8× sqldirect throughput (time ≤ 1.25×)", c.workload, c.sizeKey, c.size)}
		if v := find(c.workload, c.size).speedup(PeerSQLStore, PeerSQLDirect); !math.IsNaN(v) {
			t.Known, t.Met, t.Measured = true, v >= 0.8, fmt.Sprintf("%.2f×", v)
		}
		out = append(out, t)
	}
	return out
}
