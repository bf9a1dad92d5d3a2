package bench

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// bareGroups is the bare handler's /Groups: a map of groups by id, each
// with its membership as a set, a map by lower-cased displayName, a set of
// user ids for validating added members, and json.Marshal per response:
// the physical limit of the group workloads, with no validation beyond
// what they need.
type bareGroups struct {
	mu     sync.RWMutex
	users  map[string]struct{}
	groups map[string]*bareGroup
	byName map[string][]string
}

type bareGroup struct {
	id, displayName   string
	members           map[string]struct{}
	version           int
	created, modified time.Time
}

type bareMember struct {
	Value string `json:"value"`
	Type  string `json:"type"`
}

type bareGroupJSON struct {
	Schemas     []string     `json:"schemas"`
	ID          string       `json:"id"`
	DisplayName string       `json:"displayName"`
	ExternalID  string       `json:"externalId,omitempty"`
	Members     []bareMember `json:"members,omitempty"`
	Meta        bareMeta     `json:"meta"`
}

type bareGroupList struct {
	Schemas      []string        `json:"schemas"`
	TotalResults int             `json:"totalResults"`
	StartIndex   int             `json:"startIndex"`
	ItemsPerPage int             `json:"itemsPerPage"`
	Resources    []bareGroupJSON `json:"Resources"`
}

// writeJSON answers with v marshalled by json.Marshal.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		bareError(w, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/scim+json")
	w.WriteHeader(status)
	w.Write(b)
}

func newBareGroups(s GroupSizes) *groupPeer {
	h := &bareGroups{users: map[string]struct{}{}, groups: map[string]*bareGroup{}, byName: map[string][]string{}}
	ids := make([]string, s.users())
	for k := range ids {
		ids[k] = "u" + strconv.Itoa(k)
		h.users[ids[k]] = struct{}{}
	}
	small, big, wide, out := s.layout(ids)
	p := &groupPeer{handler: h, fix: groupFixture{Out: out}}
	mk := func(name string, members []string) string {
		g := &bareGroup{id: "g" + strconv.Itoa(len(h.groups)), displayName: name, members: make(map[string]struct{}, len(members)), version: 1, created: epoch, modified: epoch}
		for _, m := range members {
			g.members[m] = struct{}{}
		}
		h.groups[g.id] = g
		h.byName[strings.ToLower(name)] = append(h.byName[strings.ToLower(name)], g.id)
		return g.id
	}
	p.fix.Small, p.fix.Big, p.fix.Wide = mk("small", small), mk("big", big), mk("wide", wide)
	for k := range s.Groups {
		mk(groupName(k), nil)
	}
	return p
}

// json is what a group marshals to, members included when asked for; the
// caller holds a read lock.
func (g *bareGroup) json(members bool) bareGroupJSON {
	j := bareGroupJSON{
		Schemas: []string{"urn:ietf:params:scim:schemas:core:2.0:Group"}, ID: g.id, DisplayName: g.displayName,
		Meta: bareMeta{ResourceType: "Group", Created: g.created, LastModified: g.modified,
			Version: `W/"` + strconv.Itoa(g.version) + `"`, Location: bareHost + "/Groups/" + g.id},
	}
	if members {
		j.Members = make([]bareMember, 0, len(g.members))
		for m := range g.members {
			j.Members = append(j.Members, bareMember{Value: m, Type: "User"})
		}
	}
	return j
}

func (h *bareGroups) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id, one := strings.CutPrefix(r.URL.Path, "/Groups/")
	excluded := strings.Contains(r.URL.RawQuery, "excludedAttributes=members")
	switch {
	case r.Method == http.MethodGet && one:
		h.mu.RLock()
		g, ok := h.groups[id]
		var j bareGroupJSON
		if ok {
			j = g.json(!excluded)
		}
		h.mu.RUnlock()
		if !ok {
			http.Error(w, "not found", http.StatusNotFound)
			return
		}
		writeJSON(w, http.StatusOK, j)
	case r.Method == http.MethodGet && r.URL.Path == "/Groups":
		f := r.URL.Query().Get("filter")
		name, ok := strings.CutPrefix(f, `displayName eq "`)
		name, ok2 := strings.CutSuffix(name, `"`)
		if !ok || !ok2 {
			http.Error(w, "unsupported filter", http.StatusBadRequest)
			return
		}
		h.mu.RLock()
		list := bareGroupList{Schemas: listSchemas, StartIndex: 1, Resources: []bareGroupJSON{}}
		for _, id := range h.byName[strings.ToLower(name)] {
			list.Resources = append(list.Resources, h.groups[id].json(!excluded))
		}
		h.mu.RUnlock()
		list.TotalResults, list.ItemsPerPage = len(list.Resources), len(list.Resources)
		writeJSON(w, http.StatusOK, list)
	case r.Method == http.MethodPatch && one:
		var req patchRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var add, remove []string
		for _, op := range req.Operations {
			switch {
			case strings.EqualFold(op.Op, "add") && op.Path == "members":
				var ms []bareMember
				if err := json.Unmarshal(op.Value, &ms); err != nil {
					http.Error(w, err.Error(), http.StatusBadRequest)
					return
				}
				for _, m := range ms {
					add = append(add, m.Value)
				}
			case strings.EqualFold(op.Op, "remove"):
				v, ok := strings.CutPrefix(op.Path, `members[value eq "`)
				v, ok2 := strings.CutSuffix(v, `"]`)
				if !ok || !ok2 {
					http.Error(w, "unsupported path", http.StatusBadRequest)
					return
				}
				remove = append(remove, v)
			default:
				http.Error(w, "unsupported operation", http.StatusBadRequest)
				return
			}
		}
		h.mu.Lock()
		g, ok := h.groups[id]
		if !ok {
			h.mu.Unlock()
			http.Error(w, "not found", http.StatusNotFound)
			return
		}
		for _, m := range add {
			if _, ok := h.users[m]; !ok {
				h.mu.Unlock()
				http.Error(w, "unknown member", http.StatusBadRequest)
				return
			}
		}
		changed := false
		for _, m := range remove {
			if _, ok := g.members[m]; ok {
				delete(g.members, m)
				changed = true
			}
		}
		for _, m := range add {
			if _, ok := g.members[m]; !ok {
				g.members[m] = struct{}{}
				changed = true
			}
		}
		if changed {
			g.version++
			g.modified = time.Now()
		}
		v := g.version
		h.mu.Unlock()
		w.Header().Set("ETag", `W/"`+strconv.Itoa(v)+`"`)
		w.WriteHeader(http.StatusNoContent)
	default:
		http.Error(w, "not served", http.StatusNotFound)
	}
}
