module github.com/scimkit/scim/bench

go 1.26

require (
	github.com/elimity-com/scim v0.0.0-20260728105928-2641426a1539
	github.com/jackc/pgx/v5 v5.12.0
	github.com/scim2/filter-parser/v2 v2.3.1
	github.com/scimkit/scim v0.1.0
	github.com/scimkit/scim/sqlstore v0.1.0
)

require (
	github.com/jackc/pgpassfile v1.0.0 // indirect
	github.com/jackc/pgservicefile v0.0.0-20240606120523-5a60cdf6a761 // indirect
	github.com/jackc/puddle/v2 v2.2.3 // indirect
	github.com/q-uint/parser v0.3.1 // indirect
	github.com/q-uint/xsd-datetime v1.0.0 // indirect
	golang.org/x/sync v0.24.0 // indirect
	golang.org/x/text v0.41.0 // indirect
)

// Development happens in the go.work workspace; the replace keeps
// "go mod tidy" (which ignores go.work) working inside this module.
replace (
	github.com/scimkit/scim => ../
	github.com/scimkit/scim/sqlstore => ../sqlstore
)
