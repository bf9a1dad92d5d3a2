package scim

import "net/http"

// patchUser is replaced by the PATCH engine.
func (h *Handler) patchUser(w http.ResponseWriter, r *http.Request, req request, id string) {
	h.writeError(w, r, errorf(http.StatusNotImplemented, "", "PATCH is not implemented yet"))
}
