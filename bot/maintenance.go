package bot

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/hiec/hiecbot/bot/dialogue"
	"github.com/hiec/hiecbot/bot/store"
)

func runBackup(cl *call, pos []string) error {
	cfg, err := cl.load()
	if err != nil {
		return err
	}
	n, from, err := Backup(cfg.Storage.Path, pos[0], cl.username())
	if err != nil {
		return err
	}
	fmt.Fprintf(cl.Stdout, "Backed up %s (%d bytes, from %s) to %s; the copy passed the consistency check.\n", cfg.Storage.Path, n, from, pos[0])
	return nil
}

func runStoreCheck(cl *call, _ []string) error {
	cfg, err := cl.load()
	if err != nil {
		return err
	}
	if err := CheckStore(cfg.Storage.Path); err != nil {
		return err
	}
	fmt.Fprintf(cl.Stdout, "%s: sound; the consistency check found no problems.\n", cfg.Storage.Path)
	return nil
}

// outboxLister is where the outbox can be read: the running bot's admin
// socket, or the store file.
type outboxLister interface {
	Outbox(f store.OutboxFilter) ([]store.Message, error)
}

// outboxOf is the outbox behind records, if it can be read.
func outboxOf(r dialogue.Records) (outboxLister, bool) {
	switch x := r.(type) {
	case outboxLister:
		return x, true
	case dialogue.Offline:
		return x.Store, x.Store != nil
	}
	return nil, false
}

func runOutbox(cl *call, _ []string) error {
	return cl.withRecords(false, func(r records) error {
		ob, ok := outboxOf(r.Records)
		if !ok {
			return fmt.Errorf("this question log has no outbox to read")
		}
		f := store.OutboxFilter{}
		if cl.failed {
			f.Status = store.OutboxFailed
		}
		msgs, err := ob.Outbox(f)
		if err != nil {
			return err
		}
		return PrintOutbox(cl.Stdout, msgs, cl.json)
	})
}

// PrintOutbox prints outbox messages as a table, or JSON when asJSON is
// set.
func PrintOutbox(w io.Writer, msgs []store.Message, asJSON bool) error {
	if asJSON {
		if msgs == nil {
			msgs = []store.Message{}
		}
		return writeIndented(w, msgs)
	}
	if len(msgs) == 0 {
		fmt.Fprintln(w, "No messages match.")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tQUEUED (UTC)\tSTATUS\tKIND\tQUESTION\tTO\tTRIES\tERROR")
	for _, m := range msgs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", m.ID, m.CreatedAt.UTC().Format("2006-01-02 15:04"), m.Status, m.Kind,
			m.QuestionID, TerminalSafe(outboxTarget(m)), m.Attempts, TerminalSafe(dialogue.OneLine(m.Error, 60)))
	}
	return tw.Flush()
}

func outboxTarget(m store.Message) string {
	switch {
	case m.Channel != "" && m.Ephemeral:
		return m.Channel + " (to " + m.User + " only)"
	case m.Channel != "":
		return m.Channel
	}
	return "DM " + m.User
}

// printMessages lists a question's outbox messages under it.
func printMessages(w io.Writer, msgs []store.Message) {
	if len(msgs) == 0 {
		return
	}
	fmt.Fprintln(w, "Messages:")
	for _, m := range msgs {
		line := fmt.Sprintf("  %s %s to %s: %s", m.ID, kindLabel(m.Kind), outboxTarget(m), m.Status)
		switch {
		case m.Status == store.OutboxSent && m.SentAt != nil:
			line += " " + m.SentAt.UTC().Format("2006-01-02 15:04")
		case m.Status == store.OutboxFailed:
			line += ": " + m.Error
		case m.Status == store.OutboxPending && m.Attempts > 0:
			line += fmt.Sprintf(" (%d failed attempts; last: %s)", m.Attempts, m.Error)
		case m.Status == store.OutboxPending:
			line += " (queued)"
		}
		fmt.Fprintln(w, TerminalSafe(line))
	}
}

func kindLabel(k string) string {
	return strings.ReplaceAll(k, "_", " ")
}
