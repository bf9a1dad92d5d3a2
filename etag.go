package scim

import (
	"fmt"
	"net/http"
	"strings"
)

// ETags (RFC 7644 §3.14): every resource type's meta.version served as a
// weak entity tag, and the If-Match and If-None-Match checks every read
// and write makes.

// etagMatches reports whether the If-Match or If-None-Match header value
// list names version ("*" names any). SCIM versions are weak ETags, so
// the comparison is weak (RFC 9110 §8.8.3.2).
func etagMatches(list, version string) bool {
	for tag := range strings.SplitSeq(list, ",") {
		tag = strings.TrimSpace(tag)
		if tag == "*" || version != "" && strings.TrimPrefix(tag, "W/") == strings.TrimPrefix(etag(version), "W/") {
			return true
		}
	}
	return false
}

// etag is version as an entity tag. Stores should assign versions such as
// W/"3"; a bare one (3) is served as the weak tag W/"3", so that the ETag
// header is always valid and If-Match compares it right.
func etag(version string) string {
	if version == "" || strings.HasPrefix(version, `W/"`) || strings.HasPrefix(version, `"`) {
		return version
	}
	return `W/"` + strings.ReplaceAll(version, `"`, "") + `"`
}

// patchWithoutContent is the one rule by which a PATCH of a resource of
// any type is answered (RFC 7644 §3.5.2): 200 with the resource, as
// projected, whenever the request names attributes or excludedAttributes
// (the RFC makes 200 a MUST then); otherwise 204 No
// Content when Config.PatchNoContent says so, or the type answers so by
// default (Groups: what Entra ID asks for, and a large group's member list
// is never sent back unasked), else 200.
func (h *Handler) patchWithoutContent(rt *resourceType, r *http.Request) bool {
	return (h.cfg.PatchNoContent || rt.patchNoContent) && !asksAttributes(r)
}

// asksAttributes reports whether r's query names attributes or
// excludedAttributes.
func asksAttributes(r *http.Request) bool {
	keys := [...]string{"attributes", "excludedAttributes"}
	var vals [2]string
	var has [2]bool
	readQuery(r.URL.RawQuery, keys[:], vals[:], has[:]) // a malformed query is refused by the projection
	return vals[0] != "" || vals[1] != ""
}

// writeNoContent answers 204 No Content, with the ETag of version when
// there is one (a PATCH's; a DELETE has none).
func writeNoContent(w http.ResponseWriter, version string) {
	if version != "" {
		setETag(w, version)
	}
	w.Header().Del("Content-Type")
	w.WriteHeader(http.StatusNoContent)
}

// setETag sets the ETag header of a response about a user of the given
// version. It writes the canonical key ("Etag") itself: Header().Set would
// canonicalise "ETag" again on every response.
func setETag(w http.ResponseWriter, version string) {
	w.Header()["Etag"] = []string{etag(version)}
}

// ifMatch checks the request's If-Match against the current version.
func ifMatch(r *http.Request, version string) *Error {
	im := r.Header.Get("If-Match")
	if im == "" || etagMatches(im, version) {
		return nil
	}
	return errorf(http.StatusPreconditionFailed, "", fmt.Sprintf("If-Match %s does not match the current version %s; read the resource again", im, version))
}
