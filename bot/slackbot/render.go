package slackbot

import (
	"fmt"
	"strings"

	"github.com/hiec/hiecbot/bot/dialogue"
	"github.com/hiec/hiecbot/bot/store"
	"github.com/hiec/hiecbot/knowledge"
	"github.com/hiec/hiecbot/reminders"
	"github.com/slack-go/slack"
)

// Slack's limits on what a message may hold.
const (
	// maxSectionText is the most a section block's text may hold.
	maxSectionText = 3000
	// maxContextText is what this package allows a context element; Slack
	// allows more, but a context line is meant to be short.
	maxContextText = 2000
	// maxMessageBlocks is the most blocks a message may have.
	maxMessageBlocks = 50
	// maxHomeBlocks is the most blocks an App Home view may have.
	maxHomeBlocks = 100
	// maxMessageText keeps a message's text under Slack's 40,000
	// characters, past which Slack truncates it.
	maxMessageText = 39000
	// maxCitation bounds the citation line above a quoted passage.
	maxCitation = 300
)

// Action ids of the buttons under an answer; their value is the question id.
const (
	actionHelpful = "hiec_helpful"
	actionAskNSG  = "hiec_ask_nsg"
	answerBlockID = "hiec_answer"
)

// message is what the bot posts: the text is complete on its own (it is
// what notifications and clients without Block Kit show); blocks, when
// set, are the rich rendering.
type message struct {
	Text   string
	Blocks []slack.Block
}

// renderReply turns a Desk reply into a message. A confident answer gets
// Block Kit with the passage, its citation, the other references and the
// two buttons, whose value is the question's id as ref makes it (the Bot
// makes it an opaque reference); everything else is text.
func renderReply(r dialogue.Reply, ref func(id string) string) message {
	m := message{Text: truncate(escape(r.Text), maxMessageText)}
	if r.Kind == dialogue.KindAnswer && r.Question != nil && len(r.Result.Answers) > 0 {
		m.Blocks = answerBlocks(r, ref(r.Question.ID))
	}
	return m
}

// render is renderReply with the Bot's opaque question references.
func (b *Bot) render(r dialogue.Reply) message { return renderReply(r, b.refs.encode) }

// answerBlocks lays out a confident answer: sections quoting the passage
// under its citation (as many as the passage needs, within the block
// limit), a context line with the other references and the question id,
// and the Helpful and Ask the NSG buttons.
func answerBlocks(r dialogue.Reply, id string) []slack.Block {
	return append(answerBody(r.Result), answerActions(id))
}

// answerBody is the blocks of a confident answer above its buttons: they
// do not depend on the question's id. There is room after them for the
// buttons.
func answerBody(res knowledge.Result) []slack.Block {
	top := res.Answers[0]
	head := "*From the guide*"
	if strings.TrimSpace(top.Citation) != "" {
		head = "*" + truncateEscaped(strings.TrimSpace(top.Citation), maxCitation) + "*"
	}
	sections := quoteSections(head, top.Text, markedLine(top.Text, top.Highlight), maxMessageBlocks-2)
	blocks := make([]slack.Block, 0, len(sections)+2)
	for _, s := range sections {
		blocks = append(blocks, mrkdwnSection(s))
	}
	var ctx strings.Builder
	if also := res.SeeAlso(); len(also) > 0 {
		ctx.WriteString("See also: " + strings.Join(knowledge.Citations(also), "; ") + ". ")
	}
	ctx.WriteString("Every question is logged for the National Steering Group.")
	return append(blocks, slack.NewContextBlock("",
		slack.NewTextBlockObject(slack.MarkdownType, truncateEscaped(ctx.String(), maxContextText), false, false)))
}

// answerActions is the Helpful and Ask the NSG buttons under an answer,
// whose value is id (the question's reference).
func answerActions(id string) slack.Block {
	helpful := slack.NewButtonBlockElement(actionHelpful, id, slack.NewTextBlockObject(slack.PlainTextType, "Helpful", false, false))
	ask := slack.NewButtonBlockElement(actionAskNSG, id, slack.NewTextBlockObject(slack.PlainTextType, "Ask the NSG", false, false))
	return slack.NewActionBlock(answerBlockID, helpful, ask)
}

