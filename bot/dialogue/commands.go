package dialogue

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hiec/hiecbot/bot/store"
	"github.com/hiec/hiecbot/knowledge"
	"github.com/hiec/hiecbot/reminders"
)

// Command runs one /hiec command line (without "/hiec"): help, ask,
// deadlines for everyone; questions, show, answer, publish and export for
// NSG staff. Anyone else asking for an NSG command gets a polite refusal
// and sees nothing of other bidders' questions. Bad input is a KindRefused
// reply that says what was wrong; it changes nothing.
func (d *Desk) Command(ctx context.Context, a Asker, line string) (Reply, error) {
	name, rest := cut(line)
	switch strings.ToLower(name) {
	case "", "help", "?":
		text := Help
		if d.staff(a.UserID) {
			text += "\n" + StaffHelp
		}
		return Reply{Kind: KindText, Private: true, Text: text}, nil
	case "ask":
		if rest == "" {
			return refused("Add your question after `ask`, e.g. `/hiec ask When are detailed bids due?`"), nil
		}
		if a.Via == "" {
			a.Via = ViaCommand
		}
		r, err := d.Ask(ctx, a, rest)
		if errors.Is(err, knowledge.ErrEmptyQuestion) {
			return refused(err.Error()), nil
		}
		return r, err
	case "deadlines", "deadline", "timeline", "dates":
		text := "*HIEC timeline*\n" + reminders.FormatTimeline(d.Timeline())
		if line := d.ClosesLine(); line != "" {
			text += "\n" + line
		}
		return Reply{Kind: KindText, Private: true, Text: text}, nil
	case "questions", "show", "answer", "cite", "publish", "history", "export":
		if !d.staff(a.UserID) {
			return refused("Sorry, `" + strings.ToLower(name) + "` is for the National Steering Group. You can ask me anything about the guide with `/hiec ask <question>`."), nil
		}
		return d.staffCommand(ctx, a, strings.ToLower(name), rest)
	}
	return Reply{Kind: KindText, Private: true, Text: fmt.Sprintf("I don't know the command `%s`.\n%s", name, Help)}, nil
}

