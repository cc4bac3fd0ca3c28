// Package config loads hiecbot's settings from one YAML file.
//
// Every setting has a default (see Default), so no file is needed to run
// the bot on the guide alone. A file is strict: unknown keys are rejected,
// and every error names the file, the line and the key. Scalar values may
// refer to environment variables as ${VAR} (an error when VAR is unset) or
// ${VAR:-fallback}, which is how secrets stay out of the file. The Slack
// secrets are also read from SLACK_BOT_TOKEN, SLACK_APP_TOKEN and
// SLACK_SIGNING_SECRET when the file leaves them empty, and SLACK_API_URL
// overrides slack.api_url.
//
// It owns the settings, their defaults and their validation, and imports
// nothing of hiecbot's but config/when: every other package may import it.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// DefaultFile is the file Find looks for in the current folder.
const DefaultFile = "hiecbot.yaml"

// Config is the effective configuration of one hiecbot process.
type Config struct {
	// File is the file the configuration was read from, or "" for the
	// built-in defaults.
	File string `yaml:"-"`

	Knowledge Knowledge `yaml:"knowledge"`
	Storage   Storage   `yaml:"storage"`
	Slack     Slack     `yaml:"slack"`
	NSG       NSG       `yaml:"nsg"`
	Reminders Reminders `yaml:"reminders"`
	Dialogue  Dialogue  `yaml:"dialogue"`
	Log       Log       `yaml:"log"`
	Metrics   Metrics   `yaml:"metrics"`

	// lines maps each key the file set to its line.
	lines map[string]int
	// redactor masks the secrets found while loading (see Redactor).
	redactor Redactor
}

// Knowledge lists the documents indexed beside the embedded guide.
type Knowledge struct {
	// Sources are Markdown or plain-text files, split into passages at
	// headings and cited by file and heading.
	Sources []string `yaml:"sources"`
	// FAQ is a YAML file of question and answer pairs.
	FAQ string `yaml:"faq"`
	// Synonyms are files of the operator's own equivalences, one group a
	// line ("quote, quotation, RFQ response") or "a => b", applied to
	// every document.
	Synonyms []string `yaml:"synonyms"`
	// Questions are YAML files of the questions that passages of the
	// sources (or of the guide) answer, in bidders' words: entries of a
	// cite (the passage's citation) and its questions.
	Questions []string `yaml:"questions"`
	// CacheDir is a folder where each source's analysis is saved and read
	// back while the source is unchanged, so that large sources start
	// fast. Empty means a "knowledge-cache" folder beside the store.
	CacheDir string `yaml:"cache_dir"`
}

// KnowledgeCacheDir returns the folder for the knowledge cache:
// knowledge.cache_dir, or "knowledge-cache" beside the store.
func (cfg *Config) KnowledgeCacheDir() string {
	if cfg.Knowledge.CacheDir != "" {
		return cfg.Knowledge.CacheDir
	}
	return filepath.Join(filepath.Dir(cfg.Storage.Path), "knowledge-cache")
}

// Storage says where the question log lives.
type Storage struct {
	// Path is the bbolt file; its folder is created on first use.
	Path string `yaml:"path"`
}

// Slack holds the Slack app's credentials and endpoints.
type Slack struct {
	BotToken      Secret `yaml:"bot_token"`
	AppToken      Secret `yaml:"app_token"`
	SigningSecret Secret `yaml:"signing_secret"`
	// Listen is the HTTP address for the Events API when no app token is
	// set (Socket Mode is used when one is).
	Listen string `yaml:"listen"`
	// APIURL is the Slack Web API base URL, ending in a slash.
	APIURL string `yaml:"api_url"`
}

// SocketMode reports whether the bot connects by Socket Mode rather than
// receiving the Events API over HTTP.
func (s Slack) SocketMode() bool { return s.AppToken != "" }

