package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestDefaultsNeedNoFile(t *testing.T) {
	cfg, err := Load("", env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Storage.Path != filepath.Join("data", "hiecbot.db") {
		t.Errorf("storage.path = %q", cfg.Storage.Path)
	}
	if cfg.Reminders.Timezone != "Europe/London" || len(cfg.Reminders.Deadlines) != 2 {
		t.Errorf("reminders = %+v", cfg.Reminders)
	}
	due := cfg.Reminders.Deadlines[1].Due.In(cfg.Reminders.Location())
	if got := due.Format(time.RFC3339); got != "2009-10-19T17:00:00+01:00" {
		t.Errorf("detailed bids due %s", got)
	}
	if got := cfg.Slack.Missing(); len(got) != 2 {
		t.Errorf("Missing() = %v, want bot token and app token/signing secret", got)
	}
}

func TestLoadFile(t *testing.T) {
	p := writeFile(t, "hiecbot.yaml", `
knowledge:
  sources: [notes.md]
  faq: faq.yaml
storage:
  path: /var/lib/hiecbot/q.db
slack:
  bot_token: ${BOT}
  signing_secret: ${SECRET:-fallback-secret}
  api_url: http://127.0.0.1:9999/api
nsg:
  staff: [U1, U2]
  channel: CNSG
reminders:
  channel: CBID
  grace: 2h
  deadlines:
    - name: Bids
      due: 2009-10-19 12:00
      remind_before: [7d, 1d12h, 30m]
`)
	for _, name := range []string{"notes.md", "faq.yaml"} {
		if err := os.WriteFile(filepath.Join(filepath.Dir(p), name), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := Load(p, env(map[string]string{"BOT": "xoxb-secret-token", "SLACK_API_URL": ""}))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(p)
	if cfg.Knowledge.Sources[0] != filepath.Join(dir, "notes.md") || cfg.Knowledge.FAQ != filepath.Join(dir, "faq.yaml") {
		t.Errorf("paths not resolved against the file's folder: %+v", cfg.Knowledge)
	}
	if cfg.Storage.Path != "/var/lib/hiecbot/q.db" {
		t.Errorf("absolute path changed: %q", cfg.Storage.Path)
	}
	if cfg.Slack.BotToken.Value() != "xoxb-secret-token" || cfg.Slack.SigningSecret.Value() != "fallback-secret" {
		t.Errorf("env expansion: %q %q", cfg.Slack.BotToken.Value(), cfg.Slack.SigningSecret.Value())
	}
	if cfg.Slack.APIURL != "http://127.0.0.1:9999/api/" {
		t.Errorf("api_url = %q, want a trailing slash", cfg.Slack.APIURL)
	}
	if !cfg.NSG.IsStaff("U2") || cfg.NSG.IsStaff("U3") {
		t.Error("IsStaff")
	}
	d := cfg.Reminders.Deadlines
	if len(d) != 1 || d[0].Line != 18 || time.Duration(d[0].RemindBefore[1]) != 36*time.Hour {
		t.Errorf("deadlines = %+v", d)
	}
	if time.Duration(cfg.Reminders.Grace) != 2*time.Hour {
		t.Errorf("grace = %v", cfg.Reminders.Grace)
	}
	if cfg.Reminders.Timezone != "Europe/London" {
		t.Errorf("a key left out must keep its default, timezone = %q", cfg.Reminders.Timezone)
	}
}

func TestEnvironment(t *testing.T) {
	cfg, err := Load("", env(map[string]string{
		"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1", "SLACK_SIGNING_SECRET": "s3",
		"SLACK_API_URL": "http://127.0.0.1:1/api/",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Slack.BotToken.Value() != "xoxb-1" || !cfg.Slack.SocketMode() || cfg.Slack.SigningSecret.Value() != "s3" {
		t.Errorf("secrets from environment: %+v", cfg.Slack)
	}
	if cfg.Slack.APIURL != "http://127.0.0.1:1/api/" {
		t.Errorf("SLACK_API_URL did not override: %q", cfg.Slack.APIURL)
	}
	if len(cfg.Slack.Missing()) != 0 {
		t.Errorf("Missing() = %v", cfg.Slack.Missing())
	}
}

func TestErrorsNameFileLineAndKey(t *testing.T) {
	tests := []struct {
		name, body string
		env        map[string]string
		want       []string
	}{
		{"unknown top key", "knowledge:\n  faq: f.yaml\nslak:\n  bot_token: x\n", nil,
			[]string{":3:", `unknown key "slak"`, "valid keys:", "slack"}},
		{"unknown nested key", "slack:\n  listen: :80\n  bot_tokn: x\n", nil,
			[]string{":3:", `unknown key "bot_tokn" in slack`, "bot_token"}},
		{"unknown deadline key", "reminders:\n  deadlines:\n    - name: A\n      due: 2009-10-19\n      remind: [1d]\n", nil,
			[]string{":5:", `"remind"`, "reminders.deadlines[0]", "remind_before"}},
		{"syntax", "slack:\n  listen: [\n", nil, []string{"hiecbot.yaml:"}},
		{"wrong type", "nsg:\n  staff: U1\n", nil, []string{":2:", "nsg.staff", "expected a list"}},
		{"unset env", "slack:\n  bot_token: ${NOPE}\n", nil, []string{":2:", "NOPE is not set"}},
		{"bad offset unit", "reminders:\n  deadlines:\n    - name: A\n      due: 2009-10-19\n      remind_before: [7w]\n", nil,
			[]string{":5:", `unknown unit "w"`}},
		{"negative offset", "reminders:\n  deadlines:\n    - name: A\n      due: 2009-10-19\n      remind_before: [-1d]\n", nil,
			[]string{":5:", "negative"}},
		{"bad date", "reminders:\n  deadlines:\n    - name: A\n      due: 19/10/2009\n", nil,
			[]string{":4:", `date "19/10/2009"`}},
		{"bad zone", "reminders:\n  timezone: Europe/Londn\n", nil, []string{":2: reminders.timezone:", "Europe/Londn", "IANA"}},
		{"bad cron", "reminders:\n  cron:\n    - name: weekly\n      spec: 0 9 * *\n      post: countdown\n", nil,
			[]string{":4: reminders.cron[0].spec:", "weekly", `"0 9 * *"`, "five fields"}},
		{"bad post", "reminders:\n  cron:\n    - name: weekly\n      spec: 0 9 * * MON\n      post: tweet\n", nil,
			[]string{":5: reminders.cron[0].post:", `"tweet"`, "countdown or digest"}},
		{"duplicate deadline", "reminders:\n  deadlines:\n    - {name: A, due: 2009-10-19}\n    - {name: A, due: 2009-10-20}\n", nil,
			[]string{":4: reminders.deadlines[1].name:", "used twice"}},
		{"bad log level", "log:\n  level: loud\n", nil, []string{":2: log.level:", "loud", "debug, info, warn or error"}},
		{"bad metrics address", "metrics:\n  listen: 9090\n", nil, []string{":2: metrics.listen:", `"9090"`, "host:port"}},
		{"NSG channel is the bidders' channel", "nsg:\n  channel: C0HIEC\nreminders:\n  channel: C0HIEC\n", nil,
			[]string{":4: reminders.channel:", `"C0HIEC"`, "both nsg.channel and reminders.channel", "name the bidder"}},
		{"NSG channel is the bidders' channel, spelt otherwise", "reminders:\n  channel: \"#hiec-bidders\"\nnsg:\n  channel: HIEC-Bidders\n", nil,
			[]string{":2: reminders.channel:", "both nsg.channel and reminders.channel"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := writeFile(t, "hiecbot.yaml", tc.body)
			_, err := Load(p, env(tc.env))
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if !strings.Contains(msg, p) {
				t.Errorf("error %q does not name the file", msg)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not contain %q", msg, w)
				}
			}
		})
	}
}

func TestMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"), env(nil))
	if err == nil || !strings.Contains(err.Error(), "nope.yaml") {
		t.Fatalf("err = %v", err)
	}
}

func TestEmptyFileKeepsDefaults(t *testing.T) {
	cfg, err := Load(writeFile(t, "hiecbot.yaml", "# nothing\n"), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Reminders.Deadlines) != 2 {
		t.Errorf("defaults lost: %+v", cfg.Reminders.Deadlines)
	}
}

func TestSecretsNeverShown(t *testing.T) {
	const token = "xoxb-very-secret"
	cfg, err := Load("", env(map[string]string{"SLACK_BOT_TOKEN": token, "SLACK_SIGNING_SECRET": "sig-secret"}))
	if err != nil {
		t.Fatal(err)
	}
	out, err := cfg.Effective()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{
		string(out),
		fmt.Sprintf("%v %+v %#v %s", cfg.Slack, cfg.Slack, cfg.Slack, cfg.Slack.BotToken),
	} {
		if strings.Contains(s, token) || strings.Contains(s, "sig-secret") {
			t.Errorf("secret shown in %q", s)
		}
	}
	if !strings.Contains(string(out), "bot_token: '********'") && !strings.Contains(string(out), `bot_token: "********"`) {
		t.Errorf("effective config does not show the token as set:\n%s", out)
	}
}

func TestDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		err  string
	}{
		{"28d", 28 * 24 * time.Hour, ""},
		{"2h", 2 * time.Hour, ""},
		{"30m", 30 * time.Minute, ""},
		{"1d12h", 36 * time.Hour, ""},
		{"", 0, "empty"},
		{"-1d", 0, "negative"},
		{"7w", 0, "unknown unit"},
		{"7", 0, "missing unit"},
		{"d", 0, "expected a number"},
	}
	for _, tc := range tests {
		got, err := ParseDuration(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseDuration(%q) err = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseDuration(%q) = %v, %v", tc.in, got, err)
		}
		if back, _ := ParseDuration(FormatDuration(got)); back != got {
			t.Errorf("FormatDuration(%v) = %q does not round-trip", got, FormatDuration(got))
		}
	}
}

func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"28d", "1d12h", "-1d", "7w", "", "999999d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDuration(s)
		if err != nil {
			return
		}
		if d < 0 {
			t.Fatalf("ParseDuration(%q) = %v, negative", s, d)
		}
		if back, err := ParseDuration(FormatDuration(d)); err != nil || back != d {
			t.Fatalf("round trip of %q: %v, %v", s, back, err)
		}
	})
}

