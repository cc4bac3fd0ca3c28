// Package bot holds hiecbot's terminal adapters and presentation: the
// console chat that drives the same dialogue.Desk as Slack, the output of
// `hiecbot ask`, and the NSG's command-line tools over the question log.
// The Slack adapter lives in bot/slackbot, the core in bot/dialogue and
// the question log in bot/store.
package bot

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/hiec/hiecbot/bot/dialogue"
	"github.com/hiec/hiecbot/bot/store"
)

// ConsoleUser is the user id of questions asked with `hiecbot chat`.
const ConsoleUser = "console"

// Console is the dialogue.Notifier of `hiecbot chat`: what Slack would
// post to other people it prints, marked as such.
type Console struct {
	mu  sync.Mutex
	out io.Writer
}

// NewConsole returns a Console printing to out.
func NewConsole(out io.Writer) *Console { return &Console{out: out} }

func (c *Console) printf(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	// Replies quote what bidders typed: nothing reaches the terminal raw.
	fmt.Fprint(c.out, TerminalSafe(fmt.Sprintf(format, args...)))
}

// NotifyNSG prints the notice the NSG channel would get.
func (c *Console) NotifyNSG(_ context.Context, q store.Question) error {
	c.printf("[to the NSG channel] %s awaits an answer: %q (asked by %s)\n", q.ID, q.Question, q.UserID)
	return nil
}

// DeliverAnswer prints the NSG answer the asker would get.
func (c *Console) DeliverAnswer(_ context.Context, q store.Question) error {
	c.printf("[to %s] The NSG answered %s (%q):\n%s\n", q.UserID, q.ID, q.Question, dialogue.Quote(q.NSGAnswer))
	return nil
}

// Publish prints the clarification the bidders' channel would get.
func (c *Console) Publish(_ context.Context, cl store.Clarification) error {
	c.printf("[to the bidders' channel] Clarification %s\nQ: %s\nA: %s\n", cl.ID, cl.Question, cl.Answer)
	return nil
}

// Chat runs the bot's question handling in the terminal: one question a
// line from in, answered, logged and passed on exactly as in Slack, as
// user "console". A line starting with / runs a /hiec command (the console
// user counts as NSG staff when the Desk says so). It returns at the end
// of input. Exports are written to files in dir.
func Chat(ctx context.Context, desk *dialogue.Desk, c *Console, in io.Reader, dir string) error {
	asker := dialogue.Asker{UserID: ConsoleUser, UserName: ConsoleUser, ChannelID: ConsoleUser, Via: dialogue.ViaConsole}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	c.printf("Ask about the HIEC guide, one question a line; /help for commands. End with Ctrl-D.\n")
	for sc.Scan() {
		if err := ctx.Err(); err != nil {
			return err
		}
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var (
			r   dialogue.Reply
			err error
		)
		if cmd, ok := strings.CutPrefix(line, "/"); ok {
			cmd = strings.TrimPrefix(cmd, "hiec ")
			r, err = desk.Command(ctx, asker, cmd)
		} else {
			r, err = desk.Ask(ctx, asker, line)
		}
		if errors.Is(err, dialogue.ErrEmpty) {
			c.printf("%v\n", err)
			continue
		}
		if err != nil {
			return err
		}
		if r.File != nil {
			path := r.File.Name
			if dir != "" {
				path = dir + string(os.PathSeparator) + r.File.Name
			}
			data := r.File.Data
			if err := store.WriteFile(path, 0o600, func(w io.Writer) error { _, err := w.Write(data); return err }); err != nil {
				return fmt.Errorf("export: %w", err)
			}
			c.printf("%s Written to %s.\n", r.Text, path)
			continue
		}
		c.printf("%s\n", r.Text)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read questions: %w", err)
	}
	desk.Wait()
	return nil
}
