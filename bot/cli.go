package bot

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hiec/hiecbot/bot/dialogue"
	"github.com/hiec/hiecbot/bot/store"
	"github.com/hiec/hiecbot/knowledge"
	"github.com/hiec/hiecbot/reminders"
)

// Answerer answers one question; *knowledge.Engine is one.
type Answerer interface {
	Answer(question string) (knowledge.Result, error)
}

// explainer answers with Engine.Explain, so that Ask prints how.
type explainer struct{ e *knowledge.Engine }

func (x explainer) Answer(q string) (knowledge.Result, error) { return x.e.Explain(q) }

// Ask answers each question and prints the answers to out, as JSON
// objects (one a line) when asJSON is set. With no questions it reads one
// question a line from in, skipping blank lines, so a question set is
// scored in one process. When the sources cover every question it
// returns nil, otherwise ErrNotCovered once all are answered.
func Ask(e Answerer, questions []string, in io.Reader, out io.Writer, asJSON bool) error {
	uncovered := 0
	answer := func(q string) error {
		res, err := e.Answer(q)
		if err != nil {
			return err
		}
		if !res.Confident || len(res.Answers) == 0 {
			uncovered++
		}
		if asJSON {
			return writeJSONLine(out, res)
		}
		PrintAnswer(out, res)
		if res.Explain != nil {
			PrintExplanation(out, res)
		}
		return nil
	}
	if len(questions) > 0 {
		for i, q := range questions {
			if i > 0 && !asJSON {
				fmt.Fprintln(out)
			}
			if err := answer(q); err != nil {
				return err
			}
		}
		return notCovered(uncovered)
	}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	first := true
	for sc.Scan() {
		q := strings.TrimSpace(sc.Text())
		if q == "" {
			continue
		}
		if !first && !asJSON {
			fmt.Fprintln(out)
		}
		first = false
		if err := answer(q); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read questions: %w", err)
	}
	return notCovered(uncovered)
}

func notCovered(n int) error {
	switch n {
	case 0:
		return nil
	case 1:
		return ErrNotCovered
	}
	return fmt.Errorf("%d questions: %w", n, ErrNotCovered)
}

