package scim

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// patchCostInput is a user with 1000 regions (Limits.MaxValues) and a
// PATCH of n operations, the shape: runs of ten adds of a new
// value, then runs of ten removes, of regions[value co "…"] that match
// nothing and of the values just added, so that the list stays at its
// size and the cost per operation is the same at n and 10n.
func patchCostInput(tb testing.TB, h *Handler, n int) (*User, []PatchOperation) {
	u := annUser()
	regions := make([]string, 1000)
	for i := range regions {
		regions[i] = fmt.Sprintf("region-%04d-%s", i, strings.Repeat("x", 40))
	}
	u.Custom["regions"] = regions
	ops := make([]string, n)
	for i := range ops {
		switch {
		case i/10%2 == 0:
			ops[i] = fmt.Sprintf(`{"op":"add","path":"regions","value":["new-%d"]}`, i)
		case i%2 == 0:
			ops[i] = fmt.Sprintf(`{"op":"remove","path":"regions[value co \"nomatch-%d\"]"}`, i)
		default:
			ops[i] = fmt.Sprintf(`{"op":"remove","path":"regions","value":["new-%d","new-%d"]}`, i-10, i-11)
		}
	}
	parsed, e := h.parsePatch(&h.names, []byte(patchOps(ops...)))
	if e != nil {
		tb.Fatal(e)
	}
	return u, parsed
}

// patchCostHandler allows the ten values a run of adds puts above 1000.
func patchCostHandler(tb testing.TB) *Handler {
	cfg := patchConfig()
	cfg.Limits.MaxValues = 1010
	return newPatchHandler(tb, cfg, newPatchStore())
}

// BenchmarkPatchOperations measures applying n and 10n operations to a
// user with a list at its limit: the cost per PATCH must grow about 10×.
func BenchmarkPatchOperations(b *testing.B) {
	h := patchCostHandler(b)
	for _, n := range []int{100, 1000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			u, ops := patchCostInput(b, h, n)
			b.ReportAllocs()
			for b.Loop() {
				if _, e := h.applyPatch(context.Background(), u, ops); e != nil {
					b.Fatal(e)
				}
			}
		})
	}
}

// TestPatchCostLinear measures BenchmarkPatchOperations' ratio and logs
// it; it does not fail on timing (shared machines are noisy).
func TestPatchCostLinear(t *testing.T) {
	if testing.Short() {
		t.Skip("measures timings")
	}
	h := patchCostHandler(t)
	cost := func(n int) float64 {
		u, ops := patchCostInput(t, h, n)
		if _, e := h.applyPatch(context.Background(), u, ops); e != nil {
			t.Fatal(e)
		}
		return float64(testing.Benchmark(func(b *testing.B) {
			for b.Loop() {
				h.applyPatch(context.Background(), u, ops)
			}
		}).NsPerOp())
	}
	small, large := cost(100), cost(1000)
	t.Logf("PATCH: %.2f ms for 100 operations, %.2f ms for 1000: ratio %.1f (linear: 10)", small/1e6, large/1e6, large/small)
}
