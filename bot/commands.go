package bot

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hiec/hiecbot/bot/dialogue"
	"github.com/hiec/hiecbot/bot/store"
	"github.com/hiec/hiecbot/config"
	"github.com/hiec/hiecbot/config/when"
	"github.com/hiec/hiecbot/knowledge"
	"github.com/hiec/hiecbot/reminders"
	"golang.org/x/term"
)

// commands is every command, in the order `hiecbot help` lists them.
var commands []command

func init() {
	commands = []command{
		{
			name: "ask", synopsis: "[--json] [--explain] [QUESTION ...]",
			summary: "answer one question from the guide and the configured sources",
			detail: `The words after ask are one question; quotes are not needed. With no words,
ask reads one question a line from standard input, skipping blank lines.
Exit status 3 when the sources do not cover a question (Slack would pass it to the NSG).
--explain shows how the answer was found: the question's parts with their weights and
synonyms, the best passages with their features, and why the answer is or is not confident.`,
			example: "hiecbot ask When are detailed bids due?\nhiecbot ask --explain Who picks the winners?\nhiecbot ask --json < questions.txt",
			flags: func(fs *flag.FlagSet, c *call) {
				jsonFlag("print one JSON object a line per question")(fs, c)
				fs.BoolVar(&c.explain, "explain", false, "show why the answer won and why it is or is not confident")
			},
			text: true,
			run:  runAsk,
		},
		{
			name: "passages", synopsis: "[--json]",
			summary: "list every passage of the guide and the configured sources, by citation",
			detail: `One line a passage, in the order they are indexed: its citation (what a knowledge.questions
file's cite names), its length in words and how many questions it is known to answer (FAQ
questions, a questions file's, the guide's own, staff citations). Published clarifications
are listed too.`,
			example: "hiecbot passages\nhiecbot passages --json | jq -r '.[] | select(.questions == 0) | .citation'",
			flags:   jsonFlag("print a JSON array of passages"),
			run:     runPassages,
		},
		{
			name: "chat", summary: "ask, log and pass on questions in the terminal, as in Slack",
			detail: `Each line is a question, answered, logged as user "console" and passed to the NSG when
the guide does not cover it; lines starting with / are the /hiec commands (/help lists them).
Ctrl-D or Ctrl-C ends it. It also reads a script from standard input.`,
			example: "hiecbot chat\nprintf 'hello\\nWhen are bids due?\\n' | hiecbot chat",
			run:     runChat,
		},
		{
			name: "serve", summary: "run the bot in Slack, with the deadline reminders",
			detail: `Needs SLACK_BOT_TOKEN and either SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET
(HTTP) in the environment; see "Running it in Slack" in README.md. Ctrl-C stops it cleanly.`,
			example: "hiecbot serve --config hiecbot.yaml   # with SLACK_BOT_TOKEN and SLACK_APP_TOKEN exported",
			run:     runServe,
		},
		{
			name: "questions list", synopsis: "[--status S] [--since DATE] [--until DATE] [--json]",
			summary: "list the logged questions, oldest first",
			example: "hiecbot questions list --status awaiting --since 2009-06-01",
			flags: func(fs *flag.FlagSet, c *call) {
				filterFlags(fs, c)
				jsonFlag("print a JSON array of question objects")(fs, c)
			},
			run: runList,
		},
		{
			name: "questions show", synopsis: "ID [--json]",
			summary: "show one question in full: the bot's references and any NSG answer",
			example: "hiecbot questions show Q-0042",
			flags:   jsonFlag("print the question as JSON"),
			fixed:   1,
			run:     runShow,
		},
		{
			name: "questions answer", synopsis: `ID TEXT ... [--by NAME] | ID --cite "CITATION" [--by NAME]`,
			summary: "record the NSG's answer; the asker gets it by DM, privately until it is published",
			detail: `The words after the id are the answer; quotes are not needed, and it may start with -.
Words that look like flags belong to the answer after "--". A re-answer replaces the answer
the asker sees and keeps the earlier one in the audit trail (questions history).
With --cite, the answer is an existing passage ("Guide, slide 17"; a unique beginning of its
citation is enough): the asker gets that passage, cited, and the question is indexed as
another way of asking it, so the next bidder who asks it that way is answered from it.`,
			example: "hiecbot questions answer Q-0042 The guide allows any of the four forms on slide 15. --by \"J Smith\"\nhiecbot questions answer Q-0043 --cite \"Guide, slide 17\"",
			flags: func(fs *flag.FlagSet, c *call) {
				fs.StringVar(&c.by, "by", "", "`NAME` of who answers, as the audit trail records it (default: your user name on this computer, else NSG)")
				fs.StringVar(&c.cite, "cite", "", "answer with the passage this `CITATION` names, instead of TEXT")
			},
			fixed:  1,
			text:   true,
			noText: func(c *call) bool { return c.cite != "" },
			run:    runAnswer,
		},
		{
			name: "questions publish", synopsis: "ID [--question TEXT] [--answer TEXT] [--yes] [--by NAME]",
			summary: "publish an NSG answer as a numbered clarification for every bidder, in the NSG's wording",
			detail: `Publication is a redaction step: --question and --answer give the wording bidders will
read (take out names and details that identify the asker); either left out is published as
asked or answered. Given --question it publishes at once. Without it, it shows exactly what
would be posted and asks for confirmation; --yes skips that, for scripts. Clarifications are
numbered C-001, C-002, ... in publication order, and go to the bidders' channel, into the
knowledge index, and by DM to every bidder who asked the question or followed it.`,
			example: "hiecbot questions publish Q-0042 --question \"May a hospice join a cluster?\"\nhiecbot questions publish Q-0042 --yes",
			flags: func(fs *flag.FlagSet, c *call) {
				fs.StringVar(&c.question, "question", "", "publish the question as `TEXT`")
				fs.StringVar(&c.answer, "answer", "", "publish the answer as `TEXT`")
				fs.BoolVar(&c.yes, "yes", false, "publish without asking for confirmation")
				fs.StringVar(&c.by, "by", "", "`NAME` of who publishes, as the audit trail records it (default: your user name on this computer, else NSG)")
			},
			fixed: 1,
			run:   runPublish,
		},
		{
			name: "questions history", synopsis: "ID [--json]",
			summary: "every NSG action on a question, oldest first: answers (earlier ones kept), citations, publication, followers",
			example: "hiecbot questions history Q-0042",
			flags:   jsonFlag("print a JSON array of audit entries"),
			fixed:   1,
			run:     runHistory,
		},
		{
			name: "questions export", synopsis: "--format csv|json|xlsx [--status S] [--since DATE] [--until DATE] [--out FILE]",
			summary: "export the questions for a spreadsheet or another program",
			detail:  `An xlsx export needs --out. A file is written whole or not at all.`,
			example: "hiecbot questions export --format xlsx --out questions.xlsx --since 2009-06-01",
			flags: func(fs *flag.FlagSet, c *call) {
				fs.StringVar(&c.format, "format", "", "export `FORMAT`: csv, json or xlsx")
				filterFlags(fs, c)
				fs.StringVar(&c.out, "out", "", "write to `FILE` (default: standard output)")
			},
			run: runExport,
		},
		{
			name: "audit verify", summary: "check the audit trail and the records it vouches for; exit 1 naming the first mismatch",
			detail: `Every NSG action is recorded with who, when and what changed, and each entry carries the
SHA-256 of the one before it, so an entry changed, removed or inserted after it was written
breaks the chain at that entry. Entries cut from the end are found from the head file beside
the store (<store>.audit-head), and each question's NSG answer, publication and followers, and
the clarification numbers, are compared with what the trail says.`,
			example: "hiecbot audit verify",
			run:     runAuditVerify,
		},
		{
			name: "audit export", synopsis: "--format csv|json [--out FILE]",
			summary: "stream the audit trail, oldest first",
			example: "hiecbot audit export --format csv --out audit.csv",
			flags: func(fs *flag.FlagSet, c *call) {
				fs.StringVar(&c.format, "format", "", "export `FORMAT`: csv or json")
				fs.StringVar(&c.out, "out", "", "write to `FILE` (default: standard output)")
			},
			run: runAuditExport,
		},
		{
			name: "reminders", synopsis: "[--at TIME] [--json]",
			summary: "the reminder schedule as of now or TIME, and what was sent",
			example: "hiecbot reminders --at 2009-10-01",
			flags: func(fs *flag.FlagSet, c *call) {
				fs.StringVar(&c.at, "at", "", "list as of `TIME` (YYYY-MM-DD or YYYY-MM-DD HH:MM in reminders.timezone, or RFC 3339; default now)")
				jsonFlag("print a JSON array")(fs, c)
			},
			run: runReminders,
		},
		{
			name: "config check", summary: "validate the configuration and print it with secrets masked",
			detail:  `Every mistake in the file is reported at once, each with its file, line and key.`,
			example: "hiecbot config check --config hiecbot.yaml",
			run:     runConfigCheck,
		},
		{
			name: "backup", synopsis: "FILE",
			summary: "write a consistent, checked copy of the question log to FILE",
			detail: `While hiecbot serve runs, the copy is taken hot through its admin socket; otherwise
straight from the file. It is checked before it replaces FILE. See "Backing up and
restoring the question log" in README.md.`,
			example: "hiecbot backup /srv/backups/hiecbot-2009-10-05.db",
			fixed:   1,
			run:     runBackup,
		},
		{
			name: "outbox", synopsis: "[--failed] [--json]",
			summary: "list the messages the bot owes or sent: queued, sent or failed for good",
			detail: `Every answer, notice, delivery, clarification, reminder and export upload is queued in the
question log with the change that made it and sent by the running bot. --failed lists those
Slack refused for good (channel_not_found, not_in_channel, is_archived, invalid_auth…).`,
			example: "hiecbot outbox --failed",
			flags: func(fs *flag.FlagSet, c *call) {
				fs.BoolVar(&c.failed, "failed", false, "only the messages that failed for good")
				jsonFlag("print a JSON array of messages")(fs, c)
			},
			run: runOutbox,
		},
		{
			name: "store check", summary: "run the consistency check on the question log",
			detail:  `Exit status 1 with the problems found when the file is damaged; restore it from a backup.`,
			example: "hiecbot store check",
			run:     runStoreCheck,
		},
		{
			name: "help", synopsis: "[COMMAND]",
			summary: "show what a command does, its flags and an example",
			example: "hiecbot help questions export",
			text:    true,
			run:     runHelp,
		},
		{
			name: "version", summary: "print the module version and the VCS revision it was built from",
			example: "hiecbot version",
			run:     runVersion,
		},
	}
}