func (d *Desk) staffCommand(ctx context.Context, a Asker, name, rest string) (Reply, error) {
	switch name {
	case "questions":
		f := store.Filter{Status: []store.Status{store.StatusAwaiting}}
		label := "awaiting an NSG answer"
		switch arg := strings.ToLower(rest); arg {
		case "", "open":
		case "all":
			f, label = store.Filter{}, "in the log"
		default:
			st, err := store.ParseStatus(arg)
			if err != nil {
				return refused(err.Error() + "; or use `open` or `all`."), nil
			}
			f, label = store.Filter{Status: []store.Status{st}}, string(st)
		}
		qs, err := d.questions.List(f)
		if err != nil {
			return Reply{}, fmt.Errorf("list questions: %w", err)
		}
		if len(qs) == 0 {
			return Reply{Kind: KindText, Private: true, Text: "No questions " + label + "."}, nil
		}
		if err := d.RecordView(a.UserID, "list of questions "+label, "", len(qs)); err != nil {
			return Reply{}, err
		}
		var b strings.Builder
		fmt.Fprintf(&b, "*%d %s %s*\n", len(qs), plural(len(qs), "question", "questions"), label)
		writeQuestionList(&b, qs, 50)
		return Reply{Kind: KindText, Private: true, Text: strings.TrimSuffix(b.String(), "\n")}, nil
	case "show":
		q, err := d.questions.Get(rest)
		if err != nil {
			return refused(err.Error()), nil
		}
		if err := d.RecordView(a.UserID, "show", q.ID, 1); err != nil {
			return Reply{}, err
		}
		return Reply{Kind: KindText, Private: true, Text: QuestionText(q)}, nil
	case "answer":
		id, text := cut(rest)
		if id == "" || strings.TrimSpace(text) == "" {
			return refused("Write the id and the answer: `/hiec answer Q-0042 <text>`, or cite a passage: `/hiec cite Q-0042 Guide, slide 17`."), nil
		}
		q, err := d.AnswerQuestion(ctx, a.UserID, id, text)
		if err != nil {
			return refused(err.Error()), nil
		}
		return Reply{Kind: KindText, Private: true, Question: &q,
			Text: fmt.Sprintf("Answered %s. Your answer is queued for the asker, by DM (`hiecbot outbox` shows when it is sent); it stays private to them until you publish it for every bidder with `/hiec publish %s`.", q.ID, q.ID) + FollowersWaiting(q)}, nil
	case "cite":
		id, citation := cut(rest)
		if id == "" || strings.TrimSpace(citation) == "" {
			return refused("Write the id and the passage's citation: `/hiec cite Q-0042 Guide, slide 17`."), nil
		}
		q, err := d.CiteQuestion(ctx, a.UserID, id, citation)
		if err != nil {
			return refused(err.Error()), nil
		}
		return Reply{Kind: KindText, Private: true, Question: &q,
			Text: fmt.Sprintf("Answered %s with %s. That passage is queued for the asker, by DM, and the next bidder who asks this way will be answered from it.", q.ID, q.Cited) + FollowersWaiting(q)}, nil
	case "publish":
		id, args := cut(rest)
		if id == "" {
			return refused("Write the id: `/hiec publish Q-0042`."), nil
		}
		w, confirmed := parseWording(args)
		if !confirmed {
			q, c, err := d.Draft(id)
			if err != nil {
				return refused(err.Error()), nil
			}
			if err := d.RecordView(a.UserID, "publication draft", q.ID, 1); err != nil {
				return Reply{}, err
			}
			return Reply{Kind: KindPublishDraft, Private: true, Question: &q, Draft: &c,
				Text: fmt.Sprintf("Publishing %s would post this to every bidder:\n%s\nPublish it as it stands with `/hiec publish %s as is`, or reword it first: `/hiec publish %s question: <text> answer: <text>` (either part may be left out).",
					q.ID, DraftText(c), q.ID, q.ID)}, nil
		}
		q, err := d.PublishQuestion(ctx, a.UserID, id, w)
		if err != nil {
			return refused(err.Error()), nil
		}
		return Reply{Kind: KindText, Private: true, Question: &q,
			Text: fmt.Sprintf("Published %s as clarification %s. It is queued for the bidders' channel, without the asker's name, and %s by DM.", q.ID, q.Clarification, askersText(q))}, nil
	case "history":
		if rest == "" {
			return refused("Write the id: `/hiec history Q-0042`."), nil
		}
		q, err := d.questions.Get(rest)
		if err != nil {
			return refused(err.Error()), nil
		}
		h, err := d.History(q.ID)
		if err != nil {
			return refused(err.Error()), nil
		}
		if err := d.RecordView(a.UserID, "history", q.ID, len(h)); err != nil {
			return Reply{}, err
		}
		return Reply{Kind: KindText, Private: true, Text: HistoryText(q.ID, h)}, nil
	case "export":
		format, f, err := parseExport(rest, d.loc)
		if err != nil {
			return refused(err.Error()), nil
		}
		var buf bytes.Buffer
		n, err := d.Export(&buf, format, f, a.UserID)
		if err != nil {
			return Reply{}, fmt.Errorf("export questions: %w", err)
		}
		name := fmt.Sprintf("hiec-questions-%s.%s", d.now().UTC().Format("20060102-1504"), format)
		return Reply{Kind: KindFile, Private: true,
			Text: fmt.Sprintf("Exported %d %s as %s.", n, plural(n, "question", "questions"), name),
			File: &File{Name: name, Title: "HIEC dialogue questions", Data: buf.Bytes(), Rows: n}}, nil
	}
	return Reply{}, fmt.Errorf("unknown staff command %q", name)
}

// parseWording reads what follows the id of /hiec publish: "as is" (or
// "yes") publishes the text as asked and answered; "question: …" and
// "answer: …" reword either part. Anything else (nothing at all) is not a
// confirmation: the command shows the draft.
func parseWording(args string) (store.Wording, bool) {
	args = strings.TrimSpace(args)
	switch strings.ToLower(args) {
	case "as is", "as-is", "yes", "confirm":
		return store.Wording{}, true
	case "":
		return store.Wording{}, false
	}
	lower := strings.ToLower(args)
	qi, ai := strings.Index(lower, "question:"), strings.Index(lower, "answer:")
	if qi < 0 && ai < 0 {
		return store.Wording{}, false
	}
	var w store.Wording
	part := func(start, end int, label string) string {
		if start < 0 {
			return ""
		}
		if end < start {
			end = len(args)
		}
		return strings.TrimSpace(args[start+len(label) : end])
	}
	w.Question = part(qi, ai, "question:")
	w.Answer = part(ai, qi, "answer:")
	return w, true
}

// askersText says who gets a publication by DM.
func askersText(q store.Question) string {
	if n := q.AskedBy(); n > 1 {
		return fmt.Sprintf("for the %d bidders who asked it", n)
	}
	return "for the asker"
}

// parseExport reads "[csv|json|xlsx] [since DATE] [until DATE]", the
// dates by store.ParseFilter in loc.
func parseExport(args string, loc *time.Location) (store.Format, store.Filter, error) {
	format := store.Format("csv")
	var since, until string
	words := strings.Fields(args)
	for i := 0; i < len(words); i++ {
		w := strings.ToLower(words[i])
		switch w {
		case "since", "until":
			if i+1 == len(words) {
				return "", store.Filter{}, fmt.Errorf("`%s` needs a date, e.g. `%s 2009-06-01`", w, w)
			}
			if w == "since" {
				since = words[i+1]
			} else {
				until = words[i+1]
			}
			i++
		default:
			fm, err := store.ParseFormat(w)
			if err != nil {
				return "", store.Filter{}, err
			}
			format = fm
		}
	}
	f, err := store.ParseFilter("", since, until, loc)
	return format, f, err
}

