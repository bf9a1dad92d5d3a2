// Package demo is what the two demo servers (examples/server over memory,
// examples/sqlserver over an app's tables) share: the -profile flag, the
// demo tenants and their tokens, the two mounts of the handler, and an
// http.Server that bounds every phase of a connection, and the declaration
// of /Agents (AgentType), which the memory demo serves. It imports no
// database driver, so that the memory demo builds none.
package demo
