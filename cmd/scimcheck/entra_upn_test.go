package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// oneColumnForUserNameAndEmail refuses a create whose userName and work
// email differ (other than in case), as a host that keeps both in one
// column does: sqlstore's 400 when Columns.UserName and Columns.Email name
// the same column.
func oneColumnForUserNameAndEmail(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/Users") {
			h.ServeHTTP(w, r)
			return
		}
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		var u struct {
			UserName string
			Emails   []struct{ Type, Value string }
		}
		json.Unmarshal(body, &u)
		for _, e := range u.Emails {
			if e.Type == "work" && !strings.EqualFold(e.Value, u.UserName) {
				w.Header().Set("Content-Type", "application/scim+json")
				w.WriteHeader(http.StatusBadRequest)
				fmt.Fprintf(w, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"400","scimType":"invalidValue","detail":%q}`,
					fmt.Sprintf(`userName %q and emails[type eq "work"].value %q are kept in one field by this service provider and must be equal`, u.UserName, e.Value))
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

// Against a host that keeps userName and the work email in one column,
// the Entra conversations fail at their create, and the report says why
// in one line: what Entra sends, and the two ways out.
func TestEntraUserNameNotEmailIsExplained(t *testing.T) {
	srv := newServer(t, oneColumnForUserNameAndEmail)
	out, _, code := runCheck(t, "-url", srv.URL+"/scim/v2", "-token", token, "-only", "entra")
	if code != exitFail {
		t.Errorf("exit %d, want 1:\n%s", code, out)
	}
	line := `     entra/create: the service provider refuses a user whose userName differs from its work email, and takes one whose userName equals it: ` +
		`Entra ID sends userName = userPrincipalName and emails[type eq "work"].value = mail, which differ in many tenants; ` +
		`keep userName and the work email in separate columns, or change Entra's attribute mapping so that userName comes from mail instead of userPrincipalName` + "\n"
	// Every Entra conversation that creates a user says it, once.
	for _, name := range []string{"entra/create", "entra/lookup", "entra/patch-default", "entra/patch-flagged", "entra/work-email", "entra/deprovision", "entra/groups-add", "entra/groups-parallel"} {
		i := strings.Index(out, "\nFAIL "+name+"\n")
		if i < 0 {
			t.Errorf("no FAIL %s:\n%s", name, out)
			continue
		}
		report := out[i+1:]
		if j := strings.Index(report[1:], "\nFAIL "); j >= 0 {
			report = report[:j+2]
		}
		if n := strings.Count(report, line); n != 1 {
			t.Errorf("FAIL %s says %d times what Entra sends and the fix, want once:\n%s", name, n, report)
		}
	}
	// The okta conversations' userNames are e-mails: they pass, and say
	// nothing of Entra.
	out, _, _ = runCheck(t, "-url", srv.URL+"/scim/v2", "-token", token, "-only", "okta")
	if strings.Contains(out, "userPrincipalName") {
		t.Errorf("an okta run speaks of Entra's mapping:\n%s", out)
	}
	// The probe's own user is deleted with the others.
	if n := count(t, srv, "/scim/v2/Users?count=0"); n != 0 {
		t.Errorf("after scimcheck the store holds %d users, want 0", n)
	}
}

// A host that refuses Entra's create for another reason is not told
// about userName and email.
func TestEntraOtherRefusalIsNotExplainedAsUPN(t *testing.T) {
	refuseAllCreates := refuseCreates("/Users", http.StatusBadRequest)
	srv := newServer(t, refuseAllCreates)
	out, _, code := runCheck(t, "-url", srv.URL+"/scim/v2", "-token", token, "-only", "entra")
	if code != exitFail || !strings.Contains(out, "\nFAIL entra/create\n") {
		t.Errorf("exit %d, want 1 and FAIL entra/create:\n%s", code, out)
	}
	if strings.Contains(out, "userPrincipalName") {
		t.Errorf("a refusal of every create is explained as userName ≠ email:\n%s", out)
	}
}
