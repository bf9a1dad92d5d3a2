package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/scimkit/scim/scimtest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// Exit statuses.
const (
	exitPass  = 0
	exitFail  = 1
	exitUsage = 2
)

// config is what the flags say.
type config struct {
	target scimtest.Target
	only   string
	json   bool
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("scimcheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: scimcheck -url https://app.example.com/scim/v2 -token TOKEN [-only okta|entra|groups|rfc|declared] [-large-group N] [-timeout 30s] [-json]\n\n")
		fs.PrintDefaults()
	}
	fs.StringVar(&c.target.BaseURL, "url", "", "the SCIM base URL, as pasted into the identity provider (required)")
	fs.StringVar(&c.target.Token, "token", os.Getenv("SCIM_TOKEN"), "the bearer token (default $SCIM_TOKEN); never printed")
	fs.StringVar(&c.only, "only", "", "run only the okta, the entra or the rfc conversations (projection, .search, cursor paging, remove of active, noTarget, duplicates), only the group conversations of both identity providers, or only those of the declared resource types (the error cases always run)")
	fs.DurationVar(&c.target.Timeout, "timeout", 30*time.Second, "the time each request may take")
	fs.IntVar(&c.target.ImportUsers, "import-users", 150, "how many users the import check creates and pages through")
	fs.IntVar(&c.target.LargeGroupMembers, "large-group", 0, "run entra/groups-large, which creates this many users in the target (and deletes them) and adds them to one group; without it that conversation is skipped")
	fs.IntVar(&c.target.MembersPerPatch, "members-per-patch", 1_000, "the most members one PATCH of entra/groups-large adds (at most the service provider's cap)")
	fs.BoolVar(&c.json, "json", false, "print the results as JSON")
	if err := fs.Parse(args); err != nil {
		return c, err // flag has printed it, with the usage
	}
	if fs.NArg() > 0 {
		return c, usageError{fmt.Errorf("unexpected arguments %q", fs.Args())}
	}
	if c.target.BaseURL == "" {
		return c, usageError{errors.New("-url is required")}
	}
	if u, err := url.Parse(c.target.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return c, usageError{fmt.Errorf("-url %q is not an http or https URL", c.target.BaseURL)}
	}
	if c.only != "" && c.only != "okta" && c.only != "entra" && c.only != "groups" && c.only != "rfc" && c.only != "declared" {
		return c, usageError{fmt.Errorf("-only must be okta, entra, groups, rfc or declared, not %q", c.only)}
	}
	if c.target.Timeout <= 0 {
		return c, usageError{errors.New("-timeout must be positive")}
	}
	if c.target.ImportUsers < 1 {
		return c, usageError{errors.New("-import-users must be at least 1")}
	}
	if c.target.LargeGroupMembers < 0 {
		return c, usageError{errors.New("-large-group must be at least 1 (without it, entra/groups-large is skipped)")}
	}
	if c.target.MembersPerPatch < 1 {
		return c, usageError{errors.New("-members-per-patch must be at least 1")}
	}
	return c, nil
}

// usageError is a flag value scimcheck refuses (flag reports the rest).
type usageError struct{ error }

// run is scimcheck with its arguments and outputs, for the tests.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitPass
	}
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "scimcheck: %v\n", ue.error)
	}
	if err != nil {
		return exitUsage
	}
	if c.target.Token == "" {
		fmt.Fprintln(stderr, "scimcheck: no -token and no $SCIM_TOKEN: requests go without Authorization, and errors/bad-token is skipped")
	}
	var p printer = &textPrinter{w: stdout}
	if c.json {
		p = &jsonPrinter{w: stdout}
	}
	u, _ := url.Parse(c.target.BaseURL)
	p.start(u.Redacted())
	var passed, failed int
	unauthorized := false
	// Whether the group conversations apply is asked once: it is one
	// GET /ResourceTypes, the same for each.
	groupsSkip, askedGroups := "", false
	report := func(r *result) {
		switch r.Status {
		case "pass":
			passed++
		case "fail":
			failed++
		}
		p.check(r)
		if r.IdP != "errors" {
			for _, f := range r.Failures {
				unauthorized = unauthorized || strings.HasPrefix(f.Response, "HTTP 401 ")
			}
		}
	}
	runConv := func(conv scimtest.Conversation, skip string) {
		r := &result{Name: conv.FullName(), IdP: conv.IdP, Enforces: conv.Enforces}
		if skip == "" && ctx.Err() != nil {
			skip = "interrupted"
		}
		if skip != "" {
			r.Status = "skip"
			r.Notes = append(r.Notes, "not run: "+skip)
		} else {
			start := time.Now()
			conv.Run(ctx, c.target, r)
			r.Seconds = time.Since(start).Seconds()
			r.Status = "pass"
			if len(r.Failures) > 0 {
				r.Status = "fail"
			}
		}
		report(r)
	}
	for _, conv := range scimtest.Conversations() {
		if !selected(c.only, conv) {
			continue
		}
		skip := ""
		switch {
		case ctx.Err() != nil:
			skip = "interrupted"
		case conv.NeedsToken && c.target.Token == "":
			skip = "no token, so there is no authentication to check"
		case conv.NeedsGroups:
			if !askedGroups {
				groupsSkip, askedGroups = conv.Skip(ctx, c.target), true
			}
			skip = groupsSkip
		case conv.NeedsSearch || conv.NeedsCursor:
			// One conversation each: asked once too.
			skip = conv.Skip(ctx, c.target)
		}
		if skip == "" && conv.Large && c.target.LargeGroupMembers == 0 {
			// A default run stays small enough for a rate-limited
			// deployment that is in use: a few hundred resources, under a
			// minute at 50 requests a second.
			skip = "it creates thousands of users in the target; run it with -large-group N (e.g. 2000)"
		}
		runConv(conv, skip)
	}
	// Last, a conversation for each resource type the host declared
	// beyond User and Group, built from its /Schemas.
	if c.only == "" || c.only == "declared" {
		declared, err := scimtest.DeclaredConversations(ctx, c.target)
		if err != nil {
			report(&result{Name: "declared/discovery", IdP: "declared", Status: "fail",
				Enforces: "RFC 7644 §4: /ResourceTypes and /Schemas are served, so that a client finds the declared resource types",
				Failures: []failure{{Step: "declared/discovery", Message: err.Error()}}})
		}
		for _, conv := range declared {
			runConv(conv, "")
		}
	}
	if unauthorized {
		p.hint("the service provider answered 401 to the token given: check -token, and that -url is the base URL issued with it")
	}
	p.end(passed, failed)
	if failed > 0 {
		return exitFail
	}
	return exitPass
}

