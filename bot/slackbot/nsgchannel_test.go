package slackbot

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/hiec/hiecbot/bot/slackbot/slacktest"
	"github.com/slack-go/slack"
)

// TestNSGChannelClosedToStaff: the bot will not run while its NSG
// channel could let anyone but NSG staff read bidders' questions (a
// public or shared channel, or a member who is not staff), and says what
// to change; a private channel of staff and the bot passes.
func TestNSGChannelClosedToStaff(t *testing.T) {
	slackError := func(code string) func(w http.ResponseWriter, _ *http.Request, _ int) bool {
		return func(w http.ResponseWriter, _ *http.Request, _ int) bool {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"ok":false,"error":"`+code+`"}`)
			return true
		}
	}
	tests := []struct {
		name    string
		channel *slacktest.Channel
		info    string // an error conversations.info answers
		want    string // "" for none
	}{
		{"private, staff and the bot", &slacktest.Channel{Members: []string{slacktest.BotUserID, staffUser}}, "", ""},
		{"never described: private, the bot alone", nil, "", ""},
		{"public", &slacktest.Channel{Public: true, Members: []string{slacktest.BotUserID, staffUser}}, "", "is a public channel"},
		{"shared", &slacktest.Channel{Shared: true, Members: []string{slacktest.BotUserID}}, "", "is shared with another workspace"},
		{"a bidder among the members", &slacktest.Channel{Members: []string{slacktest.BotUserID, staffUser, bidderA}}, "", "not NSG staff (nsg.staff): " + bidderA},
		{"a bidder on the second page of members", &slacktest.Channel{Members: append(slices.Repeat([]string{staffUser}, 250), bidderA)}, "", "not NSG staff (nsg.staff): " + bidderA},
		{"no scope to look", nil, "missing_scope", "groups:read"},
		{"the bot not in it", nil, "channel_not_found", "invite the bot"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			if tt.channel != nil {
				f.api.SetChannel(nsgChannel, *tt.channel)
			}
			if tt.info != "" {
				f.api.On("conversations.info", slackError(tt.info))
			}
			ctx := context.Background()
			if err := f.bot.identify(ctx); err != nil {
				t.Fatal(err)
			}
			err := f.bot.checkNSGChannel(ctx)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("checkNSGChannel = %v, want nil", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), nsgChannel)):
				t.Errorf("checkNSGChannel = %v, want an error naming %s and saying %q", err, nsgChannel, tt.want)
			}
		})
	}
	// Run refuses to start on it, before taking any event.
	f := newFixture(t)
	f.api.SetChannel(nsgChannel, slacktest.Channel{Public: true})
	if err := f.bot.Run(context.Background()); !errors.Is(err, ErrNSGChannelOpen) {
		t.Errorf("Run with a public NSG channel = %v, want ErrNSGChannelOpen", err)
	}
}

// TestClassifyBlocksPost: a Slack error that would refuse any post to the
// conversation says so (the outbox then gives up a failed look at once);
// one that refuses only the method, such as a missing history scope, does
// not.
func TestClassifyBlocksPost(t *testing.T) {
	for code, want := range map[string]bool{"channel_not_found": true, "is_archived": true, "invalid_auth": true, "missing_scope": false, "ratelimited": false} {
		var bp interface{ BlocksPost() bool }
		err := classify("conversations.history", slack.SlackErrorResponse{Err: code})
		if !errors.As(err, &bp) || bp.BlocksPost() != want {
			t.Errorf("%s: BlocksPost = %v, want %v", code, bp != nil && bp.BlocksPost(), want)
		}
	}
}
