package filter

import (
	"strconv"
	"strings"
	"testing"
)

// FuzzContainsFold checks the linear search against the naive one, which
// FuzzFold checks against strings.EqualFold.
func FuzzContainsFold(f *testing.F) {
	f.Add("xxAAAAAAAAAAAAB", "aaaaaaaaab")
	f.Add("K\u212akkKk\u212aKKkkkkkkS", "KKKKKKKKKſ")
	f.Add("aababcabcdabcdeabcdef", "abcdeabcdef")
	f.Add("\xff\xfe\xffabcdefghij", "\xffabcdefghij")
	f.Fuzz(func(t *testing.T, s, sub string) {
		if got, want := containsFoldKMP(s, sub), containsFoldNaive(s, sub); got != want {
			t.Fatalf("containsFoldKMP(%q, %q) = %v, naive search says %v", s, sub, got, want)
		}
		if got, want := containsFold(s, sub), containsFoldNaive(s, sub); got != want {
			t.Fatalf("containsFold(%q, %q) = %v, naive search says %v", s, sub, got, want)
		}
	})
}

// coInput is the naive search's worst case: a value of n letters a (in
// mixed case, so that folding is exercised) and a literal of n/10 a's
// ending in b, which matches up to its last byte at every offset.
func coInput(n int) (Expr, Resource) {
	lit := strings.Repeat("a", n/10-1) + "b"
	e, err := Limits{MaxLength: n, MaxValueLength: n}.Parse(`userName co "` + lit + `"`)
	if err != nil {
		panic(err)
	}
	return e, &benchUser{userName: strings.Repeat("aA", n/2)}
}

// BenchmarkCoFilter measures userName co "…" at n and 10n bytes of input;
// the time per op must grow about 10×, not 100×.
func BenchmarkCoFilter(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			e, r := coInput(n)
			for b.Loop() {
				if ok, err := Match(e, r); ok || err != nil {
					b.Fatal(ok, err)
				}
			}
		})
	}
}

// TestCoFilterLinear measures BenchmarkCoFilter's ratio and logs it. It
// does not fail on timing (shared machines are noisy); the ratio is for
// the reader, and FuzzContainsFold checks correctness.
func TestCoFilterLinear(t *testing.T) {
	if testing.Short() {
		t.Skip("measures timings")
	}
	cost := func(n int) float64 {
		e, r := coInput(n)
		res := testing.Benchmark(func(b *testing.B) {
			for b.Loop() {
				Match(e, r)
			}
		})
		return float64(res.NsPerOp())
	}
	small, large := cost(10_000), cost(100_000)
	ratio := large / small
	t.Logf("co filter: %.0f ns at 10 KB, %.0f ns at 100 KB: ratio %.1f (linear: 10, naive search: 100)", small, large, ratio)
}

func TestMaxValueLength(t *testing.T) {
	long := strings.Repeat("x", DefaultMaxValueLength+1)
	for _, tc := range []struct {
		l      Limits
		filter string
		ok     bool
	}{
		{Limits{}, `userName co "` + long[1:] + `"`, true},
		{Limits{}, `userName co "` + long + `"`, false},
		{Limits{}, `emails[value sw "` + long + `"]`, false},
		{Limits{MaxValueLength: 4}, `userName eq "abcd"`, true},
		{Limits{MaxValueLength: 4}, `userName eq "abcde"`, false},
		// Escapes count unescaped: \u0041 is one byte.
		{Limits{MaxValueLength: 4}, `userName eq "\u0041bcd"`, true},
	} {
		_, err := tc.l.Parse(tc.filter)
		if (err == nil) != tc.ok {
			t.Errorf("Limits%+v.Parse(%.40q…): error %v, want ok=%v", tc.l, tc.filter, err, tc.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "at most") {
			t.Errorf("error %q does not state the limit", err)
		}
	}
}