func TestParseDue(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/London")
	for in, want := range map[string]string{
		"2009-10-19":       "2009-10-19T17:00:00+01:00",
		"2009-10-19 12:00": "2009-10-19T12:00:00+01:00",
		"2009-11-02":       "2009-11-02T17:00:00Z",
		"2009-07":          "2009-07-01T00:00:00+01:00",
	} {
		d, err := ParseDue(in)
		if err != nil {
			t.Fatalf("ParseDue(%q): %v", in, err)
		}
		if got := d.In(loc).Format(time.RFC3339); got != want {
			t.Errorf("ParseDue(%q).In(London) = %s, want %s", in, got, want)
		}
		if d.String() != in {
			t.Errorf("String() = %q, want %q", d.String(), in)
		}
	}
}

func TestDefaultStoragePathStaysInWorkingFolder(t *testing.T) {
	cfg, err := Load(writeFile(t, "hiecbot.yaml", "nsg:\n  channel: C1\n"), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Storage.Path != filepath.Join("data", "hiecbot.db") {
		t.Errorf("storage.path = %q: a default must not move next to the config file", cfg.Storage.Path)
	}
}

func TestListsInFileReplaceDefaults(t *testing.T) {
	cfg, err := Load(writeFile(t, "hiecbot.yaml", "reminders:\n  deadlines:\n    - name: Only one\n      due: 2009-10-19\n"), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if d := cfg.Reminders.Deadlines; len(d) != 1 || d[0].Name != "Only one" {
		t.Errorf("deadlines = %+v, want the file's list alone (README: setting a list replaces the default)", d)
	}
	if len(cfg.Reminders.Cron) != 2 || len(cfg.Reminders.Milestones) != 2 {
		t.Errorf("lists the file does not set must keep their defaults: %+v", cfg.Reminders)
	}
}

// TestEveryErrorInOnePass: a file with several mistakes reports them all,
// in line order, each with the file, line and key and what is allowed.
func TestEveryErrorInOnePass(t *testing.T) {
	p := writeFile(t, "hiecbot.yaml", `storage:
  pth: q.db
log:
  level: loud
  format: xml
reminders:
  grace: 6 hours
  deadlines:
    - name: Bids
      due: 19/10/2009
      remind_before: [7d, 7w]
nsg:
  staff: [U1, "J Smith"]
knowledge:
  sources: [gone.md]
`)
	_, err := Load(p, env(nil))
	var errs Errors
	if !errors.As(err, &errs) {
		t.Fatalf("err = %v (%T), want Errors", err, err)
	}
	want := []struct {
		line      int
		key, text string
	}{
		{2, "storage.pth", `unknown key "pth" in storage; did you mean "path"? (valid keys: path)`},
		{7, "reminders.grace", `duration "6 hours"`},
		{10, "reminders.deadlines[0].due", `date "19/10/2009"`},
		{11, "reminders.deadlines[0].remind_before[1]", `unknown unit "w" (use d, h, m or s)`},
		{15, "knowledge.sources[0]", "gone.md does not exist"},
	}
	if len(errs) != len(want) {
		t.Fatalf("%d problems, want %d (the keys are checked before values are validated):\n%v", len(errs), len(want), err)
	}
	for i, w := range want {
		got := errs[i]
		if got.File != p || got.Line != w.line || got.Key != w.key || !strings.Contains(got.Msg, w.text) {
			t.Errorf("problem %d = %+v\nwant %s:%d %s: …%s…", i, got, p, w.line, w.key, w.text)
		}
		if !strings.HasPrefix(got.Error(), fmt.Sprintf("%s:%d: %s: ", p, w.line, w.key)) {
			t.Errorf("problem %d reads %q", i, got.Error())
		}
	}
	if !strings.HasPrefix(err.Error(), "5 problems in the configuration:\n") {
		t.Errorf("err = %q", err)
	}

	// Once the file's shape is right, the values are all checked too.
	p = writeFile(t, "hiecbot.yaml", "log:\n  level: loud\n  format: xml\nnsg:\n  staff: [U1, \"J Smith\"]\nreminders:\n  timezone: Mars/Olympus\n")
	_, err = Load(p, env(nil))
	if !errors.As(err, &errs) || len(errs) != 4 {
		t.Fatalf("want 4 problems, got %v", err)
	}
	for i, w := range []string{":2: log.level: \"loud\" is not a log level: use debug, info, warn or error",
		":3: log.format: \"xml\" is not a log format: use text or json",
		":5: nsg.staff[1]: \"J Smith\" is not a Slack user id",
		":7: reminders.timezone: \"Mars/Olympus\" is not a known IANA zone"} {
		if !strings.Contains(errs[i].Error(), w) {
			t.Errorf("problem %d = %q, want %q", i, errs[i].Error(), w)
		}
	}
}

func TestMissingSourceNamesConfigLine(t *testing.T) {
	p := writeFile(t, "hiecbot.yaml", "knowledge:\n  sources:\n    - here.md\n    - gone.md\n  faq: faq/missing.yaml\n")
	if err := os.WriteFile(filepath.Join(filepath.Dir(p), "here.md"), []byte("# Hi\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(p, env(nil))
	var errs Errors
	if !errors.As(err, &errs) || len(errs) != 2 {
		t.Fatalf("err = %v, want 2 problems", err)
	}
	dir := filepath.Dir(p)
	if got, want := errs[0].Error(), p+":4: knowledge.sources[1]: source file "+filepath.Join(dir, "gone.md")+" does not exist (a relative path is read from the folder of "+p+")"; got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if got := errs[1].Error(); !strings.HasPrefix(got, p+":5: knowledge.faq: FAQ file "+filepath.Join(dir, "faq", "missing.yaml")+" does not exist") {
		t.Errorf("got %q", got)
	}
}

func TestConfigLine(t *testing.T) {
	p := writeFile(t, "hiecbot.yaml", "# FAQ\nknowledge:\n  faq: faq.yaml\n")
	if err := os.WriteFile(filepath.Join(filepath.Dir(p), "faq.yaml"), []byte("[]"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(p, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Line("knowledge.faq") != 3 || cfg.Line("storage.path") != 0 {
		t.Errorf("Line(knowledge.faq) = %d, Line(storage.path) = %d; want 3 and 0", cfg.Line("knowledge.faq"), cfg.Line("storage.path"))
	}
}

func FuzzLoad(f *testing.F) {
	f.Add("log:\n  level: loud\n")
	f.Add("reminders:\n  deadlines:\n    - {name: A, due: 2009-10-19, remind_before: [7d]}\n")
	f.Add("knowledge: [a]\nslack: {listen: [1]}\n")
	f.Fuzz(func(t *testing.T, body string) {
		p := filepath.Join(t.TempDir(), "hiecbot.yaml")
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		cfg, err := Load(p, env(nil))
		if err == nil && cfg == nil {
			t.Fatal("nil config without an error")
		}
		var errs Errors
		if errors.As(err, &errs) {
			for _, pr := range errs {
				if pr.File != p || strings.Contains(pr.Msg, "config.") || strings.Contains(pr.Msg, "reflect") {
					t.Errorf("problem %+v", pr)
				}
			}
		}
	})
}

func TestKnowledgeCacheDir(t *testing.T) {
	p := writeFile(t, "hiecbot.yaml", "knowledge:\n  cache_dir: cache\nstorage:\n  path: data/q.db\n")
	dir := filepath.Dir(p)
	cfg, err := Load(p, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cfg.KnowledgeCacheDir(), filepath.Join(dir, "cache"); got != want {
		t.Errorf("KnowledgeCacheDir() = %q, want %q (relative to the config's folder)", got, want)
	}
	cfg.Knowledge.CacheDir = ""
	if got, want := cfg.KnowledgeCacheDir(), filepath.Join(dir, "data", "knowledge-cache"); got != want {
		t.Errorf("default KnowledgeCacheDir() = %q, want %q (beside the store)", got, want)
	}
	if err := os.WriteFile(filepath.Join(dir, "cache"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = Load(p, env(nil))
	if err == nil || !strings.Contains(err.Error(), p+":2: knowledge.cache_dir: "+filepath.Join(dir, "cache")+" is a file, not a folder") {
		t.Errorf("err = %v, want the cache_dir line named", err)
	}
}
