package config

import (
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
		{"bad zone", "reminders:\n  timezone: Europe/Londn\n", nil, []string{"line 2", "reminders.timezone", "Europe/Londn"}},
		{"bad cron", "reminders:\n  cron:\n    - name: weekly\n      spec: 0 9 * *\n      post: countdown\n", nil,
			[]string{"line 3", "weekly", `spec "0 9 * *"`}},
		{"bad post", "reminders:\n  cron:\n    - name: weekly\n      spec: 0 9 * * MON\n      post: tweet\n", nil,
			[]string{"line 3", `post "tweet"`}},
		{"duplicate deadline", "reminders:\n  deadlines:\n    - {name: A, due: 2009-10-19}\n    - {name: A, due: 2009-10-20}\n", nil,
			[]string{"line 4", "used twice"}},
		{"bad log level", "log:\n  level: loud\n", nil, []string{"log.level", "loud"}},
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
