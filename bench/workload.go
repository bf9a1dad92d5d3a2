package bench

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"sync/atomic"
)

// Workload is one kind of request the comparison times, with the check
// that the first response of every round is right.
type Workload struct {
	// Name is the workload's name in tables and RESULT lines: W1, W2, W3,
	// W4, W5okta or W5entra.
	Name string
	// Title says in a few words what it requests.
	Title string
	// Write says the workload changes users; bare-pre does not serve it.
	Write bool
	// Unique says every request must differ from every other (a create
	// needs a new userName): the load generator builds each one as it
	// goes instead of cycling a ring built before the run, and the
	// workload runs after the others, as it adds users.
	Unique bool
	// Status is the status a right answer has.
	Status int
	// SizeKey is empty for the user workloads, whose size is the number
	// of preloaded users; for a group workload it says what the size of a
	// case counts: "members" (W6–W8) or "groups" (W9).
	SizeKey string
	// Base, on a projected workload (W1a, W3a), names the workload whose
	// requests it repeats with an attributes parameter: only the scimkit
	// peers serve it, and its target compares its CPU per request with
	// Base's, so that projection is seen to cost no more than it saves.
	Base string

	next  func(g *gen) step
	check func(st step, body []byte) error
}

// registry is every workload, in the order of tables and RESULT lines.
//
// To add a workload: declare a *Workload below with a Name, a Title, the
// Status of a right answer, next (one request, from a *gen) and check (of
// a response body, against the step that asked for it); set Write when it
// changes users and Unique when no two requests may be the same; append it
// here. If some peers cannot serve it, say so in serves (peer.go). Both
// the in-process benchmarks and the over-HTTP load generator then run it,
// and its rows, RESULT lines and the per-workload targets (targets.go)
// follow.
var registry = []*Workload{w1, w2, w3, w4, w5okta, w5entra, w1a, w3a}

// Workloads returns the workloads in the order they run against a peer:
// the reads, then the writes that change preloaded users, then those that
// add users (Unique).
func Workloads() []*Workload {
	out := slices.Clone(registry)
	rank := func(w *Workload) int {
		switch {
		case w.Unique:
			return 2
		case w.Write:
			return 1
		}
		return 0
	}
	slices.SortStableFunc(out, func(a, b *Workload) int { return rank(a) - rank(b) })
	return out
}

// WorkloadNamed returns the workload with the given name (W6–W9
// included), or nil.
func WorkloadNamed(name string) *Workload {
	for _, w := range append(Workloads(), groupRegistry...) {
		if w.Name == name {
			return w
		}
	}
	return nil
}

// gen makes the requests of a workload against one server: in process
// from a Peer's ids, or over the network from a sample of them.
type gen struct {
	rng    *rand.Rand
	n      int                // preloaded users
	pick   func() int         // a random key whose id is known
	user   func(k int) target // /Users/{id of k}
	filter func(k int) target // Okta's existence check for k
	id     func(k int) string
	pages  []target // W3's random startIndex values
	// groups is the part of a group workload's generator (W6–W9).
	groups *groupGen
}

// step is one request and what its answer must say.
type step struct {
	method string
	t      target
	body   []byte
	k      int    // the preloaded user concerned
	start  int    // W3's startIndex
	name   string // W4's new userName; W7–W9's group's displayName
	// members is how many members W7's and W8's answer lists (-1: any
	// number).
	members int
}

func newGen(seed uint64, n int, pick func(rng *rand.Rand) int, user, filter func(k int) target, id func(k int) string) *gen {
	g := &gen{rng: rand.New(rand.NewPCG(seed, 0x5c1)), n: n, user: user, filter: filter, id: id}
	g.pick = func() int { return pick(g.rng) }
	// A ring of startIndex values, so that the timed loop builds no
	// strings of its own; 4096 pages spread over the whole list.
	g.pages = make([]target, 4096)
	for i := range g.pages {
		s := 1
		if n > 100 {
			s = 1 + g.rng.IntN(n-99)
		}
		q := "startIndex=" + strconv.Itoa(s) + "&count=100"
		g.pages[i] = target{path: "/Users", query: q, uri: "/Users?" + q}
	}
	return g
}