// selected reports whether -only selects conv: the error cases always run;
// okta and entra select an identity provider's conversations, groups the
// group conversations of both, rfc the conversations of a generic RFC
// client (projection, .search, cursor paging, remove of active, noTarget,
// duplicates), declared none of these (only the declared types' own, which
// run apart).
func selected(only string, conv scimtest.Conversation) bool {
	switch only {
	case "":
		return true
	case "groups":
		return conv.NeedsGroups || conv.IdP == "errors"
	case "declared":
		return conv.IdP == "errors"
	}
	return conv.IdP == only || conv.IdP == "errors"
}

// result is one check's outcome; it is the Reporter its conversation
// reports to.
type result struct {
	Name     string    `json:"name"`
	IdP      string    `json:"idp"`
	Enforces string    `json:"enforces"`
	Status   string    `json:"status"` // "pass", "fail" or "skip"
	Seconds  float64   `json:"seconds"`
	Failures []failure `json:"failures,omitempty"`
	Notes    []string  `json:"notes,omitempty"`
}

type failure struct {
	Step     string `json:"step"`
	Message  string `json:"message"`
	Request  string `json:"request,omitempty"`
	Response string `json:"response,omitempty"`
}

func (r *result) Fail(f scimtest.Failure) {
	r.Failures = append(r.Failures, failure{Step: f.Step, Message: f.Message, Request: f.Request, Response: f.Response})
}

func (r *result) Logf(format string, args ...any) {
	r.Notes = append(r.Notes, fmt.Sprintf(format, args...))
}

type printer interface {
	start(url string)
	check(*result)
	hint(string)
	end(passed, failed int)
}

// textPrinter writes one line per check as it finishes, the failures
// under it, and the summary line last.
type textPrinter struct{ w io.Writer }

func (p *textPrinter) start(url string) {
	fmt.Fprintf(p.w, "scimcheck %s\n\n", url)
}

func (p *textPrinter) check(r *result) {
	fmt.Fprintf(p.w, "%s %s\n", strings.ToUpper(r.Status), r.Name)
	if r.Status == "fail" {
		fmt.Fprintf(p.w, "     enforces: %s\n", r.Enforces)
	}
	for _, f := range r.Failures {
		fmt.Fprintf(p.w, "     %s: %s\n", f.Step, f.Message)
		if f.Request != "" {
			fmt.Fprintf(p.w, "         request:  %s\n", indent(f.Request, "                   "))
		}
		if f.Response != "" {
			fmt.Fprintf(p.w, "         response: %s\n", indent(f.Response, "                   "))
		}
	}
	for _, n := range r.Notes {
		fmt.Fprintf(p.w, "     note: %s\n", n)
	}
}

func (p *textPrinter) hint(h string) { fmt.Fprintf(p.w, "\nhint: %s\n", h) }

func (p *textPrinter) end(passed, failed int) {
	fmt.Fprintf(p.w, "\n%d passed, %d failed\n", passed, failed)
}

func indent(s, prefix string) string { return strings.ReplaceAll(s, "\n", "\n"+prefix) }

// jsonPrinter writes one JSON document at the end.
type jsonPrinter struct {
	w      io.Writer
	URL    string    `json:"url"`
	Checks []*result `json:"checks"`
	Passed int       `json:"passed"`
	Failed int       `json:"failed"`
	Hints  []string  `json:"hints,omitempty"`
}

func (p *jsonPrinter) start(url string) { p.URL = url }
func (p *jsonPrinter) check(r *result)  { p.Checks = append(p.Checks, r) }
func (p *jsonPrinter) hint(h string)    { p.Hints = append(p.Hints, h) }

func (p *jsonPrinter) end(passed, failed int) {
	p.Passed, p.Failed = passed, failed
	e := json.NewEncoder(p.w)
	e.SetIndent("", "  ")
	e.SetEscapeHTML(false)
	e.Encode(p)
}
