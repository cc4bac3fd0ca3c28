package slackbot

import (
	"bytes"
	"os"
	"slices"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestManifest checks that manifest.yaml asks for what the bot uses.
func TestManifest(t *testing.T) {
	data, err := os.ReadFile("manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Features struct {
			AppHome struct {
				Home     bool `yaml:"home_tab_enabled"`
				Messages bool `yaml:"messages_tab_enabled"`
				ReadOnly bool `yaml:"messages_tab_read_only_enabled"`
			} `yaml:"app_home"`
			BotUser struct {
				Name string `yaml:"display_name"`
			} `yaml:"bot_user"`
			Commands []struct {
				Command string `yaml:"command"`
				Escape  bool   `yaml:"should_escape"`
			} `yaml:"slash_commands"`
		} `yaml:"features"`
		OAuth struct {
			Scopes struct {
				Bot []string `yaml:"bot"`
			} `yaml:"scopes"`
		} `yaml:"oauth_config"`
		Settings struct {
			Events struct {
				Bot []string `yaml:"bot_events"`
			} `yaml:"event_subscriptions"`
			Interactivity struct {
				Enabled bool `yaml:"is_enabled"`
			} `yaml:"interactivity"`
			SocketMode bool `yaml:"socket_mode_enabled"`
		} `yaml:"settings"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(false)
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("manifest.yaml: %v", err)
	}
	for _, s := range []string{"app_mentions:read", "chat:write", "commands", "im:history", "im:read", "im:write", "files:write", "users:read", "channels:read"} {
		if !slices.Contains(m.OAuth.Scopes.Bot, s) {
			t.Errorf("scope %s missing", s)
		}
	}
	for _, e := range []string{"app_mention", "message.im", "app_home_opened"} {
		if !slices.Contains(m.Settings.Events.Bot, e) {
			t.Errorf("bot event %s missing", e)
		}
	}
	if len(m.Features.Commands) != 1 || m.Features.Commands[0].Command != "/hiec" || m.Features.Commands[0].Escape {
		t.Errorf("slash commands %+v, want /hiec without escaping", m.Features.Commands)
	}
	if !m.Features.AppHome.Home || !m.Features.AppHome.Messages || m.Features.AppHome.ReadOnly {
		t.Errorf("app home %+v, want the home tab and a writable messages tab", m.Features.AppHome)
	}
	if !m.Settings.Interactivity.Enabled || !m.Settings.SocketMode || m.Features.BotUser.Name == "" {
		t.Errorf("settings %+v, bot user %+v", m.Settings, m.Features.BotUser)
	}
}
