package slackbot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hiec/hiecbot/bot/dialogue"
	"github.com/hiec/hiecbot/bot/slackbot/slacktest"
	"github.com/hiec/hiecbot/bot/store"
	"github.com/hiec/hiecbot/knowledge"
	"github.com/slack-go/slack"
)

// TestStoredBlocksEncodedOnce: the outbox holds the blocks as Slack's
// library encodes them, and the copy the sender posts marshals to the
// same bytes without encoding them again.
func TestStoredBlocksEncodedOnce(t *testing.T) {
	blocks := []slack.Block{
		slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "*Guide, slide 17* <&> \"quoted\" £", false, false), nil, nil),
		slack.NewContextBlock("ctx", slack.NewTextBlockObject(slack.MarkdownType, "Other references", false, false)),
		slack.NewActionBlock("act", slack.NewButtonBlockElement("ask_nsg", "ref", slack.NewTextBlockObject(slack.PlainTextType, "Ask the NSG", false, false))),
	}
	m := stored(kindAnswer, message{Text: "text", Blocks: blocks})
	want, err := json.Marshal(slack.Blocks{BlockSet: blocks})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(m.Blocks, want) {
		t.Errorf("stored blocks\n %s\nwant\n %s", m.Blocks, want)
	}
	native, ok := m.Native.([]slack.Block)
	if !ok || len(native) != len(blocks) {
		t.Fatalf("native = %#v", m.Native)
	}
	posted, err := json.Marshal(native) // what chat.postMessage sends
	if err != nil || !bytes.Equal(posted, want) {
		t.Errorf("posted blocks %s, %v\nwant %s", posted, err, want)
	}
	for i, b := range native {
		if b.BlockType() != blocks[i].BlockType() || b.ID() != blocks[i].ID() {
			t.Errorf("block %d is %s %q; want %s %q", i, b.BlockType(), b.ID(), blocks[i].BlockType(), blocks[i].ID())
		}
	}
	var back slack.Blocks
	if err := json.Unmarshal(m.Blocks, &back); err != nil || len(back.BlockSet) != len(blocks) {
		t.Errorf("stored blocks read back as %d blocks, %v", len(back.BlockSet), err)
	}
	if m := stored(kindAnswer, message{Text: "plain"}); m.Blocks != nil || m.Native != nil {
		t.Errorf("a message without blocks stored %s", m.Blocks)
	}
}

// TestPostedAsStored: the outbox's chat.postMessage carries the blocks
// byte for byte as the outbox holds them, whether the message came
// straight from the store's commit or was read back from the file, with
// its text, thread and nonce; stored blocks that are not a JSON array go
// as text alone; and Slack's answers are told apart as the sender needs
// (the ts; a rate limit with its wait; ok:false as permanent; a 5xx as
// passing).
func TestPostedAsStored(t *testing.T) {
	f := newFixture(t)
	f.api.RequireToken(testBotToken)
	blocks := []slack.Block{
		slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "*Guide, slide 17* <&> \"quoted\" £ 100% + more", false, false), nil, nil),
		slack.NewActionBlock("act", slack.NewButtonBlockElement("ask_nsg", "ref", slack.NewTextBlockObject(slack.PlainTextType, "Ask the NSG", false, false))),
	}
	fresh := stored(kindAnswer, message{Text: "Bids are due on 19 October & no later.", Blocks: blocks})
	fresh.ID, fresh.Nonce, fresh.Channel, fresh.ThreadTS = "M-000001", "0123456789abcdef0123456789abcdef", "D0ONE", "1255000000.000001"
	readBack := fresh
	readBack.Native, readBack.Channel, readBack.ThreadTS = nil, "D0TWO", ""
	damaged := fresh
	damaged.Native, damaged.Blocks, damaged.Channel, damaged.ThreadTS = nil, []byte(`{"type":"section"`), "D0THREE", ""

	p := f.bot.OutboxPoster()
	ctx := context.Background()
	for _, m := range []store.Message{fresh, readBack, damaged} {
		ts, err := p.Send(ctx, m)
		if err != nil || ts == "" {
			t.Fatalf("send to %s = %q, %v", m.Channel, ts, err)
		}
	}
	for _, c := range []struct {
		channel, thread string
		blocks          []byte
	}{{"D0ONE", fresh.ThreadTS, fresh.Blocks}, {"D0TWO", "", fresh.Blocks}, {"D0THREE", "", nil}} {
		posts := f.api.Posts(c.channel)
		if len(posts) != 1 {
			t.Fatalf("%s: %d posts", c.channel, len(posts))
		}
		form := posts[0].Form
		if got := form.Get("blocks"); got != string(c.blocks) {
			t.Errorf("%s: blocks %q\nwant %q", c.channel, got, c.blocks)
		}
		if form.Get("text") != fresh.Text || form.Get("thread_ts") != c.thread || form.Get("channel") != c.channel {
			t.Errorf("%s: text %q, thread %q, channel %q", c.channel, form.Get("text"), form.Get("thread_ts"), form.Get("channel"))
		}
		var meta slack.SlackMetadata
		if err := json.Unmarshal([]byte(form.Get("metadata")), &meta); err != nil || meta.EventType != metadataType || meta.EventPayload["id"] != fresh.Nonce {
			t.Errorf("%s: metadata %s, %v", c.channel, form.Get("metadata"), err)
		}
	}

	f.api.Fail("chat.postMessage", func(n int) slacktest.Fault {
		switch n - 3 { // after the three above
		case 1:
			return slacktest.Fault{Status: http.StatusTooManyRequests, RetryAfter: 7}
		case 2:
			return slacktest.Fault{SlackError: "channel_not_found"}
		}
		return slacktest.Fault{Status: http.StatusBadGateway}
	})
	type classified interface {
		Permanent() bool
		RetryAfter() time.Duration
	}
	for _, want := range []struct {
		permanent bool
		wait      time.Duration
		text      string
	}{{false, 7 * time.Second, "429"}, {true, 0, "channel_not_found"}, {false, 0, "502"}} {
		_, err := p.Send(ctx, fresh)
		var e classified
		if !errors.As(err, &e) || e.Permanent() != want.permanent || e.RetryAfter() != want.wait {
			t.Errorf("%s: %v; want permanent %v, wait %v", want.text, err, want.permanent, want.wait)
		}
	}
}

