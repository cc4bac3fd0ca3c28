package config

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

var cfgType = reflect.TypeOf(Config{})

// leafTypes decode themselves from a scalar; checkKeys does not look
// inside them.
var leafTypes = map[reflect.Type]bool{
	reflect.TypeOf(Duration(0)): true,
	reflect.TypeOf(Secret("")):  true,
	reflect.TypeOf(Due{}):       true,
}

// check walks n against the struct type t: it expands ${VAR} in values,
// rejects keys t does not have (naming the keys allowed there), checks
// each value has the shape its key needs and that durations and dates
// parse, and records the line of every key path. It goes on past each
// problem, so one pass finds them all.
func (ps *problems) check(n *yaml.Node, t reflect.Type, path string, getenv func(string) string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	ps.lines[path] = n.Line
	if n.Kind == yaml.ScalarNode && strings.Contains(n.Value, "${") {
		out, err := expand(n.Value, getenv)
		if err != nil {
			ps.add(n.Line, path, "%v", err)
			return
		}
		n.Value = out
	}
	if leafTypes[t] {
		ps.checkLeaf(n, t, path)
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
				return
			}
			ps.add(n.Line, orRoot(path), "expected a mapping of keys (%s)", strings.Join(yamlKeys(t), ", "))
			return
		}
		fields := map[string]reflect.Type{}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name := strings.Split(f.Tag.Get("yaml"), ",")[0]
			if name == "" || name == "-" {
				continue
			}
			fields[name] = f.Type
		}
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			ft, ok := fields[k.Value]
			if !ok {
				ps.add(k.Line, join(path, k.Value), "unknown key %q in %s%s (valid keys: %s)", k.Value, orRoot(path), didYouMean(k.Value, yamlKeys(t)), strings.Join(yamlKeys(t), ", "))
				continue
			}
			if seen[k.Value] {
				ps.add(k.Line, join(path, k.Value), "key %q appears twice in %s; keep one", k.Value, orRoot(path))
				continue
			}
			seen[k.Value] = true
			ps.check(v, ft, join(path, k.Value), getenv)
		}
	case reflect.Slice:
		if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
			return
		}
		if n.Kind != yaml.SequenceNode {
			ps.add(n.Line, orRoot(path), "expected a list, e.g. [a, b] or one \"- item\" a line")
			return
		}
		for i, item := range n.Content {
			ps.check(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i), getenv)
		}
	default:
		if n.Kind != yaml.ScalarNode {
			ps.add(n.Line, orRoot(path), "expected a single value, not a list or mapping")
		}
	}
}

// checkLeaf checks a value that decodes itself: a duration or a date.
func (ps *problems) checkLeaf(n *yaml.Node, t reflect.Type, path string) {
	if n.Kind != yaml.ScalarNode {
		ps.add(n.Line, path, "expected a single value, not a list or mapping")
		return
	}
	var err error
	switch t {
	case reflect.TypeOf(Duration(0)):
		_, err = ParseDuration(n.Value)
	case reflect.TypeOf(Due{}):
		_, err = ParseDue(n.Value)
	}
	if err != nil {
		ps.add(n.Line, path, "%v", err)
	}
}

// didYouMean suggests the valid key closest to a misspelt one.
func didYouMean(key string, valid []string) string {
	best, bestD := "", 3
	for _, v := range valid {
		if d := editDistance(key, v); d < bestD {
			best, bestD = v, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf("; did you mean %q?", best)
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

func yamlKeys(t reflect.Type) []string {
	var keys []string
	for i := 0; i < t.NumField(); i++ {
		name := strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]
		if name != "" && name != "-" {
			keys = append(keys, name)
		}
	}
	sort.Strings(keys)
	return keys
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func orRoot(path string) string {
	if path == "" {
		return "the top level"
	}
	return path
}

func expand(s string, getenv func(string) string) (string, error) {
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return "", fmt.Errorf("unclosed ${ in %q: write ${VARIABLE}", s)
		}
		b.WriteString(s[:i])
		ref := s[i+2 : i+j]
		name, fallback, hasFallback := strings.Cut(ref, ":-")
		if !validEnvName(name) {
			return "", fmt.Errorf("${%s} is not a valid environment variable name", name)
		}
		v := ""
		if getenv != nil {
			v = getenv(name)
		}
		if v == "" {
			if !hasFallback {
				return "", fmt.Errorf("environment variable %s is not set (the file refers to ${%s}; set it, or write ${%s:-default})", name, name, name)
			}
			v = fallback
		}
		b.WriteString(v)
		s = s[i+j+1:]
	}
}

func validEnvName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		switch {
		case c == '_', c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}