// Missing names the settings that `hiecbot serve` needs and does not have.
func (s Slack) Missing() []string {
	var missing []string
	if s.BotToken == "" {
		missing = append(missing, "slack.bot_token (or SLACK_BOT_TOKEN)")
	}
	if s.AppToken == "" && s.SigningSecret == "" {
		missing = append(missing, "slack.app_token (or SLACK_APP_TOKEN) for Socket Mode, or slack.signing_secret (or SLACK_SIGNING_SECRET) for the Events API over HTTP")
	}
	return missing
}

// NSG describes the National Steering Group's people in Slack.
type NSG struct {
	// Staff are the Slack user ids allowed to run the NSG commands.
	Staff []string `yaml:"staff"`
	// Channel is where questions the guide does not cover are announced.
	Channel string `yaml:"channel"`
}

// IsStaff reports whether the Slack user id belongs to the NSG.
func (n NSG) IsStaff(userID string) bool {
	for _, id := range n.Staff {
		if id == userID {
			return true
		}
	}
	return false
}

// Metrics configures the operations endpoints: Prometheus metrics on
// /metrics, /healthz and /readyz.
type Metrics struct {
	// Listen is the address serving them in Socket Mode, such as
	// "127.0.0.1:9090"; empty (the default) serves none. In HTTP mode they
	// are always served on slack.listen beside the Slack endpoints.
	Listen string `yaml:"listen"`
}

// Log configures the structured log.
type Log struct {
	// Level is debug, info, warn or error.
	Level string `yaml:"level"`
	// Format is text or json.
	Format string `yaml:"format"`
}

// Default returns the built-in configuration: the guide alone, a store
// under data/, no Slack credentials and the guide's 2009 timeline.
func Default() *Config {
	return &Config{
		Storage: Storage{Path: filepath.Join("data", "hiecbot.db")},
		Slack: Slack{
			Listen: ":3000",
			APIURL: "https://slack.com/api/",
		},
		Reminders: defaultReminders(),
		Log:       Log{Level: "info", Format: "text"},
	}
}

// Find returns the configuration file to load: explicit when it is not
// empty, otherwise DefaultFile in the current folder when it exists, and
// "" (the defaults) when it does not.
func Find(explicit string) string {
	if explicit != "" {
		return explicit
	}
	if _, err := os.Stat(DefaultFile); err == nil {
		return DefaultFile
	}
	return ""
}

// Load reads the file at path over the defaults and applies the
// environment through getenv. An empty path yields the defaults with the
// environment applied. A mistake in the file or the environment is an
// Errors value listing every problem found, each with the file, line and
// key and what is allowed.
//
// Every error it returns has the secrets masked (see Redactor), even one
// found before the secrets were decoded. A file over MaxConfigSize, or a
// source file over MaxSourceSize, is a problem too.
func Load(path string, getenv func(string) string) (*Config, error) {
	cfg, err := load(path, getenv)
	if err != nil {
		return nil, cfg.Redactor().Error(err)
	}
	return cfg, nil
}

func load(path string, getenv func(string) string) (*Config, error) {
	cfg := Default()
	cfg.redactor = secretSources(nil, getenv)
	ps := newProblems(path)
	if path != "" {
		data, err := readConfigFile(path)
		if err != nil {
			return cfg, err
		}
		cfg.redactor = secretSources(data, getenv)
		if err := cfg.decode(ps, data, getenv); err != nil {
			return cfg, err
		}
		if err := ps.err(); err != nil {
			return cfg, err
		}
		cfg.File = path
	}
	cfg.applyEnv(getenv)
	cfg.validate(ps)
	cfg.checkFiles(ps)
	if err := ps.err(); err != nil {
		return cfg, err
	}
	cfg.lines = ps.lines
	return cfg, nil
}

// Line is the line of the config file that set key (such as
// "knowledge.faq" or "knowledge.sources[1]"), or 0 when the file does not
// set it.
func (cfg *Config) Line(key string) int { return cfg.lines[key] }

