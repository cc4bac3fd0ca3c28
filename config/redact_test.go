package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSecretsMaskedInErrors: a secret expanded by ${VAR} into another
// setting, or read from the environment, never appears in an error, and
// config check masks it wherever it went.
func TestSecretsMaskedInErrors(t *testing.T) {
	const token, sig = "xoxb-1234-very-secret", "8f14e45fceea167a5a36dedd4bea2543"
	environ := env(map[string]string{"MY_TOKEN": token, "SLACK_SIGNING_SECRET": sig, "SLACK_API_URL": ""})
	cases := []struct{ name, file, want string }{
		{"token expanded into log.level", "slack:\n  bot_token: ${MY_TOKEN}\nlog:\n  level: ${MY_TOKEN}\n", `log.level: "` + mask + `"`},
		{"signing secret from the environment into log.format", "log:\n  format: x${SLACK_SIGNING_SECRET}\n", "log.format"},
		{"token into an unknown key", "slack:\n  bot_token: ${MY_TOKEN}\n  bogus: ${MY_TOKEN}\n", ""},
		{"token into a bad duration", "slack:\n  bot_token: ${MY_TOKEN}\nreminders:\n  grace: ${MY_TOKEN}\n", mask},
		{"token into a staff id", "slack:\n  bot_token: ${MY_TOKEN}\nnsg:\n  staff: [\"a ${MY_TOKEN}\"]\n", "staff"},
		{"fallback secret written in the file", "slack:\n  signing_secret: ${UNSET:-fallback-secret-123}\nlog:\n  level: fallback-secret-123\n", "log.level"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "hiecbot.yaml")
			if err := os.WriteFile(p, []byte(c.file), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Load(p, environ)
			if err == nil {
				t.Fatal("Load succeeded")
			}
			msg := err.Error()
			for _, s := range []string{token, sig, "fallback-secret-123"} {
				if strings.Contains(msg, s) {
					t.Errorf("error shows a secret: %s", msg)
				}
			}
			if !strings.Contains(msg, c.want) {
				t.Errorf("error %q should name %s", msg, c.want)
			}
		})
	}

	// config check: a secret expanded into a setting that accepts it.
	p := filepath.Join(t.TempDir(), "hiecbot.yaml")
	os.WriteFile(p, []byte("slack:\n  bot_token: ${MY_TOKEN}\nnsg:\n  channel: ${MY_TOKEN}\n"), 0o600)
	cfg, err := Load(p, environ)
	if err != nil {
		t.Fatal(err)
	}
	out, err := cfg.Effective()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), token) || strings.Contains(string(out), sig) {
		t.Errorf("config check shows a secret:\n%s", out)
	}
	if got := cfg.Redactor().Redact("post to " + token + " failed"); strings.Contains(got, token) {
		t.Errorf("Redact = %q", got)
	}
	// errors.Is still sees through a masked error.
	base := errors.New("bad " + token)
	if red := cfg.Redactor().Error(base); !errors.Is(red, base) || strings.Contains(red.Error(), token) {
		t.Errorf("Redactor.Error = %v", red)
	}
}

func TestSizeLimits(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "hiecbot.yaml")
	if err := os.WriteFile(big, []byte("# "+strings.Repeat("x", MaxConfigSize)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(big, nil)
	if err == nil || !strings.Contains(err.Error(), big) || !strings.Contains(err.Error(), "larger than the 1.0 MiB") {
		t.Errorf("big config: %v", err)
	}
	src := filepath.Join(dir, "huge.md")
	f, err := os.Create(src)
	if err != nil {
		t.Fatal(err)
	}
	f.Truncate(MaxSourceSize + 1)
	f.Close()
	cfgPath := filepath.Join(dir, "ok.yaml")
	os.WriteFile(cfgPath, []byte("knowledge:\n  sources: [huge.md]\n"), 0o600)
	_, err = Load(cfgPath, nil)
	if err == nil || !strings.Contains(err.Error(), "huge.md") || !strings.Contains(err.Error(), "larger than the 16.0 MiB") {
		t.Errorf("huge source: %v", err)
	}
	// A device reports no size and has no end.
	os.WriteFile(cfgPath, []byte("knowledge:\n  sources: [/dev/zero]\n"), 0o600)
	_, err = Load(cfgPath, nil)
	if err == nil || !strings.Contains(err.Error(), "/dev/zero is not a regular file") {
		t.Errorf("a device as a source: %v", err)
	}
}
