package bench

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// bareHandler is the physical limit: the same User JSON as scimkit writes,
// from a map by id, a map by lower-cased userName and a slice for paging,
// with json.Marshal per response (or, with pre, bytes marshalled once per
// change). It validates nothing the workloads do not need.
type bareHandler struct {
	pre bool

	mu     sync.RWMutex
	byID   map[string]*bareUser
	byName map[string]*bareUser
	order  []*bareUser
	next   uint64
}

type bareUser struct {
	Schemas     []string    `json:"schemas"`
	ID          string      `json:"id"`
	ExternalID  string      `json:"externalId,omitempty"`
	UserName    string      `json:"userName"`
	Name        *bareName   `json:"name,omitempty"`
	DisplayName string      `json:"displayName,omitempty"`
	Emails      []bareEmail `json:"emails,omitempty"`
	Active      bool        `json:"active"`
	Meta        bareMeta    `json:"meta"`

	raw     []byte // the JSON, for bare-pre
	version int
}

type bareName struct {
	GivenName  string `json:"givenName,omitempty"`
	FamilyName string `json:"familyName,omitempty"`
}

type bareEmail struct {
	Value   string `json:"value"`
	Type    string `json:"type"`
	Primary bool   `json:"primary"`
}

type bareMeta struct {
	ResourceType string    `json:"resourceType"`
	Created      time.Time `json:"created"`
	LastModified time.Time `json:"lastModified"`
	Version      string    `json:"version"`
	Location     string    `json:"location"`
}

type bareList struct {
	Schemas      []string    `json:"schemas"`
	TotalResults int         `json:"totalResults"`
	StartIndex   int         `json:"startIndex"`
	ItemsPerPage int         `json:"itemsPerPage"`
	Resources    []*bareUser `json:"Resources"`
}

var (
	userSchemas = []string{"urn:ietf:params:scim:schemas:core:2.0:User"}
	listSchemas = []string{"urn:ietf:params:scim:api:messages:2.0:ListResponse"}
)

// bareHost is the host in the locations bare-pre marshals at load time.
const bareHost = "http://example.com"

func newBare(pre bool, n int) *Peer {
	h := &bareHandler{
		pre:    pre,
		byID:   make(map[string]*bareUser, n),
		byName: make(map[string]*bareUser, n),
		order:  make([]*bareUser, 0, n),
	}
	ids := make([]string, n)
	for k := range n {
		s := seed(k)
		u := &bareUser{
			ExternalID:  s.ExternalID,
			UserName:    s.UserName,
			Name:        &bareName{GivenName: s.GivenName, FamilyName: s.FamilyName},
			DisplayName: s.DisplayName,
			Emails:      []bareEmail{{Value: s.Email, Type: "work", Primary: true}},
			Active:      true,
		}
		u.Meta.Created, u.Meta.LastModified = s.Meta.Created, s.Meta.LastModified
		h.insert(u)
		ids[k] = u.ID
	}
	return &Peer{Handler: h, ids: ids}
}

// insert stores a new user; the caller holds mu or owns h.
func (h *bareHandler) insert(u *bareUser) {
	h.next++
	u.ID = strconv.FormatUint(h.next, 10)
	u.Schemas = userSchemas
	h.byID[u.ID] = u
	h.byName[strings.ToLower(u.UserName)] = u
	h.order = append(h.order, u)
	h.touch(u)
}

// touch gives u a new version (and, for bare-pre, new bytes).
func (h *bareHandler) touch(u *bareUser) {
	u.version++
	u.Meta.ResourceType = "User"
	u.Meta.Version = `W/"` + strconv.Itoa(u.version) + `"`
	if h.pre {
		u.Meta.Location = bareHost + "/Users/" + u.ID
		u.raw, _ = json.Marshal(u)
	}
}

func (h *bareHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/scim+json")
	rest, ok := strings.CutPrefix(r.URL.Path, "/Users")
	switch {
	case !ok:
		bareError(w, http.StatusNotFound)
	case rest == "" && r.Method == http.MethodGet:
		h.list(w, r)
	case rest == "" && r.Method == http.MethodPost:
		h.create(w, r)
	case len(rest) > 1 && rest[0] == '/' && r.Method == http.MethodGet:
		h.get(w, r, rest[1:])
	case len(rest) > 1 && rest[0] == '/' && r.Method == http.MethodPatch:
		h.patch(w, r, rest[1:])
	default:
		bareError(w, http.StatusMethodNotAllowed)
	}
}