// markedLine returns the index of the line of text the engine's highlight
// comes from (the highlight is that line, or part of it, with its
// matching words in *bold*), or -1.
func markedLine(text, highlight string) int {
	h := strings.TrimSpace(strings.Trim(strings.ReplaceAll(highlight, "*", ""), "…"))
	if h == "" {
		return -1
	}
	for i, line := range strings.Split(strings.TrimSpace(text), "\n") {
		if strings.Contains(line, h) {
			return i
		}
	}
	return -1
}

// quoteSections renders head followed by text as a mrkdwn block quote,
// escaped and cut into section texts of at most maxSectionText bytes, at
// most max of them; a quote too long for that ends with "…". Line mark
// (-1 for none), the line that answers, is shown in bold.
func quoteSections(head, text string, mark, max int) []string {
	const prefix = "\n> "
	// Leave room in every section for the closing "…".
	limit := maxSectionText - len(prefix) - len("…")
	var out []string
	cur := head
	full := false
	for i, line := range strings.Split(strings.TrimSpace(text), "\n") {
		pieces := splitEscaped(line, limit-len(prefix)-2)
		if len(pieces) == 0 {
			pieces = []string{""}
		}
		if i == mark {
			for k, p := range pieces {
				if t := strings.TrimSpace(p); t != "" {
					pieces[k] = "*" + t + "*"
				}
			}
		}
		for _, p := range pieces {
			if len(cur)+len(prefix)+len(p) > limit {
				if len(out)+1 == max {
					full = true
					break
				}
				out = append(out, cur)
				cur = strings.TrimPrefix(prefix, "\n") + p
				continue
			}
			cur += prefix + p
		}
		if full {
			break
		}
	}
	if full {
		cur += prefix + "…"
	}
	return append(out, strings.TrimPrefix(cur, "\n"))
}

func mrkdwnSection(text string) *slack.SectionBlock {
	return slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, text, false, false), nil, nil)
}

// textSections cuts escaped mrkdwn into section blocks on line
// boundaries where it can.
func textSections(text string) []slack.Block {
	var blocks []slack.Block
	cur := ""
	for line := range strings.SplitSeq(text, "\n") {
		for len(line) > maxSectionText {
			cut := truncate(line, maxSectionText)
			cut = strings.TrimSuffix(cut, "…")
			if cur != "" {
				blocks = append(blocks, mrkdwnSection(cur))
				cur = ""
			}
			blocks = append(blocks, mrkdwnSection(cut))
			line = line[len(cut):]
		}
		switch {
		case cur == "":
			cur = line
		case len(cur)+1+len(line) <= maxSectionText:
			cur += "\n" + line
		default:
			blocks = append(blocks, mrkdwnSection(cur))
			cur = line
		}
	}
	if strings.TrimSpace(cur) != "" {
		blocks = append(blocks, mrkdwnSection(cur))
	}
	return blocks
}

// askHowText tells a bidder how to ask, for App Home.
const askHowText = "*How to ask*\n" +
	"Ask in your own words, e.g. _When are detailed bids due?_ or _Who decides which clusters are funded?_\n" +
	"• Send me a direct message (the Messages tab above).\n" +
	"• Mention me in a channel: I answer in the thread.\n" +
	"• Type `/hiec ask &lt;question&gt;` anywhere.\n" +
	"I quote the passage of the guide that answers you and where it comes from. If no passage clearly answers your question I pass it to the National Steering Group, and their answer comes back to you. `/hiec help` lists the commands."

// homeView is the App Home tab for one user: the deadlines with the days
// left, how to ask, and for NSG staff how many questions await them.
func homeView(h dialogue.Home) slack.HomeTabViewRequest {
	blocks := []slack.Block{
		slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, "HIEC guide: questions and deadlines", false, false)),
	}
	if h.Staff {
		text := "*No questions await an NSG answer.*"
		if h.Awaiting > 0 {
			text = fmt.Sprintf("*%d %s await%s an NSG answer.* See them with `/hiec questions`, answer with `/hiec answer Q-0042 &lt;text&gt;` and publish with `/hiec publish Q-0042`.",
				h.Awaiting, plural(h.Awaiting, "question", "questions"), plural(h.Awaiting, "s", ""))
		}
		blocks = append(blocks, mrkdwnSection(text), slack.NewDividerBlock())
	}
	blocks = append(blocks, mrkdwnSection("*Deadlines and milestones*"))
	timeline := reminders.FormatTimeline(h.Timeline)
	if timeline == "" {
		timeline = "No deadlines are configured."
	}
	blocks = append(blocks, textSections(escape(timeline))...)
	if !h.Closes.IsZero() {
		verb := "close"
		if h.Closed {
			verb = "closed"
		}
		blocks = append(blocks, mrkdwnSection(fmt.Sprintf("*Questions to the National Steering Group %s on %s* (informal dialogue).", verb, h.Closes.Format("Monday 2 January 2006 15:04 MST"))))
	}
	blocks = append(blocks, slack.NewDividerBlock(), mrkdwnSection(askHowText))
	if len(blocks) > maxHomeBlocks {
		blocks = append(blocks[:maxHomeBlocks-1], mrkdwnSection("…"))
	}
	return slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: blocks}}
}

