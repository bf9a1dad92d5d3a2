// Package examples holds runnable host applications that mount scimkit,
// each a command of its own so that each builds only what it uses:
//
//   - server: the demo (the README's first command) on the in-memory store;
//     it imports no database driver, so a first run on an empty build cache
//     costs little more than compiling the standard library.
//   - sqlserver: the same demo over an application's existing users table,
//     through sqlstore, in SQLite or PostgreSQL (pgx); its drivers make its
//     first build several times slower.
//   - chi: scimkit mounted in a chi router beside the host's own routes.
//
// This module is not meant to be imported, and its go.mod keeps a replace of
// the root and sqlstore modules for development: run the commands from a
// clone (go run ./examples/server), not as go run …@version.
package examples
