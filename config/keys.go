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

// checkKeys walks n against the struct type t and rejects keys t does not
// have, naming the line, the key and the keys that are allowed there.
func checkKeys(n *yaml.Node, t reflect.Type, path string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if leafTypes[t] {
		return nil
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
				return nil
			}
			return fmt.Errorf("%d: %s: expected a mapping of keys (%s)", n.Line, orRoot(path), strings.Join(yamlKeys(t), ", "))
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
				return fmt.Errorf("%d: unknown key %q in %s (valid keys: %s)", k.Line, k.Value, orRoot(path), strings.Join(yamlKeys(t), ", "))
			}
			if seen[k.Value] {
				return fmt.Errorf("%d: key %q appears twice in %s", k.Line, k.Value, orRoot(path))
			}
			seen[k.Value] = true
			if err := checkKeys(v, ft, join(path, k.Value)); err != nil {
				return err
			}
		}
	case reflect.Slice:
		if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
			return nil
		}
		if n.Kind != yaml.SequenceNode {
			return fmt.Errorf("%d: %s: expected a list", n.Line, orRoot(path))
		}
		for i, item := range n.Content {
			if err := checkKeys(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	default:
		if n.Kind != yaml.ScalarNode {
			return fmt.Errorf("%d: %s: expected a single value, not a list or mapping", n.Line, orRoot(path))
		}
	}
	return nil
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

// expandEnv replaces ${VAR} and ${VAR:-fallback} in every scalar value
// under n. A reference to an unset variable without a fallback is an
// error naming the variable and the line.
func expandEnv(n *yaml.Node, getenv func(string) string) error {
	if n.Kind == yaml.ScalarNode {
		if !strings.Contains(n.Value, "${") {
			return nil
		}
		out, err := expand(n.Value, getenv)
		if err != nil {
			return fmt.Errorf("%d: %w", n.Line, err)
		}
		n.Value = out
		return nil
	}
	for i, c := range n.Content {
		if n.Kind == yaml.MappingNode && i%2 == 0 {
			continue // keys are not expanded
		}
		if err := expandEnv(c, getenv); err != nil {
			return err
		}
	}
	return nil
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