func bareError(w http.ResponseWriter, status int) {
	w.WriteHeader(status)
	w.Write([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"` + strconv.Itoa(status) + `"}`))
}

// write writes u; the caller holds mu.
func (h *bareHandler) write(w http.ResponseWriter, r *http.Request, status int, u *bareUser) {
	w.Header().Set("ETag", u.Meta.Version)
	if h.pre {
		w.WriteHeader(status)
		w.Write(u.raw)
		return
	}
	c := *u
	c.Meta.Location = "http://" + r.Host + "/Users/" + u.ID
	b, err := json.Marshal(&c)
	if err != nil {
		bareError(w, http.StatusInternalServerError)
		return
	}
	if status == http.StatusCreated {
		w.Header().Set("Location", c.Meta.Location)
	}
	w.WriteHeader(status)
	w.Write(b)
}

func (h *bareHandler) get(w http.ResponseWriter, r *http.Request, id string) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	u, ok := h.byID[id]
	if !ok {
		bareError(w, http.StatusNotFound)
		return
	}
	h.write(w, r, http.StatusOK, u)
}

// pageParams reads startIndex and count as the bare handlers do: below 1
// means 1, count between 0 and 100.
func pageParams(q url.Values) (start, count int) {
	start, count = 1, 100
	if s := q.Get("startIndex"); s != "" {
		start, _ = strconv.Atoi(s)
		start = max(start, 1)
	}
	if s := q.Get("count"); s != "" {
		count, _ = strconv.Atoi(s)
		count = min(max(count, 0), 100)
	}
	return start, count
}

func (h *bareHandler) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	start, count := pageParams(q)
	h.mu.RLock()
	defer h.mu.RUnlock()
	var page []*bareUser
	total := 0
	if f := q.Get("filter"); f != "" {
		// The one filter shape the workloads send: userName eq "x".
		v, ok := strings.CutPrefix(f, `userName eq "`)
		if !ok || !strings.HasSuffix(v, `"`) {
			bareError(w, http.StatusBadRequest)
			return
		}
		if u, ok := h.byName[strings.ToLower(v[:len(v)-1])]; ok {
			total = 1
			if start == 1 && count > 0 {
				page = []*bareUser{u}
			}
		}
	} else {
		total = len(h.order)
		from := min(start-1, total)
		page = h.order[from:min(from+count, total)]
	}
	if h.pre {
		b := make([]byte, 0, 256+len(page)*512)
		b = append(b, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":`...)
		b = strconv.AppendInt(b, int64(total), 10)
		b = append(b, `,"startIndex":`...)
		b = strconv.AppendInt(b, int64(start), 10)
		b = append(b, `,"itemsPerPage":`...)
		b = strconv.AppendInt(b, int64(len(page)), 10)
		b = append(b, `,"Resources":[`...)
		for i, u := range page {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, u.raw...)
		}
		b = append(b, "]}"...)
		w.Write(b)
		return
	}
	l := bareList{Schemas: listSchemas, TotalResults: total, StartIndex: start, ItemsPerPage: len(page), Resources: make([]*bareUser, len(page))}
	base := "http://" + r.Host + "/Users/"
	for i, u := range page {
		c := *u
		c.Meta.Location = base + u.ID
		l.Resources[i] = &c
	}
	b, err := json.Marshal(&l)
	if err != nil {
		bareError(w, http.StatusInternalServerError)
		return
	}
	w.Write(b)
}

// bareCreate is the part of a POST body the bare handlers read.
type bareCreate struct {
	ExternalID  string      `json:"externalId"`
	UserName    string      `json:"userName"`
	Name        *bareName   `json:"name"`
	DisplayName string      `json:"displayName"`
	Emails      []bareEmail `json:"emails"`
	Active      *bool       `json:"active"`
}

