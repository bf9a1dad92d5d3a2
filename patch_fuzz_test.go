package scim

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// FuzzPatch sends arbitrary PATCH bodies through the handler. It must
// never panic; every answer is a success with the user or a SCIM error
// (never a 500); a rejected PATCH leaves the stored user byte for byte as
// it was; an accepted one leaves a user that satisfies the schema's
// required attributes. The flags byte picks handler options.
func FuzzPatch(f *testing.F) {
	for _, tc := range patchCases {
		f.Add([]byte(tc.body), byte(0))
	}
	f.Add([]byte(entraDefault), byte(1))
	f.Add([]byte(patchOps(`{"op":"replace","value":{"NAME.givenName":"x"}}`)), byte(2))
	f.Add([]byte(patchOps(`{"op":"remove","path":"regions[value eq \"us1\"]"}`)), byte(4))
	files, _ := filepath.Glob("testdata/patch/*.json")
	for _, file := range files {
		if strings.HasSuffix(file, ".golden.json") {
			continue
		}
		data, _ := os.ReadFile(file)
		var sc patchScenario
		if json.Unmarshal(data, &sc) == nil {
			for _, r := range sc.Requests {
				if r.Body != nil {
					f.Add([]byte(r.Body), byte(0))
				}
			}
		}
	}
	f.Fuzz(func(t *testing.T, body []byte, flags byte) {
		cfg := patchConfig()
		cfg.Leniency.CaseInsensitiveNames = flags&1 != 0
		cfg.Leniency.DisallowUnknownAttributes = flags&2 != 0
		cfg.Leniency.DisallowStringBooleans = flags&4 != 0
		cfg.Leniency.AllowStringIntegers = flags&8 != 0
		cfg.DisableProfileUpdates = flags&16 != 0
		if flags&32 != 0 {
			cfg.Required = []string{"userName"}
		}
		store := newPatchStore()
		h := newPatchHandler(t, cfg, store)
		id := patchSeed(t, store)
		before := h.encodeStored(t, store, id)

		rec := patchServe(h, "PATCH", "/Users/"+id, string(body))
		after := h.encodeStored(t, store, id)
		switch {
		case rec.Code == 200:
			u, _ := store.User(context.Background(), id)
			if e := h.checkRequired(u); e != nil {
				t.Fatalf("accepted PATCH stored an invalid user: %s\nbody %s", e.Detail, body)
			}
			var got map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || got["id"] != id {
				t.Fatalf("200 without the user: %s", rec.Body)
			}
		case rec.Code >= 400 && rec.Code < 500:
			var e struct {
				Schemas []string
				Status  string
				Detail  string
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || len(e.Schemas) != 1 || e.Schemas[0] != ErrorURN ||
				e.Status != strconv.Itoa(rec.Code) || e.Detail == "" {
				t.Fatalf("%d is not a SCIM error: %s", rec.Code, rec.Body)
			}
			if !bytes.Equal(before, after) {
				t.Fatalf("rejected PATCH (%d %s) changed the user:\nbefore %s\nafter  %s\nbody %s", rec.Code, e.Detail, before, after, body)
			}
		default:
			t.Fatalf("status %d: %s\nbody %s", rec.Code, rec.Body, body)
		}
	})
}

// encodeStored is the stored user as the handler serves it.
func (h *Handler) encodeStored(t *testing.T, store Store, id string) []byte {
	u, err := store.User(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return h.appendUser(nil, u, "", nil)
}
