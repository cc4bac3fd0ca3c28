// Package bot holds hiecbot's terminal adapters and presentation: the
// console chat that drives the same dialogue.Desk as Slack, the output of
// `hiecbot ask`, and the NSG's command-line tools over the question log.
// The Slack adapter lives in bot/slackbot, the core in bot/dialogue and
// the question log in bot/store.
//
// It sits above every other package but main, and nothing but main may
// import it.
package bot

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"

	"github.com/hiec/hiecbot/bot/dialogue"
	"github.com/hiec/hiecbot/bot/store"
	"github.com/hiec/hiecbot/knowledge"
	"golang.org/x/term"
)

// ConsoleUser is the user id of questions asked with `hiecbot chat`.
const ConsoleUser = "console"

// Console is the dialogue.Notifier of `hiecbot chat`: what Slack would
// post to other people it prints, marked as such. Slack mrkdwn is
// rendered for the terminal: bold when styled, plain otherwise.
type Console struct {
	mu     sync.Mutex
	out    io.Writer
	styled bool
	// width, when set, is the terminal's width now: lines are wrapped at
	// spaces to fit it.
	width func() int
}

// NewConsole returns a Console printing plain text to out.
func NewConsole(out io.Writer) *Console { return &Console{out: out} }

// newStyledConsole returns a Console that prints bold and italic to a
// terminal.
func newStyledConsole(out io.Writer) *Console { return &Console{out: out, styled: true} }

// say prints mrkdwn text, rendered, on its own line.
func (c *Console) say(text string) { c.sayAfter("", text) }

// sayAfter prints prefix (terminal styling allowed) and then text, made
// safe and rendered: replies quote what bidders typed, so nothing of it
// reaches the terminal raw, and the styling is added after.
func (c *Console) sayAfter(prefix, text string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := prefix + renderMrkdwn(TerminalSafe(strings.TrimRight(text, "\n")), c.styled)
	if c.width != nil {
		out = wrapWidth(out, c.width())
	}
	fmt.Fprintln(c.out, out)
}

func (c *Console) printf(format string, args ...any) {
	c.say(fmt.Sprintf(format, args...))
}

// aside prints what would go to someone else, marked with who gets it.
func (c *Console) aside(to, text string) {
	if c.styled {
		to = ansiFaint + to + ansiReset
	}
	c.sayAfter(to+" ", text)
}

// NotifyNSG prints the notice the NSG channel would get.
func (c *Console) NotifyNSG(_ context.Context, q store.Question) error {
	if q.Follows != "" {
		c.aside("[to the NSG channel]", fmt.Sprintf("%s asks what %s asks, and follows it: %q (asked by %s)", q.ID, q.Follows, q.Question, q.UserID))
		return nil
	}
	c.aside("[to the NSG channel]", fmt.Sprintf("%s awaits an answer: %q (asked by %s)", q.ID, q.Question, q.UserID))
	return nil
}

// DeliverAnswer prints the NSG answer the asker would get.
func (c *Console) DeliverAnswer(_ context.Context, q store.Question) error {
	c.aside("[to "+q.UserID+"]", fmt.Sprintf("The NSG answered %s (%q):\n%s", q.ID, q.Question, dialogue.Quote(q.NSGAnswer)))
	return nil
}

// DeliverClarification prints the clarification an asker or follower
// would get by DM.
func (c *Console) DeliverClarification(_ context.Context, user string, cl store.Clarification) error {
	c.aside("[to "+user+"]", fmt.Sprintf("Clarification %s, published for every bidder:\nQ: %s\nA: %s", cl.ID, cl.Question, cl.Answer))
	return nil
}

// Publish prints the clarification the bidders' channel would get.
func (c *Console) Publish(_ context.Context, cl store.Clarification) error {
	c.aside("[to the bidders' channel]", fmt.Sprintf("Clarification %s\nQ: %s\nA: %s", cl.ID, cl.Question, cl.Answer))
	return nil
}

// Chat runs the bot's question handling on a script: one question a line
// from in, answered, logged and passed on exactly as in Slack, as user
// "console". A line starting with / runs a /hiec command (the console
// user counts as NSG staff when the Desk says so). It returns nil at the
// end of input or when ctx is cancelled (Ctrl-C). Exports are written to
// files in dir.
func Chat(ctx context.Context, desk *dialogue.Desk, c *Console, in io.Reader, dir string) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	next := func() (string, error) {
		if sc.Scan() {
			return sc.Text(), nil
		}
		if err := sc.Err(); err != nil {
			return "", fmt.Errorf("read questions: %w", err)
		}
		return "", io.EOF
	}
	c.printf("Ask about the HIEC guide, one question a line; /help for commands. End with Ctrl-D.")
	return converse(ctx, desk, c, next, dir)
}

// newPromptTerminal wraps rw, a terminal in raw mode, with a prompt, line
// editing and history (golang.org/x/term).
func newPromptTerminal(rw io.ReadWriter) *term.Terminal {
	return term.NewTerminal(rw, ansiBold+"you>"+ansiReset+" ")
}

// chatTerminal runs Chat for a person at a terminal: t gives the prompt,
// line editing and history, c prints styled text through t. Ctrl-C, and
// Ctrl-D on an empty line, end it cleanly.
func chatTerminal(ctx context.Context, desk *dialogue.Desk, t *term.Terminal, c *Console, dir string) error {
	c.printf("Ask about the HIEC guide, one question a line; /help for commands; ↑ ↓ for history. End with Ctrl-D or Ctrl-C.")
	return converse(ctx, desk, c, t.ReadLine, dir)
}

// converse answers the lines next returns until it returns io.EOF or ctx
// is cancelled; both end the conversation cleanly.
func converse(ctx context.Context, desk *dialogue.Desk, c *Console, next func() (string, error), dir string) error {
	asker := dialogue.Asker{UserID: ConsoleUser, UserName: ConsoleUser, ChannelID: ConsoleUser, Via: dialogue.ViaConsole}
	type read struct {
		line string
		err  error
	}
	lines := make(chan read, 1) // a read finishing after we stop must not block
	want := make(chan struct{})
	go func() {
		for range want {
			l, err := next()
			lines <- read{l, err}
			if err != nil {
				return
			}
		}
	}()
	defer close(want)
	defer desk.Wait()
	for {
		select {
		case want <- struct{}{}:
		case <-ctx.Done():
			return nil
		}
		var in read
		select {
		case in = <-lines:
		case <-ctx.Done():
			return nil
		}
		if errors.Is(in.err, io.EOF) {
			return nil
		}
		if in.err != nil {
			return in.err
		}
		line := strings.TrimSpace(in.line)
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
		if ctx.Err() != nil {
			return nil
		}
		if errors.Is(err, knowledge.ErrEmptyQuestion) {
			c.printf("%v", err)
			continue
		}
		if err != nil {
			return err
		}
		if r.File != nil {
			path := r.File.Name
			if dir != "" {
				path = filepath.Join(dir, r.File.Name)
			}
			data := r.File.Data
			if err := store.WriteFile(path, 0o600, func(w io.Writer) error { _, err := w.Write(data); return err }); err != nil {
				return fmt.Errorf("export: %w", err)
			}
			c.printf("%s Written to %s.", r.Text, path)
			continue
		}
		c.say(r.Text)
	}
}
