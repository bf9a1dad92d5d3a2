package memstore

import (
	"math/bits"
	"strings"
	"unicode"
	"unicode/utf8"
)

// order keeps a tenant's users in creation order, the stable order of List.
//
// Okta imports by paging with startIndex += 100, so finding the user at a
// given position must not cost O(position). A plain slice would, once users
// are deleted: either every delete shifts the tail (O(n) per delete; a
// purge of many users is quadratic) or tombstones make positions unknown.
// So deletes leave a nil tombstone, and a Fenwick tree over the slots
// (1 for a live user, 0 for a tombstone) finds the k-th live user in
// O(log n). When tombstones outnumber live users the slots are compacted,
// which is O(n) but amortised over as many deletes. Appends, deletes and
// lookups are O(log n); the tree costs 4 bytes a slot.
//
// Groups are kept in the same structure: E is a user's ref or a *gentry.
type order[E comparable] struct {
	slots []E     // the zero E where a user was deleted
	tree  []int32 // Fenwick tree over slots, 1-based: tree[0] is unused
	live  int
	// seqs[i] is the creation number of the entry in slots[i] (kept for
	// tombstones too, until compaction): ascending, never reused, so that
	// a keyset cursor names a position that deletes cannot move (see
	// cursor.go).
	seqs []uint64
	next uint64
	// slot returns where an entry keeps its index in slots.
	slot func(E) *int
}

func (o *order[E]) push(e E) {
	if len(o.tree) == 0 {
		o.tree = append(o.tree, 0)
	}
	*o.slot(e) = len(o.slots)
	o.slots = append(o.slots, e)
	o.next++
	o.seqs = append(o.seqs, o.next)
	// Node i covers the slots (i-lowbit(i), i]: the new slot plus the
	// nodes below it that cover the rest of that range.
	i := len(o.slots)
	sum := int32(1)
	for j := i - 1; j > i-i&-i; j -= j & -j {
		sum += o.tree[j]
	}
	o.tree = append(o.tree, sum)
	o.live++
}

func (o *order[E]) remove(e E) {
	slot := *o.slot(e)
	var none E
	o.slots[slot] = none
	for i := slot + 1; i < len(o.tree); i += i & -i {
		o.tree[i]--
	}
	o.live--
	if dead := len(o.slots) - o.live; dead > o.live && dead >= 64 {
		o.compact()
	}
}

func (o *order[E]) compact() {
	n := 0
	var none E
	for i, e := range o.slots {
		if e != none {
			*o.slot(e) = n
			o.seqs[n] = o.seqs[i]
			o.slots[n] = e
			n++
		}
	}
	clear(o.slots[n:])
	o.slots = o.slots[:n]
	o.seqs = o.seqs[:n]
	// With every slot live, node i covers lowbit(i) slots.
	o.tree = o.tree[:n+1]
	for i := 1; i <= n; i++ {
		o.tree[i] = int32(i & -i)
	}
}

// find returns the slot of the k-th live user (1 ≤ k ≤ live).
func (o *order[E]) find(k int) int {
	n := len(o.tree) - 1
	pos := 0
	for step := 1 << (bits.Len(uint(n)) - 1); step > 0; step >>= 1 {
		if next := pos + step; next <= n && int(o.tree[next]) < k {
			pos = next
			k -= int(o.tree[next])
		}
	}
	return pos // the 1-based node pos+1 is slot pos
}

// page calls f on at most count live users from the start-th (1-based).
// A run of tombstones is jumped over with find, so a page costs
// O(count·log n) however many users were deleted.
func (o *order[E]) page(start, count int, f func(E)) {
	var none E
	for k := start; count > 0 && k <= o.live; {
		for i := o.find(k); i < len(o.slots) && count > 0 && o.slots[i] != none; i++ {
			f(o.slots[i])
			k++
			count--
		}
	}
}

// chain indexes entries by a key that several may share, linking the
// entries of one key through a field of the entry that link returns.
// Groups key it by the string itself; users by a hash of it (see
// userKeys), so that neither the map nor the entries' links hold a
// pointer for the garbage collector to follow.
type chain[K, E comparable] struct {
	m    map[K]E
	link func(E) *E
}

// add indexes e under k; the zero key is not indexed: it is the empty
// string, or its hash, and an empty attribute is absent and never equals a
// filter's value.
func (c *chain[K, E]) add(k K, e E) {
	var zero K
	if k == zero {
		return
	}
	*c.link(e) = c.m[k]
	c.m[k] = e
}

func (c *chain[K, E]) remove(k K, e E) {
	var zero K
	if k == zero {
		return
	}
	var none E
	next := c.link(e)
	if c.m[k] == e {
		if *next != none {
			c.m[k] = *next
		} else {
			delete(c.m, k)
		}
		*next = none
		return
	}
	for p := c.m[k]; p != none; p = *c.link(p) {
		if l := c.link(p); *l == e {
			*l, *next = *next, none
			return
		}
	}
}

func (c *chain[K, E]) appendTo(dst []E, k K) []E {
	var none E
	for e := c.m[k]; e != none; e = *c.link(e) {
		dst = append(dst, e)
	}
	return dst
}

// fold returns the key under which s is indexed where case does not
// matter: fold(a) == fold(b) exactly when strings.EqualFold(a, b), which is
// how filter.Match compares strings that are not case-exact. Each rune is
// replaced by one representative of its simple-folding orbit (K, k and the
// Kelvin sign K all become k). A string that is already its own key (the
// usual lower-case ASCII userName) is returned without allocating.
func fold(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return strings.Map(foldRune, s)
		}
	}
	return strings.ToLower(s)
}

func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return r
	}
	k := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		k = min(k, f)
	}
	if 'A' <= k && k <= 'Z' {
		k += 'a' - 'A'
	}
	return k
}
