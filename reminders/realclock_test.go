package reminders

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hiec/hiecbot/bot/slackbot/slacktest"
	"github.com/hiec/hiecbot/config"
)

// channelPosts are the messages the double took in channel.
func channelPosts(api *slacktest.Server, channel string) []post {
	var out []post
	for _, c := range api.Posts(channel) {
		out = append(out, post{channel, c.Param("text")})
	}
	return out
}

// httpPoster posts through chat.postMessage, as the Slack bot does.
type httpPoster struct{ api string }

func (p httpPoster) Post(ctx context.Context, channel, text string) error {
	body, err := json.Marshal(map[string]string{"channel": channel, "text": text})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.api+"chat.postMessage", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Authorization", "Bearer xoxb-test")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var r struct {
		OK    bool
		Error string
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return fmt.Errorf("chat.postMessage: %s: %w", resp.Status, err)
	}
	if !r.OK {
		return fmt.Errorf("chat.postMessage: %s", r.Error)
	}
	return nil
}

// TestRealClock runs the real scheduler (real clock, robfig/cron) over a
// deadline two minutes ahead reminded one minute before, so the reminder
// fires at the next whole minute, and a digest every minute. It then
// restarts over the same ledger and checks nothing repeats.
func TestRealClock(t *testing.T) {
	if testing.Short() {
		t.Skip("waits up to a minute for the real clock")
	}
	slack := slacktest.New(t)
	slack.RequireToken("xoxb-test")
	poster := httpPoster{slack.APIURL()}

	due := time.Now().In(london).Truncate(time.Minute).Add(2 * time.Minute)
	cfg := config.Reminders{
		Timezone: "Europe/London",
		Channel:  "C-BIDDERS",
		Grace:    config.Duration(6 * time.Hour),
		Deadlines: []config.Deadline{{
			Name: "Real-clock deadline",
			Due: config.Due{Year: due.Year(), Month: due.Month(), Day: due.Day(), Hour: due.Hour(), Min: due.Minute(),
				Precision: config.PrecisionMinute},
			RemindBefore: []config.Duration{config.Duration(time.Minute)},
			Source:       "test",
		}},
		Cron: []config.CronJob{{Name: "Minute digest", Spec: "* * * * *", Post: config.PostDigest}},
	}
	l := newLedger()
	run := func(until func() bool, limit, extra time.Duration) {
		log, _ := testLogger(t)
		s, err := New(cfg, poster, l, Options{
			NSGChannel: "C-NSG",
			Digest:     func(context.Context) (string, error) { return "1 question awaits an answer", nil },
			Logger:     log,
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		defer s.Stop()
		for end := time.Now().Add(limit); !until() && time.Now().Before(end); {
			time.Sleep(100 * time.Millisecond)
		}
		time.Sleep(extra)
	}

	run(func() bool { return len(channelPosts(slack, "C-BIDDERS")) > 0 }, 100*time.Second, 2*time.Second)
	posts := channelPosts(slack, "C-BIDDERS")
	if len(posts) != 1 {
		t.Fatalf("%d reminders posted, want 1:\n%s", len(posts), texts(posts))
	}
	if want := "Reminder: *Real-clock deadline* on " + cfg.Deadlines[0].Due.Label(); !strings.HasPrefix(posts[0].text, want) ||
		strings.Contains(posts[0].text, LateNote) {
		t.Errorf("reminder = %q, want it to start %q and not be late", posts[0].text, want)
	}
	digests := len(channelPosts(slack, "C-NSG"))
	if digests == 0 {
		t.Error("no digest posted on the minute")
	}
	for _, k := range l.Keys() {
		if stamp, ok := strings.CutPrefix(k, "cron|Minute digest|"); ok {
			at, err := time.Parse(time.RFC3339, stamp)
			if err != nil || at.Second() != 0 {
				t.Errorf("digest key %q is not keyed by its whole-minute fire time", k)
			}
		}
	}

	run(func() bool { return false }, 3*time.Second, 0)
	if got := channelPosts(slack, "C-BIDDERS"); len(got) != 1 {
		t.Errorf("after a restart, %d reminders posted in all, want 1:\n%s", len(got), texts(got))
	}
	keys := map[string]bool{}
	for _, k := range l.Keys() {
		keys[k] = true
	}
	if d := len(channelPosts(slack, "C-NSG")); d != len(keys)-1 {
		t.Errorf("%d digests posted but %d digest keys marked: a digest repeated", d, len(keys)-1)
	}
}