func writeJSONLine(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// PrintAnswer prints an answer for a person: the citation, the passage,
// then the other references; or, when the sources do not cover the
// question, says so.
func PrintAnswer(w io.Writer, res knowledge.Result) {
	if !res.Confident || len(res.Answers) == 0 {
		fmt.Fprintf(w, "No passage clearly answers this question: %q\n", res.Question)
		fmt.Fprintln(w, "In Slack or `hiecbot chat` it would be passed to the National Steering Group.")
		return
	}
	top := res.Answers[0]
	// A published clarification quotes a bidder's question: print
	// passages and citations terminal-safe.
	fmt.Fprintln(w, TerminalSafe(top.Citation))
	for _, line := range strings.Split(top.Text, "\n") {
		fmt.Fprintf(w, "  %s\n", TerminalSafe(line))
	}
	if also := res.SeeAlso(); len(also) > 0 {
		fmt.Fprintln(w, "See also:")
		for _, a := range also {
			fmt.Fprintf(w, "  - %s\n", TerminalSafe(a.Citation))
		}
	}
}

// PrintExplanation prints how an answer was found (see
// knowledge.Explanation): each stage of the pipeline, then the verdict.
func PrintExplanation(w io.Writer, res knowledge.Result) {
	x := res.Explain
	fmt.Fprintln(w, "\nHow it was answered:")
	fmt.Fprintf(w, "  question   %s\n", TerminalSafe(x.Normalised))
	if len(x.Dropped) > 0 {
		fmt.Fprintf(w, "  dropped    %s (how the question is put, not what it asks)\n", strings.Join(x.Dropped, ", "))
	}
	if len(x.Asks) > 0 {
		kinds := make([]string, len(x.Asks))
		for i, k := range x.Asks {
			kinds[i] = knowledge.AKind(k)
		}
		fmt.Fprintf(w, "  asks for   %s\n", strings.Join(kinds, " or "))
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  part\tweight\tin the sources\tsynonyms")
	for _, u := range x.Units {
		known := "yes"
		if !u.Known {
			known = "no"
		}
		syn := strings.Join(u.Synonyms, ", ")
		if len(syn) > 60 {
			syn = syn[:57] + "..."
		}
		weight := fmt.Sprintf("%.2f", u.Weight)
		if u.Colloquial > 0 {
			weight += fmt.Sprintf(" (-%.0f%%, colloquial)", 100*u.Colloquial)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", u.Words, weight, known, syn)
	}
	tw.Flush()
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  score\tcoverage\twindow\ttitle\tphrase\tbm25\tpassage")
	for _, c := range x.Candidates {
		miss := ""
		if len(c.Missing) > 0 {
			miss = " (no " + strings.Join(c.Missing, ", ") + ")"
		}
		fmt.Fprintf(tw, "  %.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%s%s\n", c.Score, c.Features.Coverage, c.Features.Window,
			c.Features.Title, c.Features.Phrase, c.Features.BM25, TerminalSafe(c.Citation), miss)
	}
	tw.Flush()
	for i, c := range x.Candidates {
		if c.Phrasing != "" {
			fmt.Fprintf(w, "  phrasing   passage %d answers %q, %.2f like the question\n", i+1, TerminalSafe(c.Phrasing), c.Likeness)
		}
	}
	verdict := "not confident"
	if res.Confident {
		verdict = "confident"
	}
	fmt.Fprintf(w, "  verdict    %s: %s\n", verdict, res.Reason)
}

// PrintQuestions prints a table of questions, or JSON when asJSON is set.
func PrintQuestions(w io.Writer, qs []store.Question, asJSON bool) error {
	if asJSON {
		if qs == nil {
			qs = []store.Question{}
		}
		return writeIndented(w, qs)
	}
	if len(qs) == 0 {
		fmt.Fprintln(w, "No questions match.")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tASKED (UTC)\tSTATUS\tVIA\tASKER\tQUESTION")
	for _, q := range qs {
		who := q.UserName
		if who == "" {
			who = q.UserID
		}
		status := string(q.Status)
		switch {
		case q.AskedBy() > 1:
			status += fmt.Sprintf(" (asked by %d bidders)", q.AskedBy())
		case q.Follows != "":
			status += " " + q.Follows
		}
		if q.Late {
			status += " (late)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", q.ID, q.AskedAt.UTC().Format("2006-01-02 15:04"), status, q.Via, TerminalSafe(dialogue.OneLine(who, 30)), TerminalSafe(dialogue.OneLine(q.Question, 70)))
	}
	return tw.Flush()
}

// PrintQuestion prints one question in full.
func PrintQuestion(w io.Writer, q store.Question) {
	fmt.Fprintln(w, TerminalSafe(strings.NewReplacer("*", "", "> ", "  ").Replace(dialogue.QuestionText(q))))
}

func writeIndented(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// PrintReminders prints the reminders with their fire times in the
// reminders' timezone, or a JSON array when asJSON is set.
func PrintReminders(w io.Writer, entries []reminders.Entry, loc *time.Location, asJSON bool) error {
	if asJSON {
		if entries == nil {
			entries = []reminders.Entry{}
		}
		return writeIndented(w, entries)
	}
	if len(entries) == 0 {
		fmt.Fprintln(w, "No reminders are configured.")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FIRES AT\tKIND\tSENT\tREMINDER")
	for _, e := range entries {
		fires := "never again"
		if !e.FiresAt.IsZero() {
			fires = e.FiresAt.In(loc).Format("Mon 2 Jan 2006 15:04 -07:00")
		}
		sent := "no"
		switch {
		case e.Delivery == store.OutboxPending:
			sent = "queued, not yet sent"
		case strings.HasPrefix(e.Delivery, store.OutboxFailed):
			sent = "FAILED" + strings.TrimPrefix(e.Delivery, store.OutboxFailed) // "FAILED: why"
		case e.Sent:
			sent = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", fires, e.Kind, sent, e.Name)
	}
	return tw.Flush()
}