// nsgNotice announces a question that awaits the NSG, or one found to
// ask what another awaiting question asks.
func nsgNotice(q store.Question) string {
	var b strings.Builder
	if q.Follows != "" {
		fmt.Fprintf(&b, "*%s asks what %s asks*, so it follows it: its asker will get %s's clarification when it is published.\n", q.ID, escape(q.Follows), escape(q.Follows))
	} else {
		fmt.Fprintf(&b, "*%s awaits an NSG answer*\n", q.ID)
	}
	who := "someone"
	if q.UserID != "" {
		who = "<@" + escape(q.UserID) + ">"
	}
	fmt.Fprintf(&b, "Asked by %s", who)
	if q.Via != "" {
		fmt.Fprintf(&b, " via %s", escape(q.Via))
	}
	if !q.AskedAt.IsZero() {
		fmt.Fprintf(&b, " on %s", q.AskedAt.UTC().Format("2 Jan 2006 15:04 UTC"))
	}
	if n := q.AskedBy(); n > 1 {
		fmt.Fprintf(&b, " (asked by %d bidders)", n)
	}
	b.WriteString(":\n")
	b.WriteString(quote(q.Question, 2000))
	if q.Confident && len(q.Refs) > 0 {
		fmt.Fprintf(&b, "\nThe asker wanted more than my answer from %s.", truncateEscaped(q.Refs[0].Citation, maxCitation))
	}
	if q.Follows != "" {
		fmt.Fprintf(&b, "\nIf it asks something else, answer it on its own with `/hiec answer %s &lt;text&gt;`.", q.ID)
	} else {
		fmt.Fprintf(&b, "\nAnswer with the buttons or `/hiec answer %s &lt;text&gt;`.", q.ID)
	}
	return b.String()
}

// deliveryText gives the asker the NSG's answer, with no question id
// (ids would tell a bidder how many questions others have asked).
func deliveryText(q store.Question) string {
	var b strings.Builder
	if q.Cited != "" {
		b.WriteString("The National Steering Group has answered your question:\n")
		b.WriteString(quote(q.Question, 2000))
		b.WriteString("\n*They point you to " + truncateEscaped(q.Cited, maxCitation) + "*\n")
		b.WriteString(quote(q.NSGAnswer, 30000))
		return b.String()
	}
	b.WriteString("The National Steering Group has answered your question:\n")
	b.WriteString(quote(q.Question, 2000))
	b.WriteString("\n*Their answer*\n")
	b.WriteString(quote(q.NSGAnswer, 30000))
	b.WriteString("\n_This answer is for you alone unless the NSG publishes it as a clarification for every bidder._")
	return b.String()
}

// clarificationText is a published clarification: its number, the
// question and the NSG's answer as published, and nothing about who asked.
func clarificationText(c store.Clarification) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*Clarification %s from the National Steering Group*\n", escape(c.ID))
	b.WriteString("*Question*\n")
	b.WriteString(quote(c.Question, 2000))
	b.WriteString("\n*Answer*\n")
	b.WriteString(quote(c.Answer, 30000))
	return b.String()
}

// quote escapes text and renders it as a mrkdwn block quote of at most
// about limit bytes.
func quote(text string, limit int) string {
	var b strings.Builder
	for i, line := range strings.Split(strings.TrimSpace(text), "\n") {
		if i > 0 {
			if b.Len() >= limit {
				b.WriteString("\n> …")
				break
			}
			b.WriteByte('\n')
		}
		b.WriteString("> ")
		b.WriteString(truncateEscaped(line, max(limit-b.Len(), len("&amp;")+len("…"))))
	}
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