// load reads the configuration.
func (cl *call) load() (*config.Config, error) {
	cfg, err := config.Load(config.Find(cl.configPath), cl.Getenv)
	if err != nil {
		return nil, UsageError{err}
	}
	cl.cfg = cfg
	return cfg, nil
}

func runAsk(cl *call, pos []string) error {
	for _, q := range pos {
		if strings.TrimSpace(q) == "" {
			return UsageError{knowledge.ErrEmptyQuestion}
		}
	}
	e, done, err := cl.engine()
	if err != nil {
		return err
	}
	defer done()
	if cl.explain {
		return Ask(explainer{e}, pos, cl.Stdin, cl.Stdout, cl.json)
	}
	return Ask(e, pos, cl.Stdin, cl.Stdout, cl.json)
}

// engine builds the knowledge engine of the config, with the published
// clarifications of the question log when there is one (it is not
// created); done closes both.
func (cl *call) engine() (e *knowledge.Engine, done func(), err error) {
	cfg, err := cl.load()
	if err != nil {
		return nil, nil, err
	}
	var records dialogue.Records
	closeRecords := func() error { return nil }
	if _, statErr := os.Stat(cfg.Storage.Path); statErr == nil {
		r, c, err := OpenRecords(cfg.Storage.Path, false, cfg.Reminders.Location())
		if err != nil {
			return nil, nil, err
		}
		records, closeRecords = r, c
	}
	if e, err = Engine(cfg, records); err != nil {
		_ = closeRecords()
		return nil, nil, err
	}
	return e, func() { e.Close(); _ = closeRecords() }, nil
}

