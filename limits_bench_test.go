package scim

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
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

// complexRemovesInput is an RFC-profile user with Limits.MaxValues phone
// numbers and a PATCH of n removes of phoneNumbers[value co "…"] that
// match none of them: each operation scans the whole list.
func complexRemovesInput(tb testing.TB, n int) (*Handler, *User, []PatchOperation) {
	h := newPatchHandler(tb, Config{Profile: ProfileRFC}, newPatchStore())
	u := annUser()
	phones := make([]map[string]any, h.cfg.Limits.MaxValues)
	for i := range phones {
		phones[i] = map[string]any{"value": fmt.Sprintf("+1 555 %07d", i), "type": "work"}
	}
	u.Custom["phoneNumbers"] = phones
	ops := make([]string, n)
	for i := range ops {
		ops[i] = fmt.Sprintf(`{"op":"remove","path":"phoneNumbers[value co \"zz%d\"]"}`, i)
	}
	parsed, e := h.parsePatch(&h.names, []byte(patchOps(ops...)))
	if e != nil {
		tb.Fatal(e)
	}
	return h, u, parsed
}

// BenchmarkPatchComplexRemoves measures value-filtered removes that match
// nothing over a list of Limits.MaxValues elements, each testing the whole
// list: 500 is the most one PATCH may send (maxFilterVisits), and must
// stay under 100 ms; 1000 is refused before any scan.
func BenchmarkPatchComplexRemoves(b *testing.B) {
	for _, n := range []int{500, 1000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			h, u, ops := complexRemovesInput(b, n)
			b.ReportAllocs()
			for b.Loop() {
				_, e := h.applyPatch(context.Background(), u, ops)
				if (e == nil) != (n*len(u.Custom["phoneNumbers"].([]map[string]any)) <= h.maxFilterVisits()) {
					b.Fatal(n, e)
				}
			}
		})
	}
}

// BenchmarkLimitsRefusal measures the refusal of a body of almost 1 MiB
// (Config.MaxBodyBytes) whose one RFC attribute is over its limit: the
// target is under 10 ms of CPU.
func BenchmarkLimitsRefusal(b *testing.B) {
	h := newPatchHandler(b, Config{Profile: ProfileRFC}, newPatchStore())
	body := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ann","addresses":[{"formatted":"` + strings.Repeat("x", 1<<20-200) + `"}]}`
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		r := httptest.NewRequest("POST", "/Users", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/scim+json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "addresses[0].formatted") {
			b.Fatal(rec.Code, rec.Body)
		}
	}
}
