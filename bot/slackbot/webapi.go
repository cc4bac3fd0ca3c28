package slackbot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"syscall"
	"time"

	"github.com/hiec/hiecbot/bot/dialogue"
	"github.com/slack-go/slack"
)

// call runs one Web API call, retrying it with the Bot's backoff while it
// fails for a reason that can pass: a rate limit (waiting as long as
// Retry-After says), a 5xx, a timeout or a broken connection. Errors that
// will not pass (invalid_auth, channel_not_found…) return at once.
func (b *Bot) call(ctx context.Context, method string, fn func(ctx context.Context) error) error {
	for attempt := 0; ; attempt++ {
		err := fn(ctx)
		if err == nil {
			return nil
		}
		b.observer.SlackAPIError(method)
		if attempt == len(b.retry) {
			if attempt == 0 {
				return fmt.Errorf("%s: %w", method, err)
			}
			return fmt.Errorf("%s: %w (gave up after %d attempts)", method, err, attempt+1)
		}
		wait, ok := retryDelay(err, b.retry[attempt])
		if !ok || ctx.Err() != nil {
			return fmt.Errorf("%s: %w", method, err)
		}
		b.log.Warn("Slack Web API call failed; retrying", "method", method, "attempt", attempt+1, "wait", wait, "err", err)
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%s: %w (while waiting to retry after: %v)", method, ctx.Err(), err)
		}
	}
}

// retryDelay reports whether err can pass and how long to wait before
// trying again: Slack's Retry-After for a rate limit, backoff otherwise.
func retryDelay(err error, backoff time.Duration) (time.Duration, bool) {
	if errors.Is(err, context.Canceled) {
		return 0, false
	}
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		if rl.RetryAfter > 0 {
			return rl.RetryAfter, true
		}
		return backoff, true
	}
	var sc slack.StatusCodeError
	if errors.As(err, &sc) {
		return backoff, sc.Code >= 500 || sc.Code == http.StatusTooManyRequests || sc.Code == http.StatusRequestTimeout
	}
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		switch se.Err {
		case "ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout":
			return backoff, true
		}
		return 0, false
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, context.DeadlineExceeded) {
		return backoff, true
	}
	return 0, false
}

// postMessage posts m in channel, in thread when thread is set.
func (b *Bot) postMessage(ctx context.Context, channel, thread string, m message) error {
	opts := []slack.MsgOption{slack.MsgOptionText(m.Text, false)}
	if len(m.Blocks) > 0 {
		opts = append(opts, slack.MsgOptionBlocks(m.Blocks...))
	}
	if thread != "" {
		opts = append(opts, slack.MsgOptionTS(thread))
	}
	return b.call(ctx, "chat.postMessage", func(ctx context.Context) error {
		_, _, err := b.api.PostMessageContext(ctx, channel, opts...)
		return err
	})
}

// postEphemeral shows m to user alone in channel, in thread when set.
func (b *Bot) postEphemeral(ctx context.Context, channel, user, thread string, m message) error {
	opts := []slack.MsgOption{slack.MsgOptionText(m.Text, false)}
	if len(m.Blocks) > 0 {
		opts = append(opts, slack.MsgOptionBlocks(m.Blocks...))
	}
	if thread != "" {
		opts = append(opts, slack.MsgOptionTS(thread))
	}
	return b.call(ctx, "chat.postEphemeral", func(ctx context.Context) error {
		_, err := b.api.PostEphemeralContext(ctx, channel, user, opts...)
		return err
	})
}

// openDM opens (or finds) the direct message channel with a user.
func (b *Bot) openDM(ctx context.Context, user string) (string, error) {
	var ch *slack.Channel
	err := b.call(ctx, "conversations.open", func(ctx context.Context) (err error) {
		ch, _, _, err = b.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{user}})
		return err
	})
	if err != nil {
		return "", fmt.Errorf("open a DM with %s: %w", user, err)
	}
	if ch == nil || ch.ID == "" {
		return "", fmt.Errorf("open a DM with %s: conversations.open returned no channel", user)
	}
	return ch.ID, nil
}

// uploadToDM uploads an export to the user's DM with the bot
// (files.getUploadURLExternal, the upload URL, files.completeUploadExternal).
func (b *Bot) uploadToDM(ctx context.Context, user string, f dialogue.File) error {
	dm, err := b.openDM(ctx, user)
	if err != nil {
		return err
	}
	if len(f.Data) == 0 {
		return b.postMessage(ctx, dm, "", message{Text: "The export " + escape(f.Name) + " is empty."})
	}
	return b.call(ctx, "files.uploadV2", func(ctx context.Context) error {
		_, err := b.api.UploadFileContext(ctx, slack.UploadFileParameters{
			Reader:         bytes.NewReader(f.Data),
			FileSize:       len(f.Data),
			Filename:       f.Name,
			Title:          f.Title,
			Channel:        dm,
			InitialComment: fmt.Sprintf("Here is your export: %d %s.", f.Rows, plural(f.Rows, "question", "questions")),
		})
		return err
	})
}

// publishHome publishes a user's App Home tab.
func (b *Bot) publishHome(ctx context.Context, user string) error {
	h, err := b.desk.Home(user)
	if err != nil {
		return fmt.Errorf("build the App Home for %s: %w", user, err)
	}
	view := homeView(h)
	return b.call(ctx, "views.publish", func(ctx context.Context) error {
		_, err := b.api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: user, View: view})
		return err
	})
}

// respond sends a reply for the user alone: through the interaction's or
// command's response_url when there is one, else chat.postEphemeral.
func (b *Bot) respond(ctx context.Context, responseURL, channel, user string, m message) error {
	if responseURL != "" {
		wm := webhookMessage(m, true)
		return b.call(ctx, "response_url", func(ctx context.Context) error {
			return slack.PostWebhookCustomHTTPContext(ctx, responseURL, b.http, &wm)
		})
	}
	if channel == "" || user == "" {
		return fmt.Errorf("reply to %s: no response_url and no channel", user)
	}
	return b.postEphemeral(ctx, channel, user, "", m)
}

// webhookMessage is m as a response to a slash command or interaction.
func webhookMessage(m message, private bool) slack.WebhookMessage {
	wm := slack.WebhookMessage{Text: m.Text, ResponseType: slack.ResponseTypeInChannel}
	if private {
		wm.ResponseType = slack.ResponseTypeEphemeral
	}
	if len(m.Blocks) > 0 {
		wm.Blocks = &slack.Blocks{BlockSet: m.Blocks}
	}
	return wm
}

type cachedName struct {
	name    string
	expires time.Time
}

// userName returns a user's display name for the question log, looked up
// once with users.info and remembered; "" when Slack does not say within
// a second (a failed look-up is tried again after ten minutes).
func (b *Bot) userName(ctx context.Context, id string) string {
	if id == "" {
		return ""
	}
	now := time.Now()
	if v, ok := b.names.Load(id); ok {
		if n := v.(cachedName); n.expires.IsZero() || now.Before(n.expires) {
			return n.name
		}
	}
	ctx, cancel := context.WithTimeout(ctx, userNameTimeout)
	defer cancel()
	u, err := b.api.GetUserInfoContext(ctx, id)
	if err != nil || u == nil {
		b.log.Debug("users.info failed; logging the question without a name", "user", id, "err", err)
		b.names.Store(id, cachedName{expires: now.Add(10 * time.Minute)})
		return ""
	}
	name := u.Profile.DisplayName
	if name == "" {
		name = u.RealName
	}
	if name == "" {
		name = u.Name
	}
	b.names.Store(id, cachedName{name: name})
	return name
}
