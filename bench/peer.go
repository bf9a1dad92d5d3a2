package bench

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/activitylog"
)

// The names of the peers, as they appear in tables and RESULT lines.
const (
	// PeerBarePre is a bare net/http handler that writes each user's JSON
	// marshalled once at load time: the physical limit of a read. It serves
	// only the read workloads.
	PeerBarePre = "bare-pre"
	// PeerBare is a bare net/http handler that calls json.Marshal on every
	// response and json.Unmarshal on every request body, with a map by id,
	// a map by userName and a slice for paging, and no validation beyond
	// what the workloads need.
	PeerBare = "bare"
	// PeerElimity is github.com/elimity-com/scim with the straightforward
	// in-memory ResourceHandler its README points to.
	PeerElimity = "elimity"
	// PeerScimkit is scimkit's Handler over memstore, with a zero Config.
	PeerScimkit = "scimkit"
	// PeerSQLStore is scimkit's Handler over sqlstore on PostgreSQL
	// (SCIMKIT_TEST_POSTGRES).
	PeerSQLStore = "sqlstore"
	// PeerSQLDirect is a bare net/http handler that runs the same
	// statements as sqlstore for reads and creates directly through the
	// driver, with json.Marshal and json.Unmarshal: the baseline for
	// sqlstore.
	PeerSQLDirect = "sqldirect"
	// PeerScimkitRFC is PeerScimkit with Config.Profile set to
	// scim.ProfileRFC: it serves W1 and W2, to compare with the strict
	// profile, and the writes W4 and W5entra.
	PeerScimkitRFC = "scimkit-rfc"
	// PeerScimkitActivity is PeerScimkit with Config.Activity set to
	// activitylog.New(0, nil) (issue 16): it serves W1 and the W5
	// PATCHes, to measure the activity sink's cost on the hot path.
	PeerScimkitActivity = "scimkit-activity"
)

// PostgresEnv names the environment variable with the PostgreSQL DSN that
// enables the sqlstore and sqldirect peers.
const PostgresEnv = "SCIMKIT_TEST_POSTGRES"

// Peers returns the names of the peers this machine can run, in table
// order: the in-memory ones always, the PostgreSQL ones when PostgresEnv
// is set.
func Peers() []string {
	p := []string{PeerBarePre, PeerBare, PeerElimity, PeerScimkit, PeerScimkitRFC, PeerScimkitActivity}
	if os.Getenv(PostgresEnv) != "" && sqlPeersAvailable {
		p = append(p, PeerSQLDirect, PeerSQLStore)
	}
	return p
}

// Peer is one server under comparison, loaded with users.
type Peer struct {
	// Name is one of the Peer… constants.
	Name string
	// Handler serves the SCIM endpoints at /Users.
	Handler http.Handler

	ids   []string // ids[k] is the id of preloaded user k
	close func() error

	// Precomputed request targets, built on first use, so that the timed
	// loop allocates nothing of its own.
	userPaths   []target
	filterPaths []target
}

// target is a request target: the path (unescaped, as in URL.Path), the
// raw query and the request-URI as a client sends it.
type target struct {
	path, query, uri string
}

// NewPeer builds the named peer and preloads users 0…users-1 directly
// through its store (not through HTTP).
func NewPeer(ctx context.Context, name string, users int) (*Peer, error) {
	var (
		p   *Peer
		err error
	)
	switch name {
	case PeerBarePre, PeerBare:
		p = newBare(name == PeerBarePre, users)
	case PeerElimity:
		p, err = newElimity(users)
	case PeerScimkit:
		p, err = newScimkit(ctx, users, scim.Config{})
	case PeerScimkitRFC:
		p, err = newScimkit(ctx, users, scim.Config{Profile: scim.ProfileRFC})
	case PeerScimkitActivity:
		p, err = newScimkit(ctx, users, scim.Config{Activity: activitylog.New(0, nil)})
	case PeerSQLStore, PeerSQLDirect:
		p, err = newSQLPeer(ctx, name, users)
	default:
		return nil, fmt.Errorf("bench: unknown peer %q; known: %s", name, strings.Join([]string{PeerBarePre, PeerBare, PeerElimity, PeerScimkit, PeerScimkitRFC, PeerScimkitActivity, PeerSQLStore, PeerSQLDirect}, ", "))
	}
	if err != nil {
		return nil, fmt.Errorf("bench: peer %s: %w", name, err)
	}
	p.Name = name
	return p, nil
}

// serves reports whether the named peer takes part in the workload:
// bare-pre serves only reads; sqldirect serves reads and creation (W4),
// the baselines for sqlstore's lookups and creates; the scimkit variants
// serve only the workloads their targets name (W1 and W2 for the RFC
// profile, and its writes W4 and W5entra, which walk every RFC attribute's
// limits, W1 and the W5 PATCHes for the activity sink), to keep the
// -short run short. The projected workloads (Workload.Base) are served
// only by scimkit, and W1a by scimkit-rfc: the bare peers implement no
// projection, and what is compared is scimkit's request with and without
// it.
func serves(peer string, w *Workload) bool {
	if w.Base != "" {
		return peer == PeerScimkit || (peer == PeerScimkitRFC && w.Name == "W1a")
	}
	switch peer {
	case PeerScimkitRFC:
		return w.Name == "W1" || w.Name == "W2" || w.Name == "W4" || w.Name == "W5entra"
	case PeerScimkitActivity:
		return w.Name == "W1" || w.Name == "W5okta" || w.Name == "W5entra"
	case PeerBarePre:
		return !w.Write
	case PeerSQLDirect:
		return !w.Write || w.Name == "W4"
	}
	return true
}

// Users returns the number of preloaded users.
func (p *Peer) Users() int { return len(p.ids) }

// ID returns the id the peer's store gave preloaded user k.
func (p *Peer) ID(k int) string { return p.ids[k] }

// Serves reports whether the peer takes part in the workload (see serves).
func (p *Peer) Serves(w *Workload) bool { return serves(p.Name, w) }

// Close releases what the peer holds (a database's tables and pool).
func (p *Peer) Close() error {
	if p.close == nil {
		return nil
	}
	return p.close()
}

// userTargets returns /Users/{id} for every preloaded user.
func (p *Peer) userTargets() []target {
	if p.userPaths == nil {
		p.userPaths = make([]target, len(p.ids))
		for k, id := range p.ids {
			p.userPaths[k] = userTarget(id)
		}
	}
	return p.userPaths
}

func userTarget(id string) target {
	path := "/Users/" + id
	uri := path
	if e := url.PathEscape(id); e != id {
		uri = "/Users/" + e
	}
	return target{path: path, uri: uri}
}

// filterTargets returns Okta's existence check for every preloaded user:
// /Users?filter=userName eq "user{k}@example.com"&startIndex=1&count=100.
func (p *Peer) filterTargets() []target {
	if p.filterPaths == nil {
		p.filterPaths = make([]target, len(p.ids))
		for k := range p.ids {
			p.filterPaths[k] = filterTarget(UserName(k))
		}
	}
	return p.filterPaths
}

func filterTarget(userName string) target {
	q := "filter=" + url.QueryEscape(`userName eq "`+userName+`"`) + "&startIndex=1&count=100"
	return target{path: "/Users", query: q, uri: "/Users?" + q}
}
