package scim

import (
	"fmt"
	"net/http"
	"strconv"
)

// serveResource routes a request to a resource type's collection or to one
// of its resources.
func (h *Handler) serveResource(w http.ResponseWriter, r *http.Request, req request, ep *resourceType) {
	switch len(req.rest) {
	case 0:
		if h.allow(w, r, http.MethodGet, http.MethodPost) {
			switch {
			case r.Method == http.MethodGet:
				h.list(w, r, req, ep)
			case ep.disabled != nil && ep.disabled(OpCreate):
				h.writeError(w, r, errorf(http.StatusNotImplemented, "", "this service provider does not support creating "+ep.noun+"s"))
			case h.badProjection(w, r, ep):
			default:
				ep.create(w, r, req)
			}
		}
		return
	case 1:
		if req.rest[0] == ".search" {
			if h.allow(w, r, http.MethodPost) {
				h.search(w, r, request{mount: req.mount, endpoint: req.endpoint}, ep)
			}
			return
		}
		if req.rest[0] != "" {
			break
		}
		h.serveResource(w, r, request{mount: req.mount, endpoint: req.endpoint}, ep)
		return
	}
	if len(req.rest) != 1 {
		h.writeError(w, r, errorf(http.StatusNotFound, "", fmt.Sprintf("no SCIM endpoint at %s", r.URL.Path)))
		return
	}
	id := req.rest[0]
	if !h.allow(w, r, http.MethodGet, http.MethodPut, http.MethodPatch, http.MethodDelete) {
		return
	}
	if op := operationOf(r.Method); op != 0 && ep.disabled != nil && ep.disabled(op) {
		h.writeError(w, r, errorf(http.StatusNotImplemented, "", fmt.Sprintf("this service provider does not support %s on %ss", r.Method, ep.noun)))
		return
	}
	if (r.Method == http.MethodPut || r.Method == http.MethodPatch) && h.badProjection(w, r, ep) {
		return
	}
	switch r.Method {
	case http.MethodGet:
		ep.get(w, r, req, id)
	case http.MethodPut:
		ep.replace(w, r, req, id)
	case http.MethodPatch:
		ep.patch(w, r, req, id)
	case http.MethodDelete:
		ep.del(w, r, req, id)
	}
}

// operationOf is the write operation a method on /{Resources}/{id}
// performs.
func operationOf(method string) Operations {
	switch method {
	case http.MethodPut:
		return OpReplace
	case http.MethodPatch:
		return OpPatch
	case http.MethodDelete:
		return OpDelete
	}
	return 0
}

// notModified answers 304 when the request's If-None-Match names version.
func notModified(w http.ResponseWriter, r *http.Request, version string) bool {
	inm := r.Header.Get("If-None-Match")
	if inm == "" || !etagMatches(inm, version) {
		return false
	}
	setETag(w, version)
	w.WriteHeader(http.StatusNotModified)
	return true
}

// writeResource writes one resource of the given version with its ETag
// (and Location, for a 201). build appends its JSON; it may spill what it
// has built so far through the chunkWriter it is given, so that a large
// resource (a group of many members) is never held whole.
func writeResource(w http.ResponseWriter, status int, version, location string, build func(b []byte, c *chunkWriter) []byte) {
	if version != "" {
		setETag(w, version)
	}
	if status == http.StatusCreated {
		w.Header().Set("Location", location)
	}
	writeChunked(w, status, build)
}

// writeList writes a ListResponse of n resources, the i-th appended by
// each, streaming the page out in chunks. Cursor pages (RFC 9865) have no
// startIndex and may have no totalResults.
func writeList(w http.ResponseWriter, m listMeta, n int, each func(b []byte, c *chunkWriter, i int) []byte) {
	writeChunked(w, http.StatusOK, func(b []byte, c *chunkWriter) []byte {
		b = append(b, `{"schemas":["`+ListResponseURN+`"]`...)
		if m.total >= 0 {
			b = append(b, `,"totalResults":`...)
			b = strconv.AppendInt(b, int64(m.total), 10)
		}
		if m.startIndex > 0 {
			b = append(b, `,"startIndex":`...)
			b = strconv.AppendInt(b, int64(m.startIndex), 10)
		}
		if m.next != "" {
			b = append(b, `,"nextCursor":"`+m.next+`"`...)
		}
		if m.prev != "" {
			b = append(b, `,"previousCursor":"`+m.prev+`"`...)
		}
		b = append(b, `,"itemsPerPage":`...)
		b = strconv.AppendInt(b, int64(n), 10)
		b = append(b, `,"Resources":[`...)
		for i := range n {
			if i > 0 {
				b = append(b, ',')
			}
			b = each(b, c, i)
			b = c.spill(b)
		}
		return append(b, ']', '}')
	})
}

// chunkSize is how much of a response is built before it is written out.
const chunkSize = 32 << 10

// chunkWriter writes a response body in chunks: the builder calls spill
// between elements, and what has been built goes to the client once it
// passes chunkSize. The status is written before the first chunk.
type chunkWriter struct {
	w      http.ResponseWriter
	status int
	sent   bool
}

// spill writes b out when it has grown past chunkSize and returns the
// buffer to go on with.
func (c *chunkWriter) spill(b []byte) []byte {
	if len(b) < chunkSize {
		return b
	}
	c.flush(b)
	return b[:0]
}

func (c *chunkWriter) flush(b []byte) {
	if !c.sent {
		c.w.WriteHeader(c.status)
		c.sent = true
	}
	c.w.Write(b)
}

// writeChunked writes a body built by build with status, from a pooled
// buffer.
func writeChunked(w http.ResponseWriter, status int, build func(b []byte, c *chunkWriter) []byte) {
	bp := bufPool.Get().(*[]byte)
	c := chunkWriter{w: w, status: status}
	b := build((*bp)[:0], &c)
	c.flush(b)
	if cap(b) <= 64<<10 {
		*bp = b[:0]
		bufPool.Put(bp)
	}
}

// badProjection refuses a write whose attributes or excludedAttributes
// cannot be read, before anything is written: the answer would be a 400
// for a change that was stored. It reports whether it wrote the error.
func (h *Handler) badProjection(w http.ResponseWriter, r *http.Request, ep *resourceType) bool {
	if _, e := h.requestProjection(ep.names, r); e != nil {
		h.writeError(w, r, e)
		return true
	}
	return false
}
