package slackbot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/slack-go/slack"
)

// ErrNSGChannelOpen means the NSG channel could let someone other than
// NSG staff read what the bot posts there: every notice names a bidder
// and quotes their question, which only that bidder and the NSG may see.
var ErrNSGChannelOpen = errors.New("the NSG channel is not closed to NSG staff")

// checkNSGChannel makes sure that only NSG staff can read the NSG
// channel (Preflight runs it before anything is sent): it is private,
// shared with no other workspace or organisation, and every member but
// the bot is one of nsg.staff. It returns an error that says what to
// change otherwise.
func (b *Bot) checkNSGChannel(ctx context.Context) error {
	if b.nsgChannel == "" {
		return nil
	}
	ch := b.nsgChannel
	var info *slack.Channel
	err := b.call(ctx, "conversations.info", func(ctx context.Context) (err error) {
		info, err = b.api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: ch})
		return err
	})
	if err != nil {
		return channelLookupError(ch, "conversations.info", err)
	}
	switch {
	case !info.IsPrivate:
		return fmt.Errorf("%w: nsg.channel %s is a public channel, which anyone in the workspace, bidders included, can join and read; make it private (channel settings → Change to a private channel), or name a private channel, and start the bot again", ErrNSGChannelOpen, ch)
	case info.IsExtShared || info.IsShared || info.IsOrgShared || info.IsPendingExtShared:
		return fmt.Errorf("%w: nsg.channel %s is shared with another workspace or organisation; stop sharing it, or name a channel of this workspace alone, and start the bot again", ErrNSGChannelOpen, ch)
	}
	var outsiders []string
	for cursor := ""; ; {
		var members []string
		err := b.call(ctx, "conversations.members", func(ctx context.Context) (err error) {
			members, cursor, err = b.api.GetUsersInConversationContext(ctx, &slack.GetUsersInConversationParameters{ChannelID: ch, Cursor: cursor, Limit: 200})
			return err
		})
		if err != nil {
			return channelLookupError(ch, "conversations.members", err)
		}
		for _, m := range members {
			if m != b.ownUserID() && !b.desk.IsStaff(m) && !slices.Contains(outsiders, m) {
				outsiders = append(outsiders, m)
			}
		}
		if cursor == "" {
			break
		}
	}
	if len(outsiders) > 0 {
		return fmt.Errorf("%w: nsg.channel %s has members who are not NSG staff (nsg.staff): %s; remove them from the channel, or add those who are NSG staff to nsg.staff, and start the bot again", ErrNSGChannelOpen, ch, strings.Join(outsiders, ", "))
	}
	return nil
}

// channelLookupError says what to do when Slack would not describe the
// NSG channel.
func channelLookupError(ch, method string, err error) error {
	var se slack.SlackErrorResponse
	code := ""
	if errors.As(err, &se) {
		code = se.Err
	}
	switch code {
	case "missing_scope":
		return fmt.Errorf("check nsg.channel %s with %s: the app lacks the channels:read or groups:read scope; add both (as the manifests in bot/slackbot list them), reinstall the app, and start the bot again", ch, method)
	case "channel_not_found":
		return fmt.Errorf("check nsg.channel %s with %s: Slack knows no such channel the bot is in; check the channel id (channel details → About), invite the bot to the channel, and start the bot again", ch, method)
	}
	return fmt.Errorf("check nsg.channel %s with %s: %w", ch, method, err)
}
