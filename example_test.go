package scim_test

import (
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/memstore"
)

// Mount the handler under /scim/v2 with http.StripPrefix; meta.location
// still carries the full path. The same handler works under chi's Mount
// or a ServeMux pattern with Config.BasePath.
func Example_mounting() {
	h, err := scim.NewHandler(memstore.New(), scim.Config{Authenticator: scim.SkipAuthentication})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", h))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	// Okta creates a user...
	body := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"Ann.Lee@example.com",
		"name":{"givenName":"Ann","familyName":"Lee"},"emails":[{"type":"work","value":"ann.lee@example.com"}]}`
	res, err := http.Post(srv.URL+"/scim/v2/Users", "application/scim+json", strings.NewReader(body))
	if err != nil {
		log.Fatal(err)
	}
	var created struct {
		ID          string
		UserName    string
		DisplayName string
		Active      bool
		Meta        struct{ Location string }
	}
	json.NewDecoder(res.Body).Decode(&created)
	res.Body.Close()
	fmt.Println(res.StatusCode, res.Header.Get("Content-Type"))
	fmt.Println(created.UserName, created.DisplayName, created.Active)
	fmt.Println(created.Meta.Location == srv.URL+"/scim/v2/Users/"+created.ID, res.Header.Get("Location") == created.Meta.Location)

	// ...and finds it again by userName, which compares case-insensitively.
	filter := url.QueryEscape(`userName eq "ann.lee@example.com"`)
	res, err = http.Get(srv.URL + "/scim/v2/Users?filter=" + filter + "&startIndex=1&count=100")
	if err != nil {
		log.Fatal(err)
	}
	var list struct {
		TotalResults int
		Resources    []struct{ ID, UserName string }
	}
	json.NewDecoder(res.Body).Decode(&list)
	res.Body.Close()
	fmt.Println(res.StatusCode, list.TotalResults, list.Resources[0].UserName, list.Resources[0].ID == created.ID)
	// Output:
	// 201 application/scim+json
	// Ann.Lee@example.com Ann Lee true
	// true true
	// 200 1 Ann.Lee@example.com true
}
