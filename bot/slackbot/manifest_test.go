package slackbot

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// leastScopes are the bot scopes hiecbot uses, no more: each is named
// with what needs it in the manifests' header.
var leastScopes = []string{"app_mentions:read", "channels:history", "channels:read", "chat:write", "commands", "files:write", "groups:history", "groups:read", "im:history", "im:write", "users:read"}

// manifest is the part of a Slack app manifest the tests check.
type manifest struct {
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
			URL     string `yaml:"url"`
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
			URL string   `yaml:"request_url"`
			Bot []string `yaml:"bot_events"`
		} `yaml:"event_subscriptions"`
		Interactivity struct {
			Enabled bool   `yaml:"is_enabled"`
			URL     string `yaml:"request_url"`
		} `yaml:"interactivity"`
		SocketMode bool `yaml:"socket_mode_enabled"`
	} `yaml:"settings"`
}

// TestManifests checks that both manifests (Socket Mode and HTTP) ask
// for exactly the scopes the bot uses, and the HTTP one for the request
// URLs the bot serves.
func TestManifests(t *testing.T) {
	for _, tt := range []struct {
		file   string
		socket bool
	}{{"manifest.yaml", true}, {"manifest-http.yaml", false}} {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			var m manifest
			dec := yaml.NewDecoder(bytes.NewReader(data))
			dec.KnownFields(false)
			if err := dec.Decode(&m); err != nil {
				t.Fatalf("%s: %v", tt.file, err)
			}
			got := slices.Sorted(slices.Values(m.OAuth.Scopes.Bot))
			if !slices.Equal(got, leastScopes) {
				t.Errorf("scopes %v; want exactly %v (least privilege)", got, leastScopes)
			}
			for _, s := range leastScopes {
				if !strings.Contains(string(data), "#   "+s) {
					t.Errorf("scope %s is not explained in the header", s)
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
			if !m.Settings.Interactivity.Enabled || m.Settings.SocketMode != tt.socket || m.Features.BotUser.Name == "" {
				t.Errorf("settings %+v, bot user %+v", m.Settings, m.Features.BotUser)
			}
			urls := map[string]string{"/slack/commands": "", "/slack/events": m.Settings.Events.URL, "/slack/interactivity": m.Settings.Interactivity.URL}
			if len(m.Features.Commands) == 1 {
				urls["/slack/commands"] = m.Features.Commands[0].URL
			}
			for path, u := range urls {
				switch {
				case tt.socket && u != "":
					t.Errorf("Socket Mode manifest has a request URL %s", u)
				case !tt.socket && (!strings.HasPrefix(u, "https://") || !strings.HasSuffix(u, path)):
					t.Errorf("HTTP manifest: request URL for %s is %q", path, u)
				}
			}
		})
	}
}
