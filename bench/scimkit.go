package bench

import (
	"context"

	"github.com/scimkit/scim"
)

// newScimkit builds scimkit's Handler with cfg (a zero Config for the
// scimkit peer) over memstore and preloads the users through the Store, as
// a host importing them would.
func newScimkit(ctx context.Context, n int, cfg scim.Config) (*Peer, error) {
	if cfg.Authenticator == nil {
		cfg.Authenticator = scim.SkipAuthentication // the load generator sends no token
	}
	store := newMemStore()
	h, err := scim.NewHandler(store, cfg)
	if err != nil {
		return nil, err
	}
	ids, err := preload(ctx, store, n)
	if err != nil {
		return nil, err
	}
	return &Peer{Handler: h, ids: ids}, nil
}

// preload creates users 0…n-1 through the Store API and returns their ids.
func preload(ctx context.Context, s scim.Store, n int) ([]string, error) {
	ids := make([]string, n)
	for k := range n {
		u, err := s.Create(ctx, seed(k))
		if err != nil {
			return nil, err
		}
		ids[k] = u.ID
	}
	return ids, nil
}
