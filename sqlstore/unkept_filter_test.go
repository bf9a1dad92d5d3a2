package sqlstore_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/sqlstore"
)

// Entra ID can match users on externalId. Over a table without an
// externalId column the client learns that this service provider keeps
// none and to match on userName, and the host's log says what to map.
func TestFilterOnUnmappedExternalID(t *testing.T) {
	forEachDB(t, func(t *testing.T, d database) {
		s, _, cfg := d.newStore(t, sqlstore.Config{Columns: sqlstore.Columns{ExternalID: "-"}})
		var log bytes.Buffer
		h := must(scim.NewHandler(s, scim.Config{Authenticator: scim.SkipAuthentication, Logger: slog.New(slog.NewTextHandler(&log, nil))}))(t)
		e := serve(t, h, "GET", "/Users?filter="+url.QueryEscape(`externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"`), "", http.StatusBadRequest)
		detail, _ := e["detail"].(string)
		for _, s := range []string{"keeps no externalId", "match users on userName"} {
			if !strings.Contains(detail, s) {
				t.Errorf("detail %q does not say %q", detail, s)
			}
		}
		if strings.Contains(detail, "userName, externalId") || strings.Contains(detail, cfg.Table) {
			t.Errorf("detail %q suggests externalId or names the table", detail)
		}
		if want := `Config.Columns.ExternalID is \"-\"): map it to a column`; !strings.Contains(log.String(), want) {
			t.Errorf("the log does not say what to map (%s): %s", want, log.String())
		}
	})
}