// decode parses data over cfg. A YAML syntax error is returned at once;
// every other problem is collected in ps.
func (cfg *Config) decode(ps *problems, data []byte, getenv func(string) string) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return yamlError(ps.file, err)
	}
	if len(doc.Content) == 0 {
		return nil // an empty file keeps every default
	}
	root := doc.Content[0]
	ps.check(root, cfgType, "", getenv)
	if len(ps.list) > 0 {
		// Still report missing sources in this pass: the knowledge
		// section has only plain strings, so it decodes on its own.
		for i := 0; root.Kind == yaml.MappingNode && i+1 < len(root.Content); i += 2 {
			if root.Content[i].Value != "knowledge" {
				continue
			}
			var k Knowledge
			if root.Content[i+1].Decode(&k) == nil {
				cfg.Knowledge = k
				cfg.resolvePaths(filepath.Dir(ps.file), Config{})
				cfg.checkFiles(ps)
			}
		}
		return nil
	}
	// Decoding the checked node keeps line numbers in custom unmarshalers.
	if err := root.Decode(cfg); err != nil {
		var le *lineError
		if errors.As(err, &le) {
			ps.add(le.line, "", "%s", le.msg)
			return nil
		}
		return yamlError(ps.file, err)
	}
	// Paths the file sets are relative to the file; defaults stay
	// relative to the working folder.
	var set Config
	if err := root.Decode(&set); err == nil {
		cfg.resolvePaths(filepath.Dir(ps.file), set)
	}
	return nil
}

// yamlError rewrites yaml.v3's "yaml: line 3: ..." as "path:3: ...".
func yamlError(path string, err error) error {
	var te *yaml.TypeError
	msgs := []string{err.Error()}
	if errors.As(err, &te) {
		msgs = te.Errors
	}
	for i, m := range msgs {
		m = strings.TrimPrefix(m, "yaml: ")
		if rest, ok := strings.CutPrefix(m, "line "); ok {
			if n, msg, ok := strings.Cut(rest, ": "); ok {
				msgs[i] = fmt.Sprintf("%s:%s: %s", path, n, msg)
				continue
			}
		}
		msgs[i] = fmt.Sprintf("%s: %s", path, m)
	}
	return errors.New(strings.Join(msgs, "\n"))
}

// resolvePaths makes the file paths that a configuration file sets (those
// non-empty in set) relative to the file's folder, so the bot finds them
// whatever its working folder.
func (cfg *Config) resolvePaths(dir string, set Config) {
	rel := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(dir, p)
	}
	for i, s := range cfg.Knowledge.Sources {
		cfg.Knowledge.Sources[i] = rel(s)
	}
	cfg.Knowledge.FAQ = rel(cfg.Knowledge.FAQ)
	for i, s := range cfg.Knowledge.Synonyms {
		cfg.Knowledge.Synonyms[i] = rel(s)
	}
	for i, s := range cfg.Knowledge.Questions {
		cfg.Knowledge.Questions[i] = rel(s)
	}
	cfg.Knowledge.CacheDir = rel(cfg.Knowledge.CacheDir)
	if set.Storage.Path != "" {
		cfg.Storage.Path = rel(cfg.Storage.Path)
	}
}

func (cfg *Config) applyEnv(getenv func(string) string) {
	if getenv == nil {
		return
	}
	fill := func(s *Secret, name string) {
		if *s == "" {
			*s = Secret(getenv(name))
		}
	}
	fill(&cfg.Slack.BotToken, "SLACK_BOT_TOKEN")
	fill(&cfg.Slack.AppToken, "SLACK_APP_TOKEN")
	fill(&cfg.Slack.SigningSecret, "SLACK_SIGNING_SECRET")
	if u := getenv("SLACK_API_URL"); u != "" {
		cfg.Slack.APIURL = u
	}
}