func runPassages(cl *call, _ []string) error {
	e, done, err := cl.engine()
	if err != nil {
		return err
	}
	defer done()
	ps := e.List()
	if cl.json {
		return writeIndented(cl.Stdout, ps)
	}
	tw := tabwriter.NewWriter(cl.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "WORDS\tQUESTIONS\tCITATION")
	for _, p := range ps {
		fmt.Fprintf(tw, "%d\t%d\t%s\n", p.Words, p.Phrasings, TerminalSafe(p.Citation))
	}
	return tw.Flush()
}

func runChat(cl *call, _ []string) error {
	cfg, err := cl.load()
	if err != nil {
		return err
	}
	// Open the log once to create it and load the published answers;
	// after that chat opens it only while it reads or writes, so the
	// questions commands work beside it.
	st, err := store.Open(cfg.Storage.Path, store.Options{Timeout: time.Second})
	if errors.Is(err, store.ErrLocked) {
		return fmt.Errorf("%w: chat logs questions, so it cannot run beside `hiecbot serve` on the same file; point storage.path at another file to try chat beside a running bot", err)
	}
	if err != nil {
		return err
	}
	e, err := Engine(cfg, dialogue.Offline{Store: st})
	st.Close()
	if err != nil {
		return err
	}
	defer e.Close()
	log := newFileLog(cfg.Storage.Path, cfg.Reminders.Location())
	opts := dialogue.Options{
		Staff:    func(id string) bool { return id == ConsoleUser || cfg.NSG.IsStaff(id) },
		Logger:   slog.New(slog.DiscardHandler),
		Timeline: reminders.TimelineOf(cfg.Reminders),
		Location: cfg.Reminders.Location(),
		Ledger:   log,
		Closes:   cfg.Dialogue.ClosesAt(),
	}
	if fd, ok := cl.terminal(); ok {
		restore, err := makeRaw(fd)
		if err != nil {
			return err
		}
		defer restore()
		t := newPromptTerminal(struct {
			io.Reader
			io.Writer
		}{cl.Stdin, cl.Stdout})
		console := newStyledConsole(t) // the terminal redraws the prompt around what the Desk prints
		console.width = func() int {
			if w, _, err := term.GetSize(fd); err == nil {
				return w - 1
			}
			return 0
		}
		opts.Notifier = console
		err = chatTerminal(cl.ctx, dialogue.New(e, log, opts), t, console, "")
		fmt.Fprint(cl.Stdout, "\r\n") // past the last prompt, which stays on screen
		return err
	}
	console := NewConsole(cl.Stdout)
	opts.Notifier = console
	return Chat(cl.ctx, dialogue.New(e, log, opts), console, cl.Stdin, "")
}

