package dialogue

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/hiec/hiecbot/bot/store"
	"github.com/hiec/hiecbot/knowledge"
)

// Records is what the NSG's command-line tools need from the question
// log. A running bot provides it over its admin socket (so answers reach
// the live index and the asker at once); with no bot running, Offline
// provides it from the store file.
type Records interface {
	List(f store.Filter) ([]store.Question, error)
	Get(id string) (store.Question, error)
	Answer(ctx context.Context, id, text, by string) (store.Question, error)
	// Cite answers with the passage citation names (as staff typed it).
	Cite(ctx context.Context, id, citation, by string) (store.Question, error)
	Publish(ctx context.Context, id string, w store.Wording, by string) (store.Question, error)
	// Export writes the questions and records the export, by by, in the
	// audit trail.
	Export(w io.Writer, format store.Format, f store.Filter, by string) (int, error)
	History(id string) ([]store.AuditEntry, error)
	VerifyAudit() (int, error)
	// ExportAudit streams the audit trail and records the export, by by,
	// in the trail.
	ExportAudit(w io.Writer, format store.Format, by string) (int, error)
	Sent(key string) (bool, error)
}

// Auditor is the audit trail as a whole; *store.Store is one.
type Auditor interface {
	VerifyAudit() (int, error)
	ExportAudit(w io.Writer, format store.Format) (int, error)
	RecordAuditExport(by string, format store.Format, entries int) error
}

// Records returns the Desk's view of the log: answers and publications
// made through it are indexed and delivered at once.
func (d *Desk) Records() Records { return deskRecords{d} }

type deskRecords struct{ d *Desk }

func (r deskRecords) List(f store.Filter) ([]store.Question, error) { return r.d.questions.List(f) }
func (r deskRecords) Get(id string) (store.Question, error)         { return r.d.questions.Get(id) }
func (r deskRecords) Answer(ctx context.Context, id, text, by string) (store.Question, error) {
	return r.d.AnswerQuestion(ctx, by, id, text)
}
func (r deskRecords) Cite(ctx context.Context, id, citation, by string) (store.Question, error) {
	return r.d.CiteQuestion(ctx, by, id, citation)
}
func (r deskRecords) Publish(ctx context.Context, id string, w store.Wording, by string) (store.Question, error) {
	return r.d.PublishQuestion(ctx, by, id, w)
}
func (r deskRecords) Export(w io.Writer, format store.Format, f store.Filter, by string) (int, error) {
	return r.d.Export(w, format, f, by)
}
func (r deskRecords) History(id string) ([]store.AuditEntry, error) { return r.d.questions.History(id) }
func (r deskRecords) VerifyAudit() (int, error) {
	a, ok := r.d.questions.(Auditor)
	if !ok {
		return 0, errors.New("this question log keeps no audit trail")
	}
	return a.VerifyAudit()
}
func (r deskRecords) ExportAudit(w io.Writer, format store.Format, by string) (int, error) {
	a, ok := r.d.questions.(Auditor)
	if !ok {
		return 0, errors.New("this question log keeps no audit trail")
	}
	return recordedExport(w, func(w io.Writer) (int, error) { return a.ExportAudit(w, format) },
		func(n int) error { return a.RecordAuditExport(by, format, n) })
}
func (r deskRecords) Sent(key string) (bool, error) {
	if r.d.ledger == nil {
		return false, nil
	}
	return r.d.ledger.Sent(key)
}

// Export writes the questions f selects and records the export, by by,
// in the audit trail.
func (d *Desk) Export(w io.Writer, format store.Format, f store.Filter, by string) (int, error) {
	return recordedExport(w, func(w io.Writer) (int, error) { return d.questions.Export(w, format, f) },
		func(n int) error { return d.questions.RecordExport(by, format, f, n) })
}

// recordedExport makes an export with write and records it with record
// before a byte of it reaches w: bidders' questions never leave without
// their export on the audit trail. When recording fails nothing is
// written, and the error says so. The export waits in a temporary file
// of this user's (mode 0600, removed after), not in memory: an export
// of every question may be large.
func recordedExport(w io.Writer, write func(io.Writer) (int, error), record func(rows int) error) (int, error) {
	tmp, err := os.CreateTemp("", ".hiecbot-export-*")
	if err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	bw := bufio.NewWriterSize(tmp, 64<<10)
	n, err := write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		return 0, err
	}
	if err := record(n); err != nil {
		return 0, fmt.Errorf("%w; nothing was exported", err)
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	if _, err := io.Copy(w, tmp); err != nil {
		return n, fmt.Errorf("write the export (recorded in the audit trail): %w", err)
	}
	return n, nil
}

// Offline is Records on the store file when no bot is running. Answers
// and publications are recorded; the bot delivers them when it next
// starts (see Desk.DeliverPending) and indexes the published ones and
// the citations then.
type Offline struct {
	Store *store.Store
	// Lookup resolves a citation for Cite; without it Cite fails.
	Lookup func(citation string) (knowledge.Answer, bool)
}

// List lists questions.
func (o Offline) List(f store.Filter) ([]store.Question, error) { return o.Store.List(f) }

// Get returns one question.
func (o Offline) Get(id string) (store.Question, error) { return o.Store.Get(id) }

// Answer records an NSG answer.
func (o Offline) Answer(_ context.Context, id, text, by string) (store.Question, error) {
	return o.Store.RecordAnswer(id, text, by)
}

