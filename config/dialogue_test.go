package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDialogueCloses(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		value string
		want  time.Time
		err   string
	}{
		{"", time.Time{}, ""},
		{"2009-09-01", time.Date(2009, 9, 1, 17, 0, 0, 0, london), ""},
		{"2009-09-01 12:00", time.Date(2009, 9, 1, 12, 0, 0, 0, london), ""},
		{"2009-09-01T09:30:00Z", time.Date(2009, 9, 1, 9, 30, 0, 0, time.UTC), ""},
		{"soon", time.Time{}, `c.yaml:2: dialogue.closes: "soon" is not a time: write a date (2009-09-01, which closes at 17:00)`},
		{"2009-09", time.Time{}, `dialogue.closes: "2009-09" is not a time`},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "c.yaml")
			body := "reminders:\n  timezone: Europe/London\n"
			if tt.value != "" {
				body = "dialogue:\n  closes: \"" + tt.value + "\"\n" + body
			}
			if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
			cfg, err := Load(path, func(string) string { return "" })
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("Load = %v; want an error containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := cfg.Dialogue.ClosesAt(); !got.Equal(tt.want) {
				t.Errorf("closes = %v; want %v", got, tt.want)
			}
		})
	}
	if !Default().Dialogue.ClosesAt().IsZero() {
		t.Error("the dialogue closes by default; it must be unset")
	}
}