func runServe(cl *call, _ []string) error {
	cfg, err := cl.load()
	if err != nil {
		return err
	}
	if missing := cfg.Slack.Missing(); len(missing) > 0 {
		return usagef("serve needs Slack credentials; missing: %s. See \"Running it in Slack\" in README.md", strings.Join(missing, "; "))
	}
	if cl.Serve == nil {
		return errors.New("serve is not wired into this program")
	}
	return cl.Serve(cl.ctx, cfg, Logger(cfg, cl.Stderr))
}

// records is what a questions command works on: the config, the filter
// its flags give (empty for a command without them), and the question
// log, from the running bot or the file.
type records struct {
	cfg *config.Config
	f   store.Filter
	dialogue.Records
}

// withRecords is the plumbing the questions commands share: it loads the
// config, reads the filter flags, opens the question log (for writing
// when write: a change, or an export the trail records) and runs fn on
// them, closing the log after. A mistake in the config or the flags
// stops it before the log is opened.
func (cl *call) withRecords(write bool, fn func(r records) error) error {
	cfg, err := cl.load()
	if err != nil {
		return err
	}
	f, err := cl.filter(cfg)
	if err != nil {
		return err
	}
	r, closeRecords, err := OpenRecords(cfg.Storage.Path, write, cfg.Reminders.Location())
	if err != nil {
		return err
	}
	defer closeRecords()
	return fn(records{cfg, f, r})
}