// Cite records an answer that cites an existing passage.
func (o Offline) Cite(_ context.Context, id, citation, by string) (store.Question, error) {
	if o.Lookup == nil {
		return store.Question{}, errors.New("cite: no answer engine to look the passage up in")
	}
	ans, ok := o.Lookup(citation)
	if !ok {
		return store.Question{}, fmt.Errorf("cite %s: %w: %q matches no passage, or several; give a citation as the bot shows it, e.g. \"Guide, slide 17\"", strings.TrimSpace(id), ErrNoPassage, strings.TrimSpace(citation))
	}
	return o.Store.Cite(id, ans.Citation, ans.Text, by)
}

// Publish marks an answered question published in the wording w.
func (o Offline) Publish(_ context.Context, id string, w store.Wording, by string) (store.Question, error) {
	return o.Store.Publish(id, w, by)
}

// Export writes questions in a format and records the export.
func (o Offline) Export(w io.Writer, format store.Format, f store.Filter, by string) (int, error) {
	return recordedExport(w, func(w io.Writer) (int, error) { return o.Store.Export(w, format, f) },
		func(n int) error { return o.Store.RecordExport(by, format, f, n) })
}

// History returns a question's audit trail.
func (o Offline) History(id string) ([]store.AuditEntry, error) { return o.Store.History(id) }

// VerifyAudit checks the audit trail's chain.
func (o Offline) VerifyAudit() (int, error) { return o.Store.VerifyAudit() }

// ExportAudit streams the audit trail and records the export in it.
func (o Offline) ExportAudit(w io.Writer, format store.Format, by string) (int, error) {
	return recordedExport(w, func(w io.Writer) (int, error) { return o.Store.ExportAudit(w, format) },
		func(n int) error { return o.Store.RecordAuditExport(by, format, n) })
}

// Sent reports whether what key names (a reminder, a delivery) was sent.
func (o Offline) Sent(key string) (bool, error) { return o.Store.Ledger().Sent(key) }

// deliveredKey and announcedKey name ledger entries for NSG answers
// delivered to askers and clarifications posted to bidders.
func deliveredKey(q store.Question) string {
	at := int64(0)
	if q.AnsweredAt != nil {
		at = q.AnsweredAt.Unix()
	}
	return "delivered|" + q.ID + "|" + strconv.FormatInt(at, 10)
}

func announcedKey(id string) string { return "published|" + id }

// clarifiedKey names the ledger entry for a clarification sent by DM to
// one of the bidders who asked or followed a question.
func clarifiedKey(id, user string) string { return "clarified|" + id + "|" + user }

// DeliverPending sends what was decided while no bot was running: NSG
// answers not yet delivered to their askers, clarifications not yet
// posted and clarifications not yet sent to the bidders who asked or
// followed them. It needs a Ledger; without one it does nothing.
func (d *Desk) DeliverPending(ctx context.Context) error {
	if d.ledger == nil {
		return nil
	}
	qs, err := d.questions.List(store.Filter{Status: []store.Status{store.StatusNSGAnswered, store.StatusPublished}})
	if err != nil {
		return fmt.Errorf("list answered questions: %w", err)
	}
	for _, q := range qs {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if sent, err := d.ledger.Sent(deliveredKey(q)); err != nil {
			return err
		} else if !sent && q.Via != ViaConsole {
			d.deliver(ctx, q)
		}
		if q.Status == store.StatusPublished {
			c := q.Clarified()
			// Its askers hear it only once every bidder can: not before
			// the post to the bidders' channel, nor without it.
			if sent, err := d.ledger.Sent(announcedKey(q.ID)); err != nil {
				return err
			} else if sent || d.announce(ctx, q.ID, c) {
				d.clarify(ctx, q, c)
			}
		}
	}
	return nil
}

func (d *Desk) deliver(ctx context.Context, q store.Question) {
	if err := d.notifier.DeliverAnswer(ctx, q); err != nil {
		d.logger.Error("deliver NSG answer", "id", q.ID, "err", err)
		return
	}
	d.mark(deliveredKey(q))
}

func (d *Desk) announce(ctx context.Context, id string, c store.Clarification) bool {
	if err := d.notifier.Publish(ctx, c); err != nil {
		d.logger.Error("publish clarification", "id", id, "clarification", c.ID, "err", err)
		return false
	}
	d.mark(announcedKey(id))
	return true
}

// clarify sends the clarification by DM to everyone who asked question q
// or followed it, each once (a bidder who asked from the console has no
// DM to send to).
func (d *Desk) clarify(ctx context.Context, q store.Question, c store.Clarification) {
	for _, user := range q.Askers() {
		if user == q.UserID && q.Via == ViaConsole {
			continue
		}
		key := clarifiedKey(q.ID, user)
		if d.ledger != nil {
			if sent, err := d.ledger.Sent(key); err != nil || sent {
				if err != nil {
					d.logger.Error("read the delivery ledger", "key", key, "err", err)
				}
				continue
			}
		}
		if err := d.notifier.DeliverClarification(ctx, user, c); err != nil {
			d.logger.Error("send clarification", "id", q.ID, "clarification", c.ID, "user", user, "err", err)
			continue
		}
		d.mark(key)
	}
}

func (d *Desk) mark(key string) {
	if d.ledger == nil {
		return
	}
	if err := d.ledger.MarkSent(key, d.now()); err != nil {
		d.logger.Error("record delivery", "key", key, "err", err)
	}
}
