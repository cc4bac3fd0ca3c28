package slackbot

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hiec/hiecbot/bot/dialogue"
	"github.com/hiec/hiecbot/bot/store"
	"github.com/hiec/hiecbot/knowledge"
	"github.com/slack-go/slack"
)

func TestStripMarkup(t *testing.T) {
	tests := []struct{ in, want string }{
		{"<@U0HIECBOT> when are bids due?", "when are bids due?"},
		{"<@U0HIECBOT|hiecbot> when are bids due?", "when are bids due?"},
		{"hey <@W123> and <@U1|bob>, when?", "hey and , when?"},
		{"<!here> <!channel> <!everyone> deadline?", "deadline?"},
		{"ask <!subteam^S012AB|@nsg> about it", "ask about it"},
		{"see <#C0123|bids> please", "see #bids please"},
		{"see <#C0123> please", "see please"},
		{"read <https://www.dh.gov.uk/hiec|the guide> now", "read the guide now"},
		{"read <https://www.dh.gov.uk/hiec> now", "read https://www.dh.gov.uk/hiec now"},
		{"mail <mailto:nsg@dh.gov.uk|NSG>", "mail NSG"},
		{"due <!date^1255978800^{date}|19 October 2009>?", "due 19 October 2009?"},
		{"R&amp;D &lt;5% &gt; 2", "R&D <5% > 2"},
		{"&amp;lt; stays", "&lt; stays"},
		{"  many   spaces\t\tand tabs  ", "many spaces and tabs"},
		{"line one\n\n  line two  \n", "line one\nline two"},
		{"unclosed < bracket", "unclosed bracket"},
		{"a <b <@U1> c", "a b c"},
		{"<@U0HIECBOT>", ""},
		{"", ""},
		{"café – naïve", "café – naïve"},
	}
	for _, tt := range tests {
		if got := StripMarkup(tt.in); got != tt.want {
			t.Errorf("StripMarkup(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestEscapeAndSplit(t *testing.T) {
	if got := escape("<!channel> & <@U1>"); got != "&lt;!channel&gt; &amp; &lt;@U1&gt;" {
		t.Errorf("escape = %q", got)
	}
	s := strings.Repeat("a&b <c> ", 50) + strings.Repeat("é", 100)
	for _, limit := range []int{1, 5, 7, 13, 100, 3000} {
		pieces := splitEscaped(s, limit)
		var joined strings.Builder
		for _, p := range pieces {
			if len(p) > max(limit, 5) || !utf8.ValidString(p) {
				t.Fatalf("limit %d: piece %q", limit, p)
			}
			joined.WriteString(p)
		}
		if joined.String() != escape(s) {
			t.Fatalf("limit %d: pieces do not make up the escaped text", limit)
		}
	}
	if got := truncateEscaped("abc def ghi", 8); got != "abc…" {
		t.Errorf("truncateEscaped = %q", got)
	}
	if got := truncate("ééé", 5); got != "é…" {
		t.Errorf("truncate = %q", got)
	}
}

// checkBlocks checks a message against Slack's limits.
func checkBlocks(t *testing.T, blocks []slack.Block, maxBlocks int) {
	t.Helper()
	if len(blocks) > maxBlocks {
		t.Errorf("%d blocks, more than %d", len(blocks), maxBlocks)
	}
	raw, err := json.Marshal(blocks)
	if err != nil {
		t.Fatal(err)
	}
	var decoded []struct {
		Type string `json:"type"`
		Text *struct {
			Text string `json:"text"`
		} `json:"text"`
		Elements []struct {
			Text any `json:"text"`
		} `json:"elements"`
	}
	if err := json.Unmarshal(raw, &decoded); err != nil {
		t.Fatal(err)
	}
	for i, b := range decoded {
		if b.Text == nil {
			continue
		}
		if len(b.Text.Text) > maxSectionText || !utf8.ValidString(b.Text.Text) {
			t.Errorf("block %d: %d bytes of text (valid UTF-8: %v)", i, len(b.Text.Text), utf8.ValidString(b.Text.Text))
		}
		if strings.ContainsAny(strings.NewReplacer("&amp;", "", "&lt;", "", "&gt;", "").Replace(b.Text.Text), "<") {
			t.Errorf("block %d holds an unescaped <", i)
		}
	}
}

func TestAnswerWithinSlackLimits(t *testing.T) {
	tests := []struct {
		name string
		text string
	}{
		{"short", "Bids are due."},
		{"one long line", strings.Repeat("Detailed bids & <plans> are due – ", 400)},
		{"many lines", strings.Repeat("A line of the guide with ünïcödé & <markup>.\n", 2000)},
		{"one long word", strings.Repeat("é", 20000)},
		{"huge", strings.Repeat(strings.Repeat("x", 2999)+"\n", 100)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := &store.Question{ID: "Q-0042"}
			res := knowledge.Result{Confident: true, Answers: []knowledge.Answer{
				{Citation: "Guide, slide 17: <Application> & process", Text: tt.text},
				{Citation: strings.Repeat("Other ref ", 500)},
			}}
			r := dialogue.Reply{Kind: dialogue.KindAnswer, Text: dialogue.AnswerText(res, q.ID), Question: q, Result: res}
			m := renderReply(r, func(id string) string { return id })
			checkBlocks(t, m.Blocks, maxMessageBlocks)
			if len(m.Text) > maxMessageText || !utf8.ValidString(m.Text) {
				t.Errorf("fallback text: %d bytes", len(m.Text))
			}
			last, _ := json.Marshal(m.Blocks[len(m.Blocks)-1])
			if !strings.Contains(string(last), actionAskNSG) {
				t.Errorf("the buttons were cut: last block %s", last)
			}
			first, _ := json.Marshal(m.Blocks[0])
			if !strings.Contains(string(first), "Guide, slide 17: \\u0026lt;Application\\u0026gt; \\u0026amp; process") {
				t.Errorf("first block %s lacks the escaped citation", first)
			}
			for i, b := range m.Blocks[:len(m.Blocks)-2] {
				text := b.(*slack.SectionBlock).Text.Text
				for j, line := range strings.Split(text, "\n") {
					if (i > 0 || j > 0) && !strings.HasPrefix(line, "> ") {
						t.Fatalf("section %d line %d %.20q is not quoted", i, j, line)
					}
				}
			}
		})
	}
}

func TestDeskTextIsEscaped(t *testing.T) {
	// The Desk writes no Slack markup; whatever a bidder typed, echoed in
	// its text, must not become a mention or a link.
	m := renderReply(dialogue.Reply{Kind: dialogue.KindText, Text: "• *Q-0001*: ping <!channel> & see <http://evil|guide>; use `/hiec ask <question>`"}, func(id string) string { return id })
	want := "• *Q-0001*: ping &lt;!channel&gt; &amp; see &lt;http://evil|guide&gt;; use `/hiec ask &lt;question&gt;`"
	if m.Text != want {
		t.Errorf("text = %q, want %q", m.Text, want)
	}
}

func TestHomeView(t *testing.T) {
	v := homeView(dialogue.Home{Staff: true, Awaiting: 3})
	if v.Type != slack.VTHomeTab {
		t.Errorf("type %q", v.Type)
	}
	checkBlocks(t, v.Blocks.BlockSet, maxHomeBlocks)
	raw, _ := json.Marshal(v)
	for _, want := range []string{"3 questions await an NSG answer", "No deadlines are configured", "How to ask"} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("view lacks %q", want)
		}
	}
}

func TestNoticesEscapeUserText(t *testing.T) {
	q := store.Question{ID: "Q-0007", UserID: "U1", Via: "dm", Question: "<!channel> is R&D <@U2> eligible?", NSGAnswer: "Yes <b>"}
	for name, text := range map[string]string{
		"notice":        nsgNotice(q),
		"delivery":      deliveryText(q),
		"clarification": clarificationText(q.Clarified()),
	} {
		if strings.Contains(text, "<!channel>") || strings.Contains(text, "<@U2>") || strings.Contains(text, "<b>") {
			t.Errorf("%s does not escape the user's text: %q", name, text)
		}
	}
	if c := clarificationText(q.Clarified()); strings.Contains(c, "U1") {
		t.Errorf("clarification names the asker: %q", c)
	}
}