// actor is who the NSG action is recorded as: --by, or the user name on
// this computer.
// actor is who the audit trail names for a command-line action: --by
// when given, with the user on this computer who typed it when that is
// someone else, for --by is only what they wrote ("U045EF6GH (entered by
// jsmith on the command line)"); else that user.
func (cl *call) actor() string {
	me := cl.username()
	who := strings.TrimSpace(cl.by)
	switch {
	case who == "":
		return me
	case who == me || me == "NSG":
		return who
	}
	return who + " (entered by " + me + " on the command line)"
}

// writeOut writes an export to standard output or, with --out, to that
// file (atomically, mode 0600), then says on standard error how many
// of what it wrote there.
func (cl *call) writeOut(one, many string, export func(w io.Writer) (int, error)) error {
	if cl.out == "" {
		_, err := export(cl.Stdout)
		return err
	}
	if cl.cfg != nil {
		if err := store.NotStoreFile(cl.cfg.Storage.Path, cl.out); err != nil {
			return usagef("--out %v", err)
		}
	}
	var n int
	err := store.WriteFile(cl.out, 0o600, func(w io.Writer) error {
		var err error
		n, err = export(w)
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(cl.Stderr, "Exported %d %s to %s\n", n, pluralWord(n, one, many), cl.out)
	return nil
}

// filter reads --status, --since and --until with store's one reader.
func (cl *call) filter(cfg *config.Config) (store.Filter, error) {
	f, err := store.ParseFilter(cl.status, cl.since, cl.until, cfg.Reminders.Location())
	var fe *store.FilterError
	if errors.As(err, &fe) {
		return f, usagef("--%s: %v", fe.Field, fe.Err)
	}
	return f, err
}

func runList(cl *call, _ []string) error {
	return cl.withRecords(false, func(r records) error {
		qs, err := r.List(r.f)
		if err != nil {
			return err
		}
		return PrintQuestions(cl.Stdout, qs, cl.json)
	})
}

func runShow(cl *call, pos []string) error {
	return cl.withRecords(false, func(r records) error { return show(cl, r.Records, pos[0]) })
}

func show(cl *call, r dialogue.Records, id string) error {
	q, err := r.Get(id)
	if err != nil {
		return recordError(err)
	}
	if cl.json {
		return PrintQuestions(cl.Stdout, []store.Question{q}, true)
	}
	PrintQuestion(cl.Stdout, q)
	// What the bot owes, or owed, about it: queued, sent or failed.
	if ob, ok := outboxOf(r); ok {
		msgs, err := ob.Outbox(store.OutboxFilter{QuestionID: q.ID})
		if err != nil {
			return err
		}
		printMessages(cl.Stdout, msgs)
	}
	return nil
}

func runAnswer(cl *call, pos []string) error {
	cite, text := strings.TrimSpace(cl.cite), ""
	if cite == "" {
		text = pos[1] // with --cite there is no answer text
		if strings.TrimSpace(text) == "" {
			return UsageError{fmt.Errorf("questions answer %s: %w", pos[0], store.ErrEmpty)}
		}
	}
	return cl.withRecords(true, func(r records) error { return answer(cl, r.cfg, r.Records, pos[0], text, cite) })
}

// answer records an NSG answer to question id: text, or the passage
// cite names.
func answer(cl *call, cfg *config.Config, r dialogue.Records, id, text, cite string) error {
	who := cl.actor()
	var (
		q   store.Question
		err error
	)
	if cite != "" {
		if off, ok := r.(dialogue.Offline); ok {
			// No bot running: look the passage up in an index of our own;
			// the bot indexes the phrasing when it next starts.
			e, err := Engine(cfg, nil)
			if err != nil {
				return err
			}
			defer e.Close()
			off.Lookup = e.Lookup
			r = off
		}
		q, err = r.Cite(cl.ctx, id, cite, who)
	} else {
		q, err = r.Answer(cl.ctx, id, text, who)
	}
	if err != nil {
		return recordError(err)
	}
	if q.Cited != "" {
		fmt.Fprintf(cl.Stdout, "Answered %s (%s) as %s with %s. That passage is queued for the asker (sent by the running bot, or when it next starts; hiecbot outbox shows it), and the next bidder who asks this way is answered from it.\n", q.ID, q.Status, TerminalSafe(who), TerminalSafe(q.Cited))
		printFollowersWaiting(cl.Stdout, q)
		return nil
	}
	fmt.Fprintf(cl.Stdout, "Answered %s (%s) as %s. It is queued for the asker, by DM, privately (sent by the running bot, or when it next starts; hiecbot outbox shows it); publish it for every bidder with: hiecbot questions publish %s\n", q.ID, q.Status, who, q.ID)
	printFollowersWaiting(cl.Stdout, q)
	return nil
}

// printFollowersWaiting says, on a line of its own, who else waits for
// the question's publication (see dialogue.FollowersWaiting).
func printFollowersWaiting(w io.Writer, q store.Question) {
	if s := dialogue.FollowersWaiting(q); s != "" {
		fmt.Fprintln(w, strings.TrimSpace(s))
	}
}

func runPublish(cl *call, pos []string) error {
	w := store.Wording{Question: strings.TrimSpace(cl.question), Answer: strings.TrimSpace(cl.answer)}
	for flag, v := range map[string]string{"--question": cl.question, "--answer": cl.answer} {
		if v != "" && strings.TrimSpace(v) == "" {
			return usagef("%s is blank: give the wording bidders will read, or leave the flag out", flag)
		}
	}
	cfg, err := cl.load()
	if err != nil {
		return err
	}
	if strings.TrimSpace(cfg.Reminders.Channel) == "" {
		return fmt.Errorf("publish %s: %w: %s", strings.TrimSpace(pos[0]), dialogue.ErrNoBidderChannel, dialogue.NoBidderChannelAdvice)
	}
	return cl.withRecords(true, func(r records) error { return publish(cl, r.Records, pos[0], w) })
}

func publish(cl *call, r dialogue.Records, id string, w store.Wording) error {
	who := cl.actor()
	if w.Question == "" && !cl.yes {
		// Show exactly what would be posted, and ask.
		q, err := r.Get(id)
		if err != nil {
			return recordError(err)
		}
		if q.Status != store.StatusNSGAnswered {
			_, err := r.Publish(cl.ctx, id, w, who) // refused with the reason, changing nothing
			if err == nil {
				return fmt.Errorf("publish %s: published without confirmation", q.ID)
			}
			return recordError(err)
		}
		draft := q
		draft.PublishedQuestion, draft.PublishedAnswer = w.Question, w.Answer
		fmt.Fprintf(cl.Stdout, "Publishing %s posts this to the bidders' channel (the number is given when it is published):\n\n%s\n\n",
			q.ID, TerminalSafe(plainText(dialogue.DraftText(draft.Clarified()))))
		fmt.Fprintf(cl.Stdout, "It names no one, but the question is worded as the bidder wrote it: reword it with --question TEXT.\nPublish it? [y/N] ")
		line, _ := bufio.NewReader(cl.Stdin).ReadString('\n')
		if a := strings.ToLower(strings.TrimSpace(line)); a != "y" && a != "yes" {
			fmt.Fprintln(cl.Stdout)
			return usagef("not published: answer y to publish, pass --yes, or give the wording with --question")
		}
	}
	q, err := r.Publish(cl.ctx, id, w, who)
	if err != nil {
		return recordError(err)
	}
	c := q.Clarified()
	fmt.Fprintf(cl.Stdout, "Published %s as clarification %s, queued for the bidders' channel and by DM for the %d %s who asked it. It does not name the asker:\nQ: %s\nA: %s\n",
		q.ID, c.ID, q.AskedBy(), pluralWord(q.AskedBy(), "bidder", "bidders"), TerminalSafe(c.Question), TerminalSafe(c.Answer))
	return nil
}

func runHistory(cl *call, pos []string) error {
	return cl.withRecords(false, func(r records) error {
		h, err := r.History(pos[0])
		if err != nil {
			return recordError(err)
		}
		if cl.json {
			if h == nil {
				h = []store.AuditEntry{}
			}
			return writeIndented(cl.Stdout, h)
		}
		fmt.Fprintln(cl.Stdout, TerminalSafe(plainText(dialogue.HistoryText(pos[0], h))))
		return nil
	})
}

func runAuditVerify(cl *call, _ []string) error {
	return cl.withRecords(false, func(r records) error {
		n, err := r.VerifyAudit()
		if err != nil {
			return fmt.Errorf("the audit trail does not verify: %w (checked %d %s)", err, n, pluralWord(n, "entry", "entries"))
		}
		fmt.Fprintf(cl.Stdout, "The audit trail verifies: %d %s, each chained to the one before, and every question's NSG record matches it.\n", n, pluralWord(n, "entry", "entries"))
		return nil
	})
}

func runAuditExport(cl *call, _ []string) error {
	fm, err := store.ParseFormat(cl.format)
	if err != nil || fm == store.FormatXLSX {
		return usagef("--format %q: valid formats are csv, json", cl.format)
	}
	// The export is recorded in the trail, so it writes to the log.
	return cl.withRecords(true, func(r records) error {
		return cl.writeOut("audit entry", "audit entries", func(w io.Writer) (int, error) { return r.ExportAudit(w, fm, cl.username()) })
	})
}

// plainText turns the Desk's mrkdwn into terminal text.
func plainText(s string) string { return strings.NewReplacer("*", "", "> ", "  ").Replace(s) }

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func runExport(cl *call, _ []string) error {
	fm, err := store.ParseFormat(cl.format)
	if err != nil {
		return usagef("--format: %v", err)
	}
	if fm == store.FormatXLSX && cl.out == "" {
		return usagef("an xlsx export needs --out FILE: it is a binary file")
	}
	// An export is recorded in the audit trail, so it writes to the log.
	return cl.withRecords(true, func(r records) error {
		return cl.writeOut("question", "questions", func(w io.Writer) (int, error) { return r.Export(w, fm, r.f, cl.username()) })
	})
}

// recordError makes a bad id or a disallowed change a usage error (exit 2).
func recordError(err error) error {
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrEmpty) || errors.Is(err, knowledge.ErrNoPassage) {
		return UsageError{err}
	}
	return err
}

func runReminders(cl *call, _ []string) error {
	cfg, err := cl.load()
	if err != nil {
		return err
	}
	loc := cfg.Reminders.Location()
	at := time.Now()
	if cl.at != "" {
		if at, err = when.Parse(cl.at, loc); err != nil {
			return usagef("--at: %v", err)
		}
	}
	var (
		sent reminders.SentLog
		ob   outboxLister
	)
	if _, statErr := os.Stat(cfg.Storage.Path); statErr == nil {
		r, closeRecords, err := OpenRecords(cfg.Storage.Path, false, cfg.Reminders.Location())
		if err != nil {
			return err
		}
		defer closeRecords()
		sent = r
		ob, _ = outboxOf(r)
	}
	entries, err := reminders.Entries(cfg.Reminders, sent, at)
	if err != nil {
		return err
	}
	// What became of each queued post: the ledger says only that it was
	// queued, once.
	if ob != nil {
		msgs, err := ob.Outbox(store.OutboxFilter{})
		if err != nil {
			return err
		}
		byKey := map[string]store.Message{}
		for _, m := range msgs {
			if m.Key != "" {
				byKey[m.Key] = m
			}
		}
		for i, e := range entries {
			if m, ok := byKey[store.ReminderKey(e.Key)]; ok && e.Sent {
				entries[i].Delivery = m.Status
				if m.Status == store.OutboxFailed {
					entries[i].Delivery += ": " + m.Error
				}
			}
		}
	}
	return PrintReminders(cl.Stdout, entries, loc, cl.json)
}

func runConfigCheck(cl *call, _ []string) error {
	cfg, err := cl.load()
	if err != nil {
		return err
	}
	src := cfg.File
	if src == "" {
		src = "built-in defaults (no " + config.DefaultFile + " here)"
	}
	e, err := Engine(cfg, nil)
	if err != nil {
		return err
	}
	passages := e.Passages()
	e.Close()
	out, err := cfg.Effective()
	if err != nil {
		return err
	}
	fmt.Fprintf(cl.Stdout, "# %s: valid; %d passages indexed\n%s", src, passages, out)
	if missing := cfg.Slack.Missing(); len(missing) > 0 {
		fmt.Fprintf(cl.Stdout, "# serve would need: %s\n", strings.Join(missing, "; "))
	}
	return nil
}
