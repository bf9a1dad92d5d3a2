package memstore

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestOrder checks the Fenwick-indexed order against a plain slice through
// random pushes and removes, compactions included: every position finds the
// right user and every page is the right window.
func TestOrder(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		r := rand.New(rand.NewPCG(seed, seed))
		o := order[*gentry]{slot: (*gentry).slotIndex}
		var ref []*gentry
		check := func(step int) {
			t.Helper()
			if o.live != len(ref) {
				t.Fatalf("seed %d step %d: live = %d, want %d", seed, step, o.live, len(ref))
			}
			for k := 1; k <= len(ref); k++ {
				if e := o.slots[o.find(k)]; e != ref[k-1] {
					t.Fatalf("seed %d step %d: find(%d) gives the wrong user", seed, step, k)
				}
			}
			for _, count := range []int{1, 3, 100} {
				for start := 1; start <= len(ref)+1; start += 1 + r.IntN(5) {
					var got []*gentry
					o.page(start, count, func(e *gentry) { got = append(got, e) })
					want := ref[min(start-1, len(ref)):min(start-1+count, len(ref))]
					if !slices.Equal(got, want) {
						t.Fatalf("seed %d step %d: page(%d, %d) has %d users, want %d", seed, step, start, count, len(got), len(want))
					}
				}
			}
		}
		for step := range 3000 {
			if len(ref) > 0 && r.IntN(100) < 45 {
				// Remove runs of neighbours too, to make long tombstone runs.
				i := r.IntN(len(ref))
				n := 1 + r.IntN(min(8, len(ref)-i))
				for _, e := range ref[i : i+n] {
					o.remove(e)
				}
				ref = slices.Delete(ref, i, i+n)
			} else {
				e := &gentry{}
				o.push(e)
				ref = append(ref, e)
			}
			if step%97 == 0 {
				check(step)
			}
		}
		check(-1)
	}
}

// TestFold checks that fold(a) == fold(b) exactly when strings.EqualFold
// holds, which is how filter.Match compares userName and emails.value.
func TestFold(t *testing.T) {
	words := []string{
		"", "a", "A", "bjensen", "BJensen", "bjensen@example.com", "BJENSEN@EXAMPLE.COM",
		"k", "K", "\u212a" /* Kelvin sign */, "s", "S", "\u017f" /* long s */, "ß", "ẞ", "ss",
		"σ", "ς", "Σ", "zoë.ärger", "ZOË.ÄRGER", "Zoë.Ärger", "İ", "i", "ı", "I", "Ǆ", "ǅ", "ǆ",
	}
	for _, a := range words {
		for _, b := range words {
			if got, want := fold(a) == fold(b), strings.EqualFold(a, b); got != want {
				t.Errorf("fold(%q) == fold(%q) is %t, strings.EqualFold is %t", a, b, got, want)
			}
		}
	}
	if s := "bjensen@example.com"; testing.AllocsPerRun(100, func() { fold(s) }) != 0 {
		t.Errorf("fold of a lower-case ASCII string allocates")
	}
}

// TestChain checks the chained index through adds and removes at the
// head, middle and tail of a chain.
func TestChain(t *testing.T) {
	c := chain[string, *gentry]{m: map[string]*gentry{}, link: func(e *gentry) **gentry { return &e.nextExt }}
	es := make([]*gentry, 5)
	for i := range es {
		es[i] = &gentry{slot: i}
		c.add("k", es[i])
	}
	c.add("", es[0]) // ignored
	for _, i := range []int{2, 4, 0, 3, 1} {
		c.remove("k", es[i])
		got := c.appendTo(nil, "k")
		if slices.Contains(got, es[i]) {
			t.Fatalf("entry %d still indexed after remove", i)
		}
		for _, e := range got {
			if e.nextExt != nil && !slices.Contains(got, e.nextExt) {
				t.Fatalf("chain links to a removed entry")
			}
		}
	}
	if len(c.m) != 0 {
		t.Errorf("the map keeps %d keys after every entry was removed", len(c.m))
	}
}
