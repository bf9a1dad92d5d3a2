package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/memstore"
)

// The group workloads of issue 12, sent over HTTP (RunHTTP with
// HTTPOptions.Groups) and timed in process (RunGroups) against the group
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
	// Pairs is the number of outsider pairs [8]: W6 over HTTP sends from
	// as many connections, each moving its own pair, so that every PATCH
	// changes two memberships however the connections interleave. The
	// small and big groups hold one of each pair, so Small > Pairs.
	Pairs int
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
	def(&s.Pairs, 8)
	return s
}

func (s GroupSizes) validate() error {
	if s.Pairs >= s.Small || s.Pairs >= s.Big {
		return fmt.Errorf("bench: group sizes %d and %d cannot hold %d outsiders", s.Small, s.Big, s.Pairs)
	}
	return nil
}

// users is how many users the fixture holds: enough for the largest
// group, and the outsiders.
func (s GroupSizes) users() int { return max(s.Small, s.Big, s.Wide) + 2*s.Pairs }

// String is the fixture as the -serve child's argument: "groups=" and
// the five sizes.
func (s GroupSizes) String() string {
	return fmt.Sprintf("groups=%d,%d,%d,%d,%d", s.Small, s.Big, s.Wide, s.Groups, s.Pairs)
}

// parseGroupSizes is the inverse of GroupSizes.String.
func parseGroupSizes(arg string) (GroupSizes, bool) {
	v, ok := strings.CutPrefix(arg, "groups=")
	f := strings.Split(v, ",")
	if !ok || len(f) != 5 {
		return GroupSizes{}, false
	}
	var n [5]int
	for i := range f {
		var err error
		if n[i], err = strconv.Atoi(f[i]); err != nil {
			return GroupSizes{}, false
		}
	}
	return GroupSizes{Small: n[0], Big: n[1], Wide: n[2], Groups: n[3], Pairs: n[4]}, true
}

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

// groupFixture is what a group peer holds besides its users: the groups
// small, big and wide and the outsider pairs. Small and big hold
// Out[i][1] and not Out[i][0] of every pair, so that W6's first PATCH of
// pair i (add Out[i][0], remove Out[i][1]) and every one after it,
// alternating, changes two memberships. A -serve child writes it as JSON
// for its load generator, as it writes user ids for the user workloads.
type groupFixture struct {
	Sizes            GroupSizes
	Small, Big, Wide string      // group ids
	Out              [][2]string // user ids
}

// layout returns the members of the small, big and wide groups and the
// outsider pairs of a fixture whose users have the given ids (users()
// of them: the outsiders last).
func (s GroupSizes) layout(ids []string) (small, big, wide []string, out [][2]string) {
	outs := ids[len(ids)-2*s.Pairs:]
	with := func(n int) []string {
		m := slices.Clone(ids[:n-s.Pairs])
		for i := range s.Pairs {
			m = append(m, outs[2*i+1])
		}
		return m
	}
	for i := range s.Pairs {
		out = append(out, [2]string{outs[2*i], outs[2*i+1]})
	}
	return with(s.Small), with(s.Big), slices.Clone(ids[:s.Wide]), out
}

// group returns the id of the group a case of w at size asks for.
func (f *groupFixture) group(w *Workload, size int) string {
	switch {
	case w == w8:
		return f.Wide
	case size == f.Sizes.Big:
		return f.Big
	}
	return f.Small
}

// displayName is the displayName of the fixture group with the given id.
func (f *groupFixture) displayName(id string) string {
	return map[string]string{f.Small: "small", f.Big: "big", f.Wide: "wide"}[id]
}

// groupPeer is one server loaded with the group fixture.
type groupPeer struct {
	name    string
	handler http.Handler
	fix     groupFixture
	close   func() error
	// sent counts, per group, the W6 PATCHes of outsider pair 0 sent in
	// process so far: they alternate across benchmark rounds.
	sent              map[string]*int
	checkedMembership bool
}

func newGroupPeer(ctx context.Context, name string, s GroupSizes) (*groupPeer, error) {
	s = s.withDefaults()
	if err := s.validate(); err != nil {
		return nil, err
	}
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
	p.name, p.fix.Sizes = name, s
	p.sent = map[string]*int{p.fix.Small: new(int), p.fix.Big: new(int)}
	return p, nil
}

