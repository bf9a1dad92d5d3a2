// Command modzip publishes one module of this repository, at one version,
// into a file-based Go module proxy (GOPROXY=file://DIR), as the public
// proxy would serve it once the tag exists: DIR/<module>/@v/list,
// <version>.info, <version>.mod and <version>.zip, the zip's files under
// <module>@<version>/. .ci/consumer builds a consumer module against it.
//
//	go run .ci/modzip/main.go -proxy DIR -dir sqlstore -module github.com/scimkit/scim/sqlstore -version v0.1.0
//
// The zip holds what a tag of the module would: the files git knows in the
// module's directory (tracked, plus untracked ones that .gitignore does not
// exclude, so that a change can be checked before it is committed), less
// the directories of nested modules, which are modules of their own. It
// uses the standard library only, rather than golang.org/x/mod/zip, so that
// the root module and its CI need no dependency; the go command checks every
// zip it downloads (paths, prefix, go.mod), so a malformed one fails the
// consumer build, not silently.
package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode"
)

func main() {
	proxy := flag.String("proxy", "", "the proxy's directory (created if missing)")
	dir := flag.String("dir", ".", "the module's directory in the repository")
	module := flag.String("module", "", "the module path, as in its go.mod")
	version := flag.String("version", "", "the version to publish, e.g. v0.1.0")
	flag.Parse()
	if *proxy == "" || *module == "" || !strings.HasPrefix(*version, "v") {
		log.Fatal("modzip: -proxy, -module and -version (vX.Y.Z) are required")
	}
	if err := publish(*proxy, *dir, *module, *version); err != nil {
		log.Fatalf("modzip: %s@%s: %v", *module, *version, err)
	}
}

func publish(proxy, dir, module, version string) error {
	gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return err
	}
	if got := modulePath(gomod); got != module {
		return fmt.Errorf("%s/go.mod declares module %q", dir, got)
	}
	files, err := moduleFiles(dir)
	if err != nil {
		return err
	}
	escaped, err := escapePath(module)
	if err != nil {
		return err
	}
	vdir := filepath.Join(proxy, filepath.FromSlash(escaped), "@v")
	if err := os.MkdirAll(vdir, 0o755); err != nil {
		return err
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range files {
		if err := addFile(zw, module+"@"+version+"/"+name, filepath.Join(dir, filepath.FromSlash(name))); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	info, err := json.Marshal(struct {
		Version string
		Time    time.Time
	}{version, commitTime(dir)})
	if err != nil {
		return err
	}
	for name, data := range map[string][]byte{version + ".zip": buf.Bytes(), version + ".mod": gomod, version + ".info": info} {
		if err := os.WriteFile(filepath.Join(vdir, name), data, 0o644); err != nil {
			return err
		}
	}
	list, _ := os.ReadFile(filepath.Join(vdir, "list"))
	if !slices.Contains(strings.Fields(string(list)), version) {
		list = append(list, version+"\n"...)
	}
	fmt.Printf("%s@%s: %d files\n", module, version, len(files))
	return os.WriteFile(filepath.Join(vdir, "list"), list, 0o644)
}

// moduleFiles lists the module's files, slash-separated and relative to
// dir: what git knows there, less nested modules and files that no longer
// exist.
func moduleFiles(dir string) ([]string, error) {
	cmd := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git ls-files: %w", err)
	}
	all := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	var nested []string // directories of other modules, each ending in "/"
	for _, f := range all {
		if path.Base(f) == "go.mod" && f != "go.mod" {
			nested = append(nested, path.Dir(f)+"/")
		}
	}
	var files []string
	for _, f := range all {
		if f == "" || slices.ContainsFunc(nested, func(n string) bool { return strings.HasPrefix(f, n) }) {
			continue
		}
		st, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(f)))
		if err != nil || !st.Mode().IsRegular() {
			continue // deleted in the work tree, or a symlink (module zips hold neither)
		}
		files = append(files, f)
	}
	slices.Sort(files)
	return slices.Compact(files), nil
}

func addFile(zw *zip.Writer, name, src string) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	w, err := zw.Create(name)
	if err != nil {
		return err
	}
	_, err = io.Copy(w, f)
	return err
}

// modulePath returns the path a go.mod declares.
func modulePath(gomod []byte) string {
	for line := range strings.Lines(string(gomod)) {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`)
		}
	}
	return ""
}

// escapePath is the proxy protocol's case encoding: each upper-case letter
// becomes "!" and its lower-case form, so that paths differing only in case
// stay apart on case-insensitive file systems.
func escapePath(p string) (string, error) {
	var b strings.Builder
	for _, r := range p {
		switch {
		case r == '!' || r > unicode.MaxASCII:
			return "", fmt.Errorf("module path %q: %q cannot be escaped", p, r)
		case 'A' <= r && r <= 'Z':
			b.WriteByte('!')
			b.WriteRune(unicode.ToLower(r))
		default:
			b.WriteRune(r)
		}
	}
	return b.String(), nil
}

// commitTime is the time of the commit checked out, which a tag on it would
// carry; the current time when git cannot say.
func commitTime(dir string) time.Time {
	cmd := exec.Command("git", "log", "-1", "--format=%cI")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return time.Now().UTC()
	}
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(string(out)))
	if err != nil {
		return time.Now().UTC()
	}
	return t.UTC()
}
