// Package testtypes holds the resource type declarations the repository's
// tests share: the demo's Agent, in the shape of the IETF agent drafts.
// It is test data, internal to the module and to its nested modules.
package testtypes
