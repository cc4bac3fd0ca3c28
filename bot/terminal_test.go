package bot

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/hiec/hiecbot/bot/store"
	"github.com/hiec/hiecbot/config"
)

func TestTerminalSafe(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain £10m, café", "plain £10m, café"},
		{"two\nlines\tand a tab", "two\nlines\tand a tab"},
		{"\x1b[2J\x1b[Hcleared", `\x1b[2J\x1b[Hcleared`},
		{"\x1b]0;owned\x07title", `\x1b]0;owned\u0007title`},
		{"bell\a nul\x00 cr\r del\x7f", `bell\u0007 nul\u0000 cr\u000d del\u007f`},
		{"c1 \u009b2J csi", `c1 \u009b2J csi`},
		{"bidi \u202egnp.exe", `bidi \u202egnp.exe`},
		{"zero\u200bwidth", `zero\u200bwidth`},
		{"bad \xff byte", `bad \xff byte`},
		{"line\u2028sep", `line\u2028sep`},
	}
	for _, c := range cases {
		if got := TerminalSafe(c.in); got != c.want {
			t.Errorf("TerminalSafe(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func FuzzTerminalSafe(f *testing.F) {
	for _, s := range []string{"", "a\x1b[31mb", "\xff\xfe", "\u202e", "ok\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := TerminalSafe(s)
		if !utf8.ValidString(out) {
			t.Fatalf("output is not UTF-8: %q", out)
		}
		for _, r := range out {
			if unsafeRune(r) || r == 0x1b {
				t.Fatalf("TerminalSafe(%q) = %q keeps %U", s, out, r)
			}
		}
		if !needsEscape(s) && out != s {
			t.Fatalf("changed safe text %q to %q", s, out)
		}
	})
}

// hostile is a question a bidder typed to take over the NSG's terminal.
func hostile() store.Question {
	return store.Question{
		ID: "Q-0001", AskedAt: time.Date(2009, 6, 1, 9, 0, 0, 0, time.UTC), Status: store.StatusAwaiting, Via: "dm",
		UserID: "U1", UserName: "eve\x1b]0;pwned\x07", Question: "\x1b[2J\x1b[HCan we bid?\a\x00",
		NSGAnswer: "Yes\x1b[8m hidden",
	}
}

func noRawControls(t *testing.T, what, out string) {
	t.Helper()
	for _, bad := range []string{"\x1b", "\a", "\x00"} {
		if strings.Contains(out, bad) {
			t.Errorf("%s prints a raw %q:\n%q", what, bad, out)
		}
	}
	if !strings.Contains(out, `\x1b`) {
		t.Errorf("%s does not show the escape as \\x1b:\n%q", what, out)
	}
}

func TestCLIAndConsoleEscapeStoredText(t *testing.T) {
	q := hostile()
	var b bytes.Buffer
	if err := PrintQuestions(&b, []store.Question{q}, false); err != nil {
		t.Fatal(err)
	}
	noRawControls(t, "questions list", b.String())
	b.Reset()
	PrintQuestion(&b, q)
	noRawControls(t, "questions show", b.String())
	b.Reset()
	c := NewConsole(&b)
	_ = c.NotifyNSG(context.Background(), q)
	_ = c.DeliverAnswer(context.Background(), q)
	_ = c.Publish(context.Background(), q.Clarified())
	noRawControls(t, "the console", b.String())
}

// TestSecretsMaskedInLogsAndErrors: a secret reaches neither a log line
// (message, attribute or error) nor the error a command returns.
func TestSecretsMaskedInLogsAndErrors(t *testing.T) {
	const token = "xoxb-5555-leaky-token"
	dir := t.TempDir()
	cfgPath := dir + "/hiecbot.yaml"
	if err := os.WriteFile(cfgPath, []byte("storage:\n  path: q.db\nslack:\n  bot_token: ${TOK}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(cfgPath, func(k string) string {
		if k == "TOK" {
			return token
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	log := Logger(cfg, &buf)
	log.With("token", token).Error("post with "+token+" failed", "err", errors.New("auth "+token), "group", slog.GroupValue(slog.String("t", token)))
	if strings.Contains(buf.String(), token) {
		t.Errorf("a log line shows the secret:\n%s", buf.String())
	}
	if !strings.Contains(buf.String(), "********") {
		t.Errorf("no mask in the log:\n%s", buf.String())
	}

	// A command's error: the token expanded into a setting a command
	// reports.
	os.WriteFile(cfgPath, []byte("storage:\n  path: ${TOK}/q.db\nslack:\n  bot_token: ${TOK}\n"), 0o600)
	var out, errOut bytes.Buffer
	cli := &CLI{Getenv: func(k string) string {
		if k == "TOK" {
			return token
		}
		return ""
	}, Stdout: &out, Stderr: &errOut}
	err = cli.Run(context.Background(), []string{"--config", cfgPath, "questions", "list"})
	if err == nil || strings.Contains(err.Error(), token) || !strings.Contains(err.Error(), "********") {
		t.Errorf("questions list error: %v", err)
	}
}
