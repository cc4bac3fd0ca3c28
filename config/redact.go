package config

import (
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Size limits. A configuration or source file larger than these is not
// what the operator meant to give (a log, an export, a binary), and is
// refused before it is read into memory.
const (
	MaxConfigSize = 1 << 20  // 1 MiB
	MaxSourceSize = 16 << 20 // 16 MiB, each source or FAQ file
)

// secretEnv are the environment variables that hold secrets whatever the
// file says.
var secretEnv = []string{"SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"}

// secretKeys are the settings whose values are secrets.
var secretKeys = map[string]bool{"bot_token": true, "app_token": true, "signing_secret": true}

// minSecret is the shortest value masked: masking every "a" in a message
// would hide more than it protects.
const minSecret = 3

// Redactor masks secret values wherever they appear in text. Its zero
// value masks nothing.
type Redactor struct{ secrets []string }

// NewRedactor masks the given values (empty and very short ones are
// ignored).
func NewRedactor(values ...string) Redactor {
	var r Redactor
	for _, v := range values {
		r = r.with(v)
	}
	return r
}

func (r Redactor) with(v string) Redactor {
	v = strings.TrimSpace(v)
	if len(v) < minSecret {
		return r
	}
	for _, s := range r.secrets {
		if s == v {
			return r
		}
	}
	out := Redactor{secrets: append(append([]string(nil), r.secrets...), v)}
	if q := strconv.Quote(v); q[1:len(q)-1] != v {
		out.secrets = append(out.secrets, q[1:len(q)-1]) // as %q shows it
	}
	// Longest first, so a secret containing another is masked whole.
	sort.Slice(out.secrets, func(i, j int) bool { return len(out.secrets[i]) > len(out.secrets[j]) })
	return out
}

// Redact returns s with every secret replaced by the mask.
func (r Redactor) Redact(s string) string {
	for _, v := range r.secrets {
		if strings.Contains(s, v) {
			s = strings.ReplaceAll(s, v, mask)
		}
	}
	return s
}

// Error returns err with every secret in its message masked; errors.Is
// and errors.As still see the original.
func (r Redactor) Error(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if red := r.Redact(msg); red != msg {
		return &redacted{msg: red, err: err}
	}
	return err
}

type redacted struct {
	msg string
	err error
}

func (e *redacted) Error() string { return e.msg }
func (e *redacted) Unwrap() error { return e.err }

// Redactor masks the configuration's secrets: the Slack tokens and the
// signing secret, and the value of every environment variable that one of
// them was expanded from or read from, wherever else it is used.
func (cfg *Config) Redactor() Redactor {
	r := cfg.redactor
	for _, s := range []Secret{cfg.Slack.BotToken, cfg.Slack.AppToken, cfg.Slack.SigningSecret} {
		r = r.with(s.Value())
	}
	return r
}

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?\}`)

// secretSources finds what must be masked before the file is decoded, so
// that even an error found while decoding it masks them: the secret
// environment variables, and every variable a secret setting in the file
// refers to as ${VAR}, with the fallbacks given there.
func secretSources(data []byte, getenv func(string) string) Redactor {
	var r Redactor
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	for _, name := range secretEnv {
		r = r.with(getenv(name))
	}
	var doc yaml.Node
	if len(data) == 0 || yaml.Unmarshal(data, &doc) != nil {
		return r
	}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				if secretKeys[k.Value] && v.Kind == yaml.ScalarNode {
					r = r.with(v.Value) // a secret written in the file
					for _, m := range envRef.FindAllStringSubmatch(v.Value, -1) {
						r = r.with(getenv(m[1]))
						if _, fallback, ok := strings.Cut(strings.TrimSuffix(strings.TrimPrefix(m[0], "${"), "}"), ":-"); ok {
							r = r.with(fallback)
						}
					}
				}
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(&doc)
	return r
}

// readConfigFile reads a configuration file, refusing one over
// MaxConfigSize.
func readConfigFile(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("read config %s: it is a folder; give the YAML file", path)
	}
	if fi.Size() > MaxConfigSize {
		return nil, fmt.Errorf("read config %s: the file is %s, larger than the %s a configuration may be: is it the right file?", path, size(fi.Size()), size(MaxConfigSize))
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	return data, nil
}

func size(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
