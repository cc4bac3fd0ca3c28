package dialogue

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/hiec/hiecbot/bot/store"
)

// Records is what the NSG's command-line tools need from the question
// log. A running bot provides it over its admin socket (so answers reach
// the live index and the asker at once); with no bot running, Offline
// provides it from the store file.
type Records interface {
	List(f store.Filter) ([]store.Question, error)
	Get(id string) (store.Question, error)
	Answer(ctx context.Context, id, text, by string) (store.Question, error)
	Publish(ctx context.Context, id string) (store.Question, error)
	Export(w io.Writer, format store.Format, f store.Filter) (int, error)
	ReminderSent(key string) (bool, error)
}

// Ledger remembers what has been sent, so a restart neither repeats nor
// forgets a message; *store.Store is one.
type Ledger interface {
	ReminderSent(key string) (bool, error)
	MarkReminderSent(key string, at time.Time) error
}

// Records returns the Desk's view of the log: answers and publications
// made through it are indexed and delivered at once.
func (d *Desk) Records() Records { return deskRecords{d} }

type deskRecords struct{ d *Desk }

func (r deskRecords) List(f store.Filter) ([]store.Question, error) { return r.d.log.List(f) }
func (r deskRecords) Get(id string) (store.Question, error)         { return r.d.log.Get(id) }
func (r deskRecords) Answer(ctx context.Context, id, text, by string) (store.Question, error) {
	return r.d.AnswerQuestion(ctx, by, id, text)
}
func (r deskRecords) Publish(ctx context.Context, id string) (store.Question, error) {
	return r.d.PublishQuestion(ctx, id)
}
func (r deskRecords) Export(w io.Writer, format store.Format, f store.Filter) (int, error) {
	return r.d.log.Export(w, format, f)
}
func (r deskRecords) ReminderSent(key string) (bool, error) {
	if r.d.ledger == nil {
		return false, nil
	}
	return r.d.ledger.ReminderSent(key)
}

// Offline is Records on the store file when no bot is running. Answers
// and publications are recorded; the bot delivers them when it next
// starts (see Desk.DeliverPending) and indexes every NSG answer then.
type Offline struct{ Store *store.Store }

// List lists questions.
func (o Offline) List(f store.Filter) ([]store.Question, error) { return o.Store.List(f) }

// Get returns one question.
func (o Offline) Get(id string) (store.Question, error) { return o.Store.Get(id) }

// Answer records an NSG answer.
func (o Offline) Answer(_ context.Context, id, text, by string) (store.Question, error) {
	return o.Store.Answer(id, text, by)
}

// Publish marks an answered question published.
func (o Offline) Publish(_ context.Context, id string) (store.Question, error) {
	return o.Store.Publish(id)
}

// Export writes questions in a format.
func (o Offline) Export(w io.Writer, format store.Format, f store.Filter) (int, error) {
	return o.Store.Export(w, format, f)
}

// ReminderSent reports whether a reminder was sent.
func (o Offline) ReminderSent(key string) (bool, error) { return o.Store.ReminderSent(key) }

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

// DeliverPending sends what was decided while no bot was running: NSG
// answers not yet delivered to their askers and clarifications not yet
// posted. It needs a Ledger; without one it does nothing.
func (d *Desk) DeliverPending(ctx context.Context) error {
	if d.ledger == nil {
		return nil
	}
	qs, err := d.log.List(store.Filter{Status: []store.Status{store.StatusNSGAnswered, store.StatusPublished}})
	if err != nil {
		return fmt.Errorf("list answered questions: %w", err)
	}
	for _, q := range qs {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if sent, err := d.ledger.ReminderSent(deliveredKey(q)); err != nil {
			return err
		} else if !sent && q.Via != ViaConsole {
			d.deliver(ctx, q)
		}
		if q.Status == store.StatusPublished {
			if sent, err := d.ledger.ReminderSent(announcedKey(q.ID)); err != nil {
				return err
			} else if !sent {
				d.announce(ctx, q.Clarification())
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

func (d *Desk) announce(ctx context.Context, c store.Clarification) {
	if err := d.notifier.Publish(ctx, c); err != nil {
		d.logger.Error("publish clarification", "id", c.ID, "err", err)
		return
	}
	d.mark(announcedKey(c.ID))
}

func (d *Desk) mark(key string) {
	if d.ledger == nil {
		return
	}
	if err := d.ledger.MarkReminderSent(key, d.now()); err != nil {
		d.logger.Error("record delivery", "key", key, "err", err)
	}
}