func (cfg *Config) validate(ps *problems) {
	if cfg.Storage.Path == "" {
		ps.at("storage.path", "is empty: give the file the question log is kept in, e.g. data/hiecbot.db")
	}
	if u := cfg.Slack.APIURL; !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		ps.at("slack.api_url", "%q is not an http(s) URL: leave it out for https://slack.com/api/ (SLACK_API_URL also sets it)", u)
	} else if !strings.HasSuffix(u, "/") {
		cfg.Slack.APIURL += "/"
	}
	switch cfg.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		ps.at("log.level", "%q is not a log level: use debug, info, warn or error", cfg.Log.Level)
	}
	switch cfg.Log.Format {
	case "text", "json":
	default:
		ps.at("log.format", "%q is not a log format: use text or json", cfg.Log.Format)
	}
	if l := cfg.Metrics.Listen; l != "" {
		if _, _, err := net.SplitHostPort(l); err != nil {
			ps.at("metrics.listen", "%q is not an address: write host:port, e.g. 127.0.0.1:9090 or :9090", l)
		}
	}
	for i, id := range cfg.NSG.Staff {
		if id == "" || strings.ContainsAny(id, " <>@") {
			ps.at(fmt.Sprintf("nsg.staff[%d]", i), "%q is not a Slack user id: use ids like U012AB3CD (profile → ⋯ → Copy member ID)", id)
		}
	}
	// NSG notices name the bidder who asked: posted where every bidder
	// reads, they would break the confidentiality of the questions.
	if n, r := channelKey(cfg.NSG.Channel), channelKey(cfg.Reminders.Channel); n != "" && n == r {
		key := "reminders.channel"
		if ps.lineOf(key) == 0 {
			key = "nsg.channel"
		}
		ps.at(key, "%q is both nsg.channel and reminders.channel: NSG notices name the bidder who asked, so the NSG's channel must be one only staff are in, apart from the bidders' channel", cfg.Reminders.Channel)
	}
	cfg.Reminders.validate(ps)
	cfg.Dialogue.validate(ps, cfg.Reminders.Location())
}

// channelKey is a channel setting as compared: "#HIEC" and "hiec" are
// the same channel, as are " C012AB3CD" and "c012ab3cd".
func channelKey(c string) string {
	return strings.ToLower(strings.TrimPrefix(strings.TrimSpace(c), "#"))
}

// checkFiles checks that the sources and the FAQ the file names exist, so
// a missing one is reported with the line that names it.
func (cfg *Config) checkFiles(ps *problems) {
	where := "the working folder"
	if ps.file != "" {
		where = "the folder of " + ps.file
	}
	check := func(key, path, what string) {
		fi, err := os.Stat(path)
		switch {
		case errors.Is(err, os.ErrNotExist):
			ps.at(key, "%s %s does not exist (a relative path is read from %s)", what, path, where)
		case err != nil:
			ps.at(key, "%s %s: %v", what, path, err)
		case fi.IsDir():
			ps.at(key, "%s %s is a folder: name a Markdown or text file", what, path)
		case !fi.Mode().IsRegular():
			ps.at(key, "%s %s is not a regular file (%s): name a Markdown or text file", what, path, fi.Mode().Type())
		case fi.Size() > MaxSourceSize:
			ps.at(key, "%s %s is %s, larger than the %s a source file may be: split it, or check it is the document you meant", what, path, size(fi.Size()), size(MaxSourceSize))
		}
	}
	for i, src := range cfg.Knowledge.Sources {
		check(fmt.Sprintf("knowledge.sources[%d]", i), src, "source file")
	}
	if cfg.Knowledge.FAQ != "" {
		check("knowledge.faq", cfg.Knowledge.FAQ, "FAQ file")
	}
	for i, f := range cfg.Knowledge.Synonyms {
		check(fmt.Sprintf("knowledge.synonyms[%d]", i), f, "synonyms file")
	}
	for i, f := range cfg.Knowledge.Questions {
		check(fmt.Sprintf("knowledge.questions[%d]", i), f, "questions file")
	}
	if d := cfg.Knowledge.CacheDir; d != "" {
		if fi, err := os.Stat(d); err == nil && !fi.IsDir() {
			ps.at("knowledge.cache_dir", "%s is a file, not a folder: name a folder for the knowledge cache (it is created when missing)", d)
		}
	}
}