// newScimkitGroups is scimkit's Handler over memstore with the fixture
// loaded through the Store API.
func newScimkitGroups(ctx context.Context, s GroupSizes) (*groupPeer, error) {
	store := memstore.New()
	h, err := scim.NewHandler(store, scim.Config{Authenticator: scim.SkipAuthentication})
	if err != nil {
		return nil, err
	}
	ids, err := preload(ctx, store, s.users())
	if err != nil {
		return nil, err
	}
	small, big, wide, out := s.layout(ids)
	p := &groupPeer{handler: h, fix: groupFixture{Out: out}}
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
	if p.fix.Small, err = mk("small", small); err != nil {
		return nil, err
	}
	if p.fix.Big, err = mk("big", big); err != nil {
		return nil, err
	}
	if p.fix.Wide, err = mk("wide", wide); err != nil {
		return nil, err
	}
	for k := range s.Groups {
		if _, err := mk(groupName(k), nil); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// The group workloads, in the Workload shape the user workloads have, so
// that the load generator and the in-process loop run them alike. They
// take their targets from a gen's groups part.
var (
	w6 = &Workload{
		Name: GroupW6, Title: "PATCH /Groups/{id}: add one member, remove another", SizeKey: "members",
		Write: true, Status: http.StatusNoContent,
		next: func(g *gen) step {
			gg := g.groups
			n := *gg.sent
			*gg.sent = n + 1
			return step{method: http.MethodPatch, t: gg.get, body: gg.patch[n%2]}
		},
		// The answer has no body: what W6 did is checked with a GET after
		// the run (groupFixture.checkMoved).
		check: func(step, []byte) error { return nil },
	}
	w7 = &Workload{
		Name: GroupW7, Title: "GET /Groups/{id}?excludedAttributes=members", SizeKey: "members", Status: http.StatusOK,
		next: func(g *gen) step {
			gg := g.groups
			members := 0
			if gg.lenient {
				members = -1
			}
			return step{method: http.MethodGet, t: gg.getX, name: gg.name, members: members}
		},
		check: checkGroup,
	}
	w8 = &Workload{
		Name: GroupW8, Title: "GET /Groups/{id} with every member", SizeKey: "members", Status: http.StatusOK,
		next: func(g *gen) step {
			gg := g.groups
			return step{method: http.MethodGet, t: gg.get, name: gg.name, members: gg.fix.Sizes.Wide}
		},
		check: checkGroup,
	}
	w9 = &Workload{
		Name: GroupW9, Title: `GET /Groups?excludedAttributes=members&filter=displayName eq "…"`, SizeKey: "groups", Status: http.StatusOK,
		next: func(g *gen) step {
			gg := g.groups
			i := g.rng.IntN(len(gg.lookups))
			return step{method: http.MethodGet, t: gg.lookups[i], name: gg.names[i]}
		},
		check: func(st step, body []byte) error {
			var l struct {
				TotalResults int            `json:"totalResults"`
				Resources    []checkedGroup `json:"Resources"`
			}
			if err := json.Unmarshal(body, &l); err != nil {
				return err
			}
			if l.TotalResults != 1 || len(l.Resources) != 1 || l.Resources[0].DisplayName != st.name || l.Resources[0].Members != nil {
				return fmt.Errorf("totalResults %d with %d resources; want one group %q without members", l.TotalResults, len(l.Resources), st.name)
			}
			return nil
		},
	}
)

// groupRegistry is every group workload, in the order of tables and
// RESULT lines.
var groupRegistry = []*Workload{w6, w7, w8, w9}

// groupGen is a gen's part for one case of a group workload (the
// workload at one size) against a group fixture.
type groupGen struct {
	fix *groupFixture
	// get and getX are the case's group, without and with
	// ?excludedAttributes=members; name is its displayName.
	get, getX target
	name      string
	// W6: the two bodies moving outsider pair `pair`, and the PATCHes
	// built for it so far; they alternate.
	pair  int
	patch [2][]byte
	sent  *int
	// lenient: the peer (elimity) ignores excludedAttributes on GET.
	lenient bool
	// W9's ring of lookups and the displayNames they ask for.
	lookups []target
	names   []string
}

// newGroupGen makes the requests of w at size against fix; W6 moves
// outsider pair `pair` and counts its PATCHes in sent.
func newGroupGen(seed uint64, fix *groupFixture, w *Workload, size, pair int, sent *int, lenient bool) *gen {
	id := fix.group(w, size)
	get := func(q string) target {
		t := target{path: "/Groups/" + id, uri: "/Groups/" + url.PathEscape(id)}
		if q != "" {
			t.query, t.uri = q, t.uri+"?"+q
		}
		return t
	}
	gg := &groupGen{fix: fix, get: get(""), getX: get("excludedAttributes=members"), name: fix.displayName(id),
		pair: pair, sent: sent, lenient: lenient}
	if w == w6 {
		out := fix.Out[pair]
		gg.patch = [2][]byte{groupPatch(out[0], out[1]), groupPatch(out[1], out[0])}
	}
	g := &gen{rng: rand.New(rand.NewPCG(seed, 0x9a0)), groups: gg}
	if w == w9 {
		// A ring, so that the timed loop builds no strings of its own.
		gg.lookups, gg.names = make([]target, 4096), make([]string, 4096)
		for i := range gg.lookups {
			gg.names[i] = groupName(g.rng.IntN(fix.Sizes.Groups))
			q := "excludedAttributes=members&filter=" + url.QueryEscape(`displayName eq "`+gg.names[i]+`"`)
			gg.lookups[i] = target{path: "/Groups", query: q, uri: "/Groups?" + q}
		}
	}
	return g
}

// groupPatch is W6's body: add one member, remove another, as Okta's
// Push Groups sends membership changes.
func groupPatch(add, remove string) []byte {
	return []byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[` +
		`{"op":"add","path":"members","value":[{"value":"` + add + `"}]},` +
		`{"op":"remove","path":"members[value eq \"` + remove + `\"]"}]}`)
}

type checkedGroup struct {
	ID          string  `json:"id"`
	DisplayName string  `json:"displayName"`
	Members     []mrefs `json:"members"`
}

type mrefs struct {
	Value string `json:"value"`
}

// checkGroup checks a GET of one group (W7, W8): its id and displayName,
// and st.members members (none for W7; any number when -1).
func checkGroup(st step, body []byte) error {
	var g checkedGroup
	if err := json.Unmarshal(body, &g); err != nil {
		return err
	}
	if "/Groups/"+g.ID != st.t.path || g.DisplayName != st.name {
		return fmt.Errorf("id %q displayName %q, want %q", g.ID, g.DisplayName, st.name)
	}
	if st.members >= 0 && len(g.Members) != st.members {
		return fmt.Errorf("%d members, want %d", len(g.Members), st.members)
	}
	return nil
}

// checkMoved checks a GET of W6's group id (body) after its PATCHes: pair
// i was moved sent[i] times, its outsiders swapping at each, and the
// group kept its size.
func (f *groupFixture) checkMoved(id string, body []byte, sent map[int]int) error {
	var g checkedGroup
	if err := json.Unmarshal(body, &g); err != nil {
		return fmt.Errorf("GET /Groups/%s after W6: %v: %.300s", id, err, body)
	}
	has := make(map[string]bool, len(g.Members))
	for _, m := range g.Members {
		has[m.Value] = true
	}
	size := f.Sizes.Small
	if id == f.Big {
		size = f.Sizes.Big
	}
	if len(g.Members) != size {
		return fmt.Errorf("GET /Groups/%s after W6: %d members, want %d", id, len(g.Members), size)
	}
	for i, n := range sent {
		in, out := f.Out[i][0], f.Out[i][1]
		if n%2 == 0 {
			in, out = out, in
		}
		if !has[in] || has[out] {
			return fmt.Errorf("GET /Groups/%s after %d W6 PATCHes of pair %d: %s in: %v, %s in: %v; want true, false",
				id, n, i, in, has[in], out, has[out])
		}
	}
	return nil
}

// groupCase is one workload at one size against a group peer.
type groupCase struct {
	w    *Workload
	size int
}

// groupCases are the workloads at the fixture's sizes, in table order.
func groupCases(s GroupSizes) []groupCase {
	s = s.withDefaults()
	return []groupCase{
		{w6, s.Small}, {w6, s.Big},
		{w7, s.Small}, {w7, s.Big},
		{w8, s.Wide},
		{w9, s.Groups},
	}
}

// gen makes c's requests against p in process: W6 moves pair 0.
func (p *groupPeer) gen(c groupCase, seed uint64) *gen {
	return newGroupGen(seed, &p.fix, c.w, c.size, 0, p.sent[p.fix.group(c.w, c.size)], p.name == PeerElimity)
}

// checkMembership checks, once per peer, that W6 really moved pair 0 of
// the small group.
func (p *groupPeer) checkMembership() error {
	id := p.fix.Small
	rec := &recorder{h: http.Header{}}
	r, _ := http.NewRequest(http.MethodGet, "/Groups/"+url.PathEscape(id), nil)
	p.handler.ServeHTTP(rec, r)
	if rec.code != http.StatusOK {
		return fmt.Errorf("%s: GET /Groups/%s after W6: status %d: %.300s", p.name, id, rec.code, rec.body)
	}
	if err := p.fix.checkMoved(id, rec.body, map[int]int{0: *p.sent[id]}); err != nil {
		return fmt.Errorf("%s: %w", p.name, err)
	}
	return nil
}
