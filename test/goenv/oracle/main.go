// Oracle for go-proxy-setup's tests: answers questions with the Go standard library itself, so
// the TypeScript ports (path.Match, net/url, strings, strconv, MatchPrefixPatterns) are checked
// against real Go on thousands of generated inputs. One JSON request per line on stdin, one JSON
// answer per line on stdout. Standard library only: builds offline.
package main

import (
	"bufio"
	"encoding/json"
	"net/url"
	"os"
	"path"
	"strconv"
	"strings"
)

type request struct {
	Op      string `json:"op"`
	Pattern string `json:"pattern"`
	Name    string `json:"name"`
	Raw     string `json:"raw"`
}

type answer struct {
	Bool     bool     `json:"bool"`
	Err      string   `json:"err"`
	Text     string   `json:"text"`
	Redacted string   `json:"redacted"`
	Fields   []string `json:"fields"`
	URL      *urlInfo `json:"url,omitempty"`
}

type urlInfo struct {
	Scheme, Opaque, Host, Path, RawPath, RawQuery, Fragment, RawFragment string
	HasUser, PasswordSet, OmitHost, ForceQuery                              bool
	Username, Password                                                      string
}

// matchPrefixPatterns is golang.org/x/mod/module.MatchPrefixPatterns (cmd/go vendors it; it is
// not importable from outside cmd), copied verbatim.
func matchPrefixPatterns(globs, target string) bool {
	for globs != "" {
		var glob string
		if i := strings.Index(globs, ","); i >= 0 {
			glob, globs = globs[:i], globs[i+1:]
		} else {
			glob, globs = globs, ""
		}
		glob = strings.TrimSuffix(glob, "/")
		if glob == "" {
			continue
		}
		n := strings.Count(glob, "/")
		prefix := target
		for i := 0; i < len(target); i++ {
			if target[i] == '/' {
				if n == 0 {
					prefix = target[:i]
					break
				}
				n--
			}
		}
		if n > 0 {
			continue
		}
		matched, _ := path.Match(glob, prefix)
		if matched {
			return true
		}
	}
	return false
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	for in.Scan() {
		var req request
		if err := json.Unmarshal(in.Bytes(), &req); err != nil {
			panic(err)
		}
		var a answer
		switch req.Op {
		case "match":
			m, err := path.Match(req.Pattern, req.Name)
			a.Bool = m
			if err != nil {
				a.Err = err.Error()
			}
		case "prefix":
			a.Bool = matchPrefixPatterns(req.Pattern, req.Name)
		case "url":
			u, err := url.Parse(req.Raw)
			if err != nil {
				a.Err = err.Error()
			} else {
				a.Text = u.String()
				a.Redacted = u.Redacted()
				pw, set := u.User.Password()
				a.URL = &urlInfo{u.Scheme, u.Opaque, u.Host, u.Path, u.RawPath, u.RawQuery, u.Fragment, u.RawFragment,
					u.User != nil, set, u.OmitHost, u.ForceQuery, u.User.Username(), pw}
			}
		case "trimspace":
			a.Text = strings.TrimSpace(req.Raw)
		case "fields":
			a.Fields = strings.Fields(req.Raw)
			if a.Fields == nil {
				a.Fields = []string{}
			}
		case "quote":
			a.Text = strconv.Quote(req.Raw)
		default:
			panic("unknown op " + req.Op)
		}
		if err := enc.Encode(a); err != nil {
			panic(err)
		}
	}
}
