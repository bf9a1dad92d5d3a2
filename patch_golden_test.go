package scim

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// updating reports whether the test binary runs with -update. The flag is
// the package's one for all golden files (golden_test.go defines it; the
// external and internal test packages share one binary, so defining it here
// too would panic).
func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// patchScenario is a hand-written file in testdata/patch: a user created as
// an identity provider creates it, then the PATCH and GET requests that
// identity provider sends.
type patchScenario struct {
	About  string `json:"about"`
	Config struct {
		Required []string `json:"Required"`
	} `json:"config"`
	Create   json.RawMessage `json:"create"`
	Requests []struct {
		Method string          `json:"method"`
		Body   json.RawMessage `json:"body,omitempty"`
	} `json:"requests"`
}

// exchange is one request and its response in a golden transcript.
type exchange struct {
	Method   string          `json:"method"`
	Path     string          `json:"path"`
	Request  json.RawMessage `json:"request,omitempty"`
	Status   int             `json:"status"`
	ETag     string          `json:"etag,omitempty"`
	Type     string          `json:"contentType,omitempty"`
	Response any             `json:"response,omitempty"`
}

// TestPatchGolden replays the recorded Okta and Entra ID PATCH sequences
// through the handler and compares every response with
// testdata/patch/*.golden.json (semantically, after normalising ids and
// timestamps). go test -run TestPatchGolden -update rewrites them.
func TestPatchGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/patch/*.json")
	n := 0
	for _, file := range files {
		if strings.HasSuffix(file, ".golden.json") {
			continue
		}
		n++
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var sc patchScenario
			if err := json.Unmarshal(data, &sc); err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			cfg := patchConfig()
			cfg.Required = sc.Config.Required
			h := newPatchHandler(t, cfg, newPatchStore())

			rec := patchServe(h, "POST", "/scim/v2/Users", string(sc.Create))
			if rec.Code != 201 {
				t.Fatalf("create: %d %s", rec.Code, rec.Body)
			}
			var created struct{ ID string }
			json.Unmarshal(rec.Body.Bytes(), &created)
			target := "/scim/v2/Users/" + created.ID

			var got []exchange
			for _, req := range sc.Requests {
				rec := patchServe(h, req.Method, target, string(req.Body))
				ex := exchange{Method: req.Method, Path: "/scim/v2/Users/{id}", Request: req.Body, Status: rec.Code,
					ETag: rec.Header().Get("ETag"), Type: rec.Header().Get("Content-Type")}
				if rec.Body.Len() > 0 {
					var body any
					if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
						t.Fatalf("%s: response is not JSON: %v\n%s", req.Method, err, rec.Body)
					}
					ex.Response = normalise(body, created.ID)
				}
				got = append(got, ex)
			}

			golden := strings.TrimSuffix(file, ".json") + ".golden.json"
			out, err := json.MarshalIndent(got, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, '\n')
			if updating() {
				if err := os.WriteFile(golden, out, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run TestPatchGolden -update to create it)", err)
			}
			var gotV, wantV any
			json.Unmarshal(out, &gotV)
			if err := json.Unmarshal(want, &wantV); err != nil {
				t.Fatalf("%s: %v", golden, err)
			}
			if !reflect.DeepEqual(gotV, wantV) {
				t.Errorf("responses differ from %s (run with -update to accept):\n%s", golden, lineDiff(want, out))
			}
		})
	}
	if n == 0 {
		t.Fatal("no scenarios in testdata/patch")
	}
}

// normalise replaces what differs between stores and runs: the id,
// timestamps and the location that embeds the id.
func normalise(v any, id string) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			switch k {
			case "id":
				if x == id {
					v[k] = "{id}"
				}
			case "created", "lastModified":
				v[k] = "{time}"
			case "location":
				if s, ok := x.(string); ok {
					v[k] = strings.Replace(s, "/Users/"+id, "/Users/{id}", 1)
				}
			default:
				v[k] = normalise(x, id)
			}
		}
	case []any:
		for i := range v {
			v[i] = normalise(v[i], id)
		}
	}
	return v
}

// lineDiff shows the first lines where a and b differ.
func lineDiff(a, b []byte) string {
	al, bl := bytes.Split(a, []byte("\n")), bytes.Split(b, []byte("\n"))
	var out strings.Builder
	for i := 0; i < max(len(al), len(bl)) && out.Len() < 2000; i++ {
		var x, y []byte
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if !bytes.Equal(x, y) {
			out.WriteString("- " + string(x) + "\n+ " + string(y) + "\n")
		}
	}
	return out.String()
}