func (h *bareHandler) create(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		bareError(w, http.StatusBadRequest)
		return
	}
	var in bareCreate
	if err := json.Unmarshal(body, &in); err != nil || in.UserName == "" {
		bareError(w, http.StatusBadRequest)
		return
	}
	u := &bareUser{ExternalID: in.ExternalID, UserName: in.UserName, Name: in.Name, DisplayName: in.DisplayName, Active: in.Active == nil || *in.Active}
	for _, e := range in.Emails {
		if e.Type == "work" {
			u.Emails = []bareEmail{{Value: e.Value, Type: "work", Primary: true}}
		}
	}
	now := time.Now()
	u.Meta.Created, u.Meta.LastModified = now, now
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, taken := h.byName[strings.ToLower(u.UserName)]; taken {
		bareError(w, http.StatusConflict)
		return
	}
	h.insert(u)
	h.write(w, r, http.StatusCreated, u)
}

func (h *bareHandler) patch(w http.ResponseWriter, r *http.Request, id string) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		bareError(w, http.StatusBadRequest)
		return
	}
	var req patchRequest
	if err := json.Unmarshal(body, &req); err != nil || len(req.Operations) == 0 {
		bareError(w, http.StatusBadRequest)
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	old, ok := h.byID[id]
	if !ok {
		bareError(w, http.StatusNotFound)
		return
	}
	// Work on a copy, so that a failing operation changes nothing.
	u := *old
	if u.Name != nil {
		n := *u.Name
		u.Name = &n
	}
	u.Emails = append([]bareEmail(nil), u.Emails...)
	for _, op := range req.Operations {
		switch strings.ToLower(op.Op) {
		case "add", "replace":
			if op.Path != "" {
				if !u.set(op.Path, op.Value) {
					bareError(w, http.StatusBadRequest)
					return
				}
				continue
			}
			var m map[string]json.RawMessage
			if err := json.Unmarshal(op.Value, &m); err != nil {
				bareError(w, http.StatusBadRequest)
				return
			}
			for k, v := range m {
				if !u.set(k, v) {
					bareError(w, http.StatusBadRequest)
					return
				}
			}
		default:
			bareError(w, http.StatusBadRequest)
			return
		}
	}
	if !strings.EqualFold(u.UserName, old.UserName) {
		if _, taken := h.byName[strings.ToLower(u.UserName)]; taken {
			bareError(w, http.StatusConflict)
			return
		}
		delete(h.byName, strings.ToLower(old.UserName))
	}
	u.Meta.LastModified = time.Now()
	h.touch(&u)
	*old = u // the slice and the maps hold old
	h.byName[strings.ToLower(u.UserName)] = old
	h.write(w, r, http.StatusOK, old)
}

// set assigns one attribute named by a PATCH path; it knows the paths Okta
// and Entra ID send.
func (u *bareUser) set(path string, v json.RawMessage) bool {
	var s string
	str := func() bool { return json.Unmarshal(v, &s) == nil }
	switch path {
	case "active":
		var b bool
		if json.Unmarshal(v, &b) != nil {
			if !str() {
				return false
			}
			switch strings.ToLower(s) {
			case "true":
				b = true
			case "false":
			default:
				return false
			}
		}
		u.Active = b
	case "userName":
		if !str() || s == "" {
			return false
		}
		u.UserName = s
	case "externalId":
		if !str() {
			return false
		}
		u.ExternalID = s
	case "displayName":
		if !str() {
			return false
		}
		u.DisplayName = s
	case "name.givenName", "name.familyName":
		if !str() {
			return false
		}
		if u.Name == nil {
			u.Name = &bareName{}
		}
		if path == "name.givenName" {
			u.Name.GivenName = s
		} else {
			u.Name.FamilyName = s
		}
	case `emails[type eq "work"].value`:
		if !str() {
			return false
		}
		u.Emails = []bareEmail{{Value: s, Type: "work", Primary: true}}
	default:
		return false
	}
	return true
}

// patchRequest is a PATCH body as the bare peers read it: the operations,
// each value left raw for the peer's own shape.
type patchRequest struct {
	Operations []struct {
		Op    string          `json:"op"`
		Path  string          `json:"path"`
		Value json.RawMessage `json:"value"`
	} `json:"Operations"`
}