// Effective renders the configuration as YAML with every secret masked,
// for `hiecbot config check`.
func (cfg *Config) Effective() ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(cfg); err != nil {
		return nil, fmt.Errorf("render config: %w", err)
	}
	// A secret expanded into another setting is masked there too.
	return []byte(cfg.Redactor().Redact(buf.String())), nil
}

// Duration is a time.Duration written as in Go ("6h", "90m") or in days
// ("28d", "1d12h").
type Duration time.Duration

// UnmarshalYAML parses a duration, reporting its line on error.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := ParseDuration(n.Value)
	if err != nil {
		return &lineError{n.Line, err.Error()}
	}
	*d = Duration(v)
	return nil
}

// MarshalYAML writes the duration back in the form ParseDuration reads.
func (d Duration) MarshalYAML() (any, error) { return FormatDuration(time.Duration(d)), nil }

const maxDuration = 3660 * 24 * time.Hour

// ParseDuration reads a non-negative duration made of whole numbers with
// the units d (days of 24 hours), h, m and s, such as "28d", "2h" or
// "1d12h".
func ParseDuration(s string) (time.Duration, error) {
	in := strings.TrimSpace(s)
	if in == "" {
		return 0, errors.New("empty duration: write a number and a unit, e.g. 7d, 2h or 30m")
	}
	if strings.ContainsAny(in, " \t") {
		return 0, fmt.Errorf("duration %q: write a number and a unit without spaces, e.g. 6h, 7d, 1d12h or 30m", s)
	}
	if strings.HasPrefix(in, "-") {
		return 0, fmt.Errorf("duration %q is negative: write how long before, e.g. 7d", s)
	}
	var total time.Duration
	rest := in
	for rest != "" {
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 0 {
			return 0, fmt.Errorf("duration %q: expected a number at %q (use e.g. 28d, 2h, 30m)", s, rest)
		}
		if i > 6 {
			return 0, fmt.Errorf("duration %q: number too large", s)
		}
		var n int64
		for _, c := range rest[:i] {
			n = n*10 + int64(c-'0')
		}
		rest = rest[i:]
		if rest == "" {
			return 0, fmt.Errorf("duration %q: missing unit after %d (use d, h, m or s)", s, n)
		}
		var unit time.Duration
		switch rest[0] {
		case 'd':
			unit = 24 * time.Hour
		case 'h':
			unit = time.Hour
		case 'm':
			unit = time.Minute
		case 's':
			unit = time.Second
		default:
			return 0, fmt.Errorf("duration %q: unknown unit %q (use d, h, m or s)", s, rest[:1])
		}
		rest = rest[1:]
		if time.Duration(n) > maxDuration/unit {
			return 0, fmt.Errorf("duration %q is longer than %d days", s, maxDuration/(24*time.Hour))
		}
		total += time.Duration(n) * unit
		if total > maxDuration {
			return 0, fmt.Errorf("duration %q is longer than %d days", s, maxDuration/(24*time.Hour))
		}
	}
	return total, nil
}

// FormatDuration writes d in the largest whole units ParseDuration reads.
func FormatDuration(d time.Duration) string {
	if d == 0 {
		return "0m"
	}
	var b strings.Builder
	for _, u := range []struct {
		unit time.Duration
		sym  string
	}{{24 * time.Hour, "d"}, {time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}} {
		if n := d / u.unit; n > 0 {
			fmt.Fprintf(&b, "%d%s", n, u.sym)
			d -= n * u.unit
		}
	}
	return b.String()
}

// lineError is an error found while decoding a node at a known line.
type lineError struct {
	line int
	msg  string
}

func (e *lineError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }
