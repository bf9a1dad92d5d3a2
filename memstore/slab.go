package memstore

import (
	"hash/maphash"
	"strings"

	"github.com/scimkit/scim"
)

// What a collection of a large store costs is the pointers it follows, a
// cache and TLB miss apiece once the store outgrows the cache: with a heap
// object per string and maps of string keys and entry pointers (~17
// pointers a user), a full collection of 1,000,000 users took 5 s of CPU
// on the benchmark machine, and this layout brings it to 0.1 s
// (BenchmarkHeapPerUser; gctrace). So a tenant's users
// are laid out for the collector: the entries live in chunks of a slab and
// are named by a ref (an int32), the indexes map a hash of each key to a
// ref and chain the entries that share a hash through ref fields, and a
// user's strings are one allocation. The order and the index maps then
// hold no pointers at all (Go does not scan them), and what is left to
// follow is each entry's strings, all into the one object next to it.

// ref names an entry of a tenant's slab: its index plus one, so that the
// zero ref is no entry (and order's tombstone).
type ref int32

// chunkBits sets a slab chunk's size: 1024 entries, ~230 KB.
const chunkBits = 10

// firstChunk is the size of a new slab's first chunk.
const firstChunk = 8

// slab holds a tenant's user entries; a deleted entry's place is reused.
// The first chunk starts at firstChunk entries and doubles until it is a
// full one, so that a tenant of a few users does not hold a chunk of
// 1,024 (~230 KB); later chunks are full from the start. The first chunk
// moves while it grows, which alloc does only under the tenant's write
// lock: nothing keeps an entry's address past it (readers copy what they
// return before they unlock).
type slab struct {
	chunks [][]entry
	used   int // places ever handed out
	free   ref // deleted places, chained through their nextID
}

func (s *slab) at(r ref) *entry {
	i := int(r) - 1
	return &s.chunks[i>>chunkBits][i&(1<<chunkBits-1)]
}

// alloc returns a zeroed place for a new entry.
func (s *slab) alloc() ref {
	if r := s.free; r != 0 {
		e := s.at(r)
		s.free, e.nextID = e.nextID, 0
		return r
	}
	switch n := len(s.chunks); {
	case n == 0:
		s.chunks = [][]entry{make([]entry, firstChunk)}
	case s.used < (n-1)<<chunkBits+len(s.chunks[n-1]):
	case n == 1 && len(s.chunks[0]) < 1<<chunkBits:
		c := make([]entry, 2*len(s.chunks[0]))
		copy(c, s.chunks[0])
		s.chunks[0] = c
	default:
		s.chunks = append(s.chunks, make([]entry, 1<<chunkBits))
	}
	s.used++
	return ref(s.used)
}

// release clears the entry at r, so that it holds on to nothing, and
// keeps its place for reuse.
func (s *slab) release(r ref) {
	*s.at(r) = entry{nextID: s.free}
	s.free = r
}

// userKeys hashes the keys of a tenant's user indexes. A hash is a
// candidate, not a match: two keys can share one, so a lookup walks the
// chain of its hash and compares the keys themselves (filter.Match does,
// for the candidates a list query gets).
type userKeys struct {
	seed maphash.Seed
	// shift drops bits of every hash; tests set it to make keys collide.
	shift uint8
}

// key returns the hash of s, or 0 (which chain does not index) for "".
func (k userKeys) key(s string) uint64 {
	if s == "" {
		return 0
	}
	return max(maphash.String(k.seed, s)>>k.shift, 1)
}

// name returns the hash of fold(userName) for byName, which unlike the
// other indexes holds the empty userName too: userName is unique, the
// empty one included, so the index must find a user without one.
func (k userKeys) name(userName string) uint64 {
	return max(maphash.String(k.seed, fold(userName))>>k.shift, 1)
}

// pack copies u's strings into one allocation and points u's fields into
// it. A stored user is then two heap objects (its entry and its strings)
// instead of up to eight, and the pointers a collection follows from its
// entry all lead to the same place.
func pack(u *scim.User) {
	fields := [...]*string{&u.ID, &u.ExternalID, &u.UserName, &u.GivenName, &u.FamilyName, &u.DisplayName, &u.Email}
	n := 0
	for _, f := range fields {
		n += len(*f)
	}
	var b strings.Builder
	b.Grow(n)
	for _, f := range fields {
		b.WriteString(*f)
	}
	all := b.String()
	for _, f := range fields {
		*f, all = all[:len(*f)], all[len(*f):]
	}
}