// peerGen makes requests from every preloaded user of p.
func peerGen(p *Peer, seed uint64) *gen {
	users, filters := p.userTargets(), p.filterTargets()
	n := len(p.ids)
	return newGen(seed, n,
		func(rng *rand.Rand) int { return rng.IntN(n) },
		func(k int) target { return users[k] },
		func(k int) target { return filters[k] },
		p.ID)
}

// projected returns t with attributes=userName added to its query: the
// projection of W1a and W3a, the one Okta and Entra-style importers ask
// for when they want ids and names only (RFC 7644 §3.9).
func projected(t target) target {
	const q = "attributes=userName"
	if t.query == "" {
		t.query, t.uri = q, t.uri+"?"+q
	} else {
		t.query, t.uri = t.query+"&"+q, t.uri+"&"+q
	}
	return t
}

// projectedNext makes base's requests with attributes=userName.
func projectedNext(base *Workload) func(*gen) step {
	return func(g *gen) step {
		st := base.next(g)
		st.t = projected(st.t)
		return st
	}
}

// checkProjected checks a projected user: userName and id as asked (id is
// returned always), nothing of the returned-by-default attributes left.
func checkProjected(u *checkedUser) error {
	if u.ID == "" {
		return fmt.Errorf("no id in a projected user")
	}
	if u.Active != nil || u.ExternalID != "" || u.Name.GivenName != "" || len(u.Emails) > 0 {
		return fmt.Errorf("attributes=userName returned more: %+v", *u)
	}
	return nil
}

// created numbers the users W4 creates, unique in the process.
var created atomic.Uint64