// QuestionText renders one question in full for NSG staff.
func QuestionText(q store.Question) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*%s* · %s · asked %s via %s by %s", q.ID, q.Status, q.AskedAt.Format("2 Jan 2006 15:04 UTC"), q.Via, asker(q))
	if q.Late {
		b.WriteString(" · late: asked after the dialogue closed, not passed on")
	}
	fmt.Fprintf(&b, "\n%s", Quote(q.Question))
	if n := q.AskedBy(); n > 1 {
		fmt.Fprintf(&b, "\nAsked by %d bidders; followers:", n)
		for _, f := range q.Followers {
			fmt.Fprintf(&b, "\n• %s, %s, by %s", f.ID, f.AskedAt.Format("2 Jan 2006 15:04 UTC"), asker(store.Question{UserID: f.UserID, UserName: f.UserName}))
		}
	}
	if q.Follows != "" {
		fmt.Fprintf(&b, "\nFollows %s: its asker gets that question's clarification when it is published.", q.Follows)
	}
	if len(q.Refs) > 0 {
		b.WriteString("\nBot's references")
		if !q.Confident {
			b.WriteString(" (not confident)")
		}
		b.WriteString(":")
		for _, r := range q.Refs {
			fmt.Fprintf(&b, "\n• %s (%.2f)", r.Citation, r.Score)
		}
	}
	if q.NSGAnswer != "" {
		fmt.Fprintf(&b, "\nNSG answer by %s", q.AnsweredBy)
		if q.AnsweredAt != nil {
			fmt.Fprintf(&b, " on %s", q.AnsweredAt.Format("2 Jan 2006 15:04 UTC"))
		}
		if q.Cited != "" {
			fmt.Fprintf(&b, ", citing %s", q.Cited)
		}
		fmt.Fprintf(&b, ":\n%s", Quote(q.NSGAnswer))
	}
	if q.Clarification != "" {
		fmt.Fprintf(&b, "\nPublished as clarification %s", q.Clarification)
		if q.PublishedAt != nil {
			fmt.Fprintf(&b, " on %s", q.PublishedAt.Format("2 Jan 2006 15:04 UTC"))
		}
		c := q.Clarified()
		if c.Question != q.Question || c.Answer != q.NSGAnswer {
			fmt.Fprintf(&b, ", reworded:\n%s", DraftText(c))
		}
	}
	if q.Feedback != "" {
		fmt.Fprintf(&b, "\nFeedback: %s", q.Feedback)
	}
	return b.String()
}

func asker(q store.Question) string {
	switch {
	case q.UserName != "" && q.UserID != "" && q.UserName != q.UserID:
		return q.UserName + " (" + q.UserID + ")"
	case q.UserID != "":
		return q.UserID
	}
	return q.UserName
}

// cut splits off the first word.
func cut(s string) (string, string) {
	s = strings.TrimSpace(s)
	i := strings.IndexFunc(s, func(r rune) bool { return r == ' ' || r == '\t' || r == '\n' })
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimSpace(s[i+1:])
}

// DraftText renders what a clarification posts, as bidders will read it
// (the number is given when it is published).
func DraftText(c store.Clarification) string {
	number := c.ID
	if number == "" {
		number = "C-…"
	}
	return fmt.Sprintf("*Clarification %s from the National Steering Group*\n*Question*\n%s\n*Answer*\n%s", number, Quote(c.Question), Quote(c.Answer))
}

// HistoryText renders a question's audit trail for staff, oldest first.
func HistoryText(id string, h []store.AuditEntry) string {
	if len(h) == 0 {
		return "No NSG action on " + strings.TrimSpace(id) + " yet."
	}
	var b strings.Builder
	fmt.Fprintf(&b, "*History of %s*", h[0].Question)
	for _, e := range h {
		fmt.Fprintf(&b, "\n• %s · %s by %s", e.At.Format("2 Jan 2006 15:04 UTC"), e.Action, e.By)
		if e.Clarification != "" {
			fmt.Fprintf(&b, " as %s", e.Clarification)
		}
		for _, c := range e.Changes {
			switch {
			case c.Field == "status" || (c.From == c.To && c.Field != "follower"):
				continue
			case c.From == "":
				fmt.Fprintf(&b, "\n    %s: %s", c.Field, OneLine(c.To, 300))
			default:
				fmt.Fprintf(&b, "\n    %s: %s → %s", c.Field, OneLine(c.From, 300), OneLine(c.To, 300))
			}
		}
	}
	return b.String()
}
