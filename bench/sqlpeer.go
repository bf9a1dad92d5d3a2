package bench

import (
	"context"
	"errors"
)

// sqlPeersAvailable says whether this build has the sqlstore peers.
const sqlPeersAvailable = false

func newSQLPeer(ctx context.Context, name string, n int) (*Peer, error) {
	return nil, errors.New("sqlstore has not landed yet")
}