// TestQueryEscape: the form the outbox posts escapes every byte as
// net/url does, into a buffer of exactly the size it needs.
func TestQueryEscape(t *testing.T) {
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	for _, v := range [][]byte{nil, []byte("plain"), []byte(`[{"type":"section","text":"£ 100% + <&> ~._-"}]`), all} {
		got := appendQueryEscape(nil, v)
		if want := url.QueryEscape(string(v)); string(got) != want {
			t.Errorf("appendQueryEscape(%q) = %q, want %q", v, got, want)
		}
		if n := queryEscapedLen(v); n != len(got) {
			t.Errorf("queryEscapedLen(%q) = %d, want %d", v, n, len(got))
		}
	}
}

// TestPreparedReplyIsTheSame: a reply rendered in two steps, its answer's
// body before the question is logged and its buttons in the transaction,
// is the message the one-step rendering makes, byte for byte, for every
// kind of reply and asker.
func TestPreparedReplyIsTheSame(t *testing.T) {
	f := newFixture(t)
	short := deadlineEngine().Answers
	long := append([]knowledge.Answer(nil), short...)
	long[0].Text = strings.Repeat("Bids <must> be made by a partnership & its lead.\n", 300)
	long[0].Highlight = "Bids <must> be *made* by a partnership"
	askers := []dialogue.Asker{
		{UserID: bidderUser, ChannelID: "D0BIDDER1", Via: dialogue.ViaDM},
		{UserID: bidderUser, ChannelID: "D0BIDDER1", ThreadTS: "1255000000.000001", Via: dialogue.ViaDM},
		{UserID: bidderUser, ChannelID: "C0OPEN", ThreadTS: "1255000000.000002", Via: dialogue.ViaMention},
	}
	q := store.Question{ID: "Q-0042", UserID: bidderUser, Question: "When are detailed bids due?"}
	var replies []dialogue.Reply
	for _, answers := range [][]knowledge.Answer{short, long, short[:1]} {
		res := knowledge.Result{Confident: true, Answers: answers}
		replies = append(replies,
			dialogue.Reply{Kind: dialogue.KindAnswer, Text: dialogue.AnswerText(res, q.ID), Question: &q, Result: res},
			dialogue.Reply{Kind: dialogue.KindClosed, Text: "Questions to the NSG have closed.", Question: &q, Result: res})
	}
	replies = append(replies, dialogue.Reply{Kind: dialogue.KindNotCovered, Text: "Not covered.", Question: &q,
		Result: knowledge.Result{Answers: short}})
	for _, a := range askers {
		rr := replyRenderer{f.bot, a}
		for i, r := range replies {
			want := f.bot.replyMessages(a, r)
			prepared := rr.Prepare(r.Result)
			for run := range 2 { // a batch may run the transaction twice
				got := rr.Messages(r, prepared)
				if len(got) != 1 || len(want) != 1 {
					t.Fatalf("%d messages, want %d", len(got), len(want))
				}
				g, w := got[0], want[0]
				if !bytes.Equal(g.Blocks, w.Blocks) || g.Text != w.Text || g.Channel != w.Channel || g.ThreadTS != w.ThreadTS ||
					g.Ephemeral != w.Ephemeral || g.User != w.User || g.Kind != w.Kind || g.NotifyStaff != w.NotifyStaff {
					t.Errorf("asker %+v, reply %d, run %d:\n got %+v\nwant %+v", a, i, run, g, w)
				}
				gn, _ := g.Native.([]slack.Block)
				wn, _ := w.Native.([]slack.Block)
				posted, err := json.Marshal(gn)
				if len(gn) != len(wn) || err != nil || len(gn) > 0 && !bytes.Equal(posted, w.Blocks) {
					t.Errorf("asker %+v, reply %d: native blocks %d (%v), want %d marshalling to the stored blocks", a, i, len(gn), err, len(wn))
				}
			}
		}
	}
}
