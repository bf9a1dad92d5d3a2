package scim

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkPatchEntra measures Entra ID's typical four-operation PATCH
// (the default shape of IDP-TRAFFIC.md): through the handler with the
// in-test store ("handler"), parsing alone ("parse"), and the pure apply
// step alone ("apply").
func BenchmarkPatchEntra(b *testing.B) {
	b.Run("handler", func(b *testing.B) {
		store := newPatchStore()
		h := newPatchHandler(b, patchConfig(), store)
		id := patchSeed(b, store)
		target := "/scim/v2/Users/" + id
		r := httptest.NewRequest("PATCH", target, nil)
		r.Header.Set("Content-Type", mediaType)
		b.ReportAllocs()
		for b.Loop() {
			req := r.Clone(context.Background())
			req.Body = patchNopCloser{strings.NewReader(entraDefault)}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != 200 {
				b.Fatalf("%d %s", rec.Code, rec.Body)
			}
		}
	})
	h := newPatchHandler(b, patchConfig(), newPatchStore())
	body := []byte(entraDefault)
	b.Run("parse", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, e := h.parsePatch(&h.names, body); e != nil {
				b.Fatal(e)
			}
		}
	})
	b.Run("apply", func(b *testing.B) {
		ops, e := h.parsePatch(&h.names, body)
		if e != nil {
			b.Fatal(e)
		}
		u := annUser()
		b.ReportAllocs()
		for b.Loop() {
			if _, e := h.applyPatch(context.Background(), u, ops); e != nil {
				b.Fatal(e)
			}
		}
	})
}

type patchNopCloser struct{ *strings.Reader }

func (patchNopCloser) Close() error { return nil }