var (
	w1 = &Workload{
		Name: "W1", Title: "GET /Users/{id}", Status: http.StatusOK,
		next: func(g *gen) step {
			k := g.pick()
			return step{method: http.MethodGet, t: g.user(k), k: k}
		},
		check: checkUser(func(st step, u *checkedUser) error {
			return want("userName", u.UserName, UserName(st.k))
		}),
	}
	w2 = &Workload{
		Name: "W2", Title: `GET /Users?filter=userName eq "…"`, Status: http.StatusOK,
		next: func(g *gen) step {
			k := g.rng.IntN(g.n)
			return step{method: http.MethodGet, t: g.filter(k), k: k}
		},
		check: func(st step, body []byte) error {
			var l checkedList
			if err := json.Unmarshal(body, &l); err != nil {
				return err
			}
			if l.TotalResults != 1 || len(l.Resources) != 1 {
				return fmt.Errorf("totalResults %d with %d resources, want 1", l.TotalResults, len(l.Resources))
			}
			return want("Resources[0].userName", l.Resources[0].UserName, UserName(st.k))
		},
	}
	w3 = &Workload{
		Name: "W3", Title: "GET /Users?startIndex=S&count=100", Status: http.StatusOK,
		next: func(g *gen) step {
			t := g.pages[g.rng.IntN(len(g.pages))]
			s, _ := strconv.Atoi(t.query[len("startIndex=") : len(t.query)-len("&count=100")])
			return step{method: http.MethodGet, t: t, start: s, k: g.n}
		},
		check: func(st step, body []byte) error {
			var l checkedList
			if err := json.Unmarshal(body, &l); err != nil {
				return err
			}
			if l.StartIndex != st.start || l.TotalResults < st.k {
				return fmt.Errorf("startIndex %d, totalResults %d; want %d and at least %d", l.StartIndex, l.TotalResults, st.start, st.k)
			}
			if want := min(100, st.k-st.start+1); len(l.Resources) != want || l.ItemsPerPage != want {
				return fmt.Errorf("%d resources, itemsPerPage %d; want %d", len(l.Resources), l.ItemsPerPage, want)
			}
			return nil
		},
	}
	w4 = &Workload{
		Name: "W4", Title: "POST /Users (Okta's create)", Write: true, Unique: true, Status: http.StatusCreated,
		next: func(g *gen) step {
			n := created.Add(1)
			return step{method: http.MethodPost, t: target{path: "/Users", uri: "/Users"}, body: oktaCreate(n),
				name: "new" + strconv.FormatUint(n, 10) + "@okta.local"}
		},
		check: checkUser(func(st step, u *checkedUser) error {
			if u.ID == "" {
				return fmt.Errorf("no id")
			}
			return want("userName", u.UserName, st.name)
		}),
	}
	w5okta = &Workload{
		Name: "W5okta", Title: "PATCH: Okta's deactivate", Write: true, Status: http.StatusOK,
		next: func(g *gen) step {
			k := g.pick()
			return step{method: http.MethodPatch, t: g.user(k), body: oktaDeactivate, k: k}
		},
		check: checkUser(func(st step, u *checkedUser) error {
			if u.Active == nil || *u.Active {
				return fmt.Errorf("active is %v, want false", u.Active)
			}
			return want("userName", u.UserName, UserName(st.k))
		}),
	}
	w5entra = &Workload{
		Name: "W5entra", Title: "PATCH: Entra's four operations", Write: true, Status: http.StatusOK,
		next: func(g *gen) step {
			k := g.pick()
			return step{method: http.MethodPatch, t: g.user(k), body: entraPatch, k: k}
		},
		check: checkUser(func(st step, u *checkedUser) error {
			if u.Active == nil || *u.Active {
				return fmt.Errorf("active is %v, want false", u.Active)
			}
			if len(u.Emails) != 1 {
				return fmt.Errorf("%d emails, want 1", len(u.Emails))
			}
			if err := want("emails[0].value", u.Emails[0].Value, "new@contoso.com"); err != nil {
				return err
			}
			if err := want("name.givenName", u.Name.GivenName, "Ann"); err != nil {
				return err
			}
			return want("externalId", u.ExternalID, "abc")
		}),
	}
	w1a = &Workload{
		Name: "W1a", Title: "GET /Users/{id}?attributes=userName", Status: http.StatusOK, Base: "W1",
		next: projectedNext(w1),
		check: checkUser(func(st step, u *checkedUser) error {
			if err := checkProjected(u); err != nil {
				return err
			}
			return want("userName", u.UserName, UserName(st.k))
		}),
	}
	w3a = &Workload{
		Name: "W3a", Title: "GET /Users?startIndex=S&count=100&attributes=userName", Status: http.StatusOK, Base: "W3",
		next: projectedNext(w3),
		check: func(st step, body []byte) error {
			if err := w3.check(st, body); err != nil {
				return err
			}
			var l checkedList
			if err := json.Unmarshal(body, &l); err != nil {
				return err
			}
			for i := range l.Resources {
				if err := checkProjected(&l.Resources[i]); err != nil {
					return err
				}
			}
			return nil
		},
	}
)

type checkedUser struct {
	ID         string `json:"id"`
	ExternalID string `json:"externalId"`
	UserName   string `json:"userName"`
	Active     *bool  `json:"active"`
	Name       struct {
		GivenName string `json:"givenName"`
	} `json:"name"`
	Emails []struct {
		Value string `json:"value"`
	} `json:"emails"`
}

type checkedList struct {
	TotalResults int           `json:"totalResults"`
	StartIndex   int           `json:"startIndex"`
	ItemsPerPage int           `json:"itemsPerPage"`
	Resources    []checkedUser `json:"Resources"`
}

func checkUser(fn func(st step, u *checkedUser) error) func(step, []byte) error {
	return func(st step, body []byte) error {
		var u checkedUser
		if err := json.Unmarshal(body, &u); err != nil {
			return err
		}
		return fn(st, &u)
	}
}

func want(field, got, want string) error {
	if got != want {
		return fmt.Errorf("%s is %q, want %q", field, got, want)
	}
	return nil
}
