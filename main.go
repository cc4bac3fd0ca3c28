// Command hiecbot answers bidders' questions about the Department of
// Health's 2009 guide to Health Innovation and Education Clusters (HIECs),
// logs every question for the National Steering Group, and reminds
// everyone of the deadlines. See README.md.
//
// Usage:
//
//	hiecbot ask [--json] [question ...]   answer from the guide (stdin: one a line)
//	hiecbot chat                          the bot in the terminal
//	hiecbot serve                         the bot in Slack, with reminders
//	hiecbot questions list|show|answer|publish|export
//	hiecbot reminders [--at TIME] [--json]
//	hiecbot config check
//
// Every command takes --config FILE (default: hiecbot.yaml when present).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/hiec/hiecbot/bot"
	"github.com/hiec/hiecbot/bot/dialogue"
	"github.com/hiec/hiecbot/bot/slackbot"
	"github.com/hiec/hiecbot/bot/store"
	"github.com/hiec/hiecbot/config"
	"github.com/hiec/hiecbot/knowledge"
	"github.com/hiec/hiecbot/reminders"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "hiecbot: %v\n", err)
		var ue usageError
		if errors.As(err, &ue) || errors.Is(err, knowledge.ErrEmptyQuestion) || errors.Is(err, dialogue.ErrEmpty) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// usageError is a mistake in how hiecbot was called or what it was given;
// it exits with status 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

const usage = `hiecbot answers questions about the HIEC guide "Breakthrough to real change in local healthcare".

Commands:
  ask [--json] [QUESTION ...]      answer from the sources (no QUESTION: one a line from stdin)
  chat                             ask, log and pass on questions in the terminal (/help for commands)
  serve                            run the bot in Slack, with the deadline reminders
  questions list [--status S] [--since DATE] [--until DATE] [--json]
  questions show ID
  questions answer ID TEXT [--by NAME]
  questions publish ID
  questions export --format csv|json|xlsx [--since DATE] [--until DATE] [--status S] [--out FILE]
  reminders [--at TIME] [--json]   the reminder schedule as of now or TIME
  config check                     validate and print the effective config, secrets masked

Every command takes --config FILE (default: hiecbot.yaml in this folder when present).
`

// run is hiecbot with its surroundings passed in, so tests can drive it.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	global := flag.NewFlagSet("hiecbot", flag.ContinueOnError)
	global.SetOutput(io.Discard)
	configPath := global.String("config", "", "configuration `file`")
	if err := global.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			return nil
		}
		return usagef("%v\n%s", err, usage)
	}
	args = global.Args()
	if len(args) == 0 {
		return usagef("no command given\n%s", usage)
	}
	cmd, args := args[0], args[1:]
	env := &environment{ctx: ctx, getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr, configPath: *configPath}
	switch cmd {
	case "ask":
		return env.ask(args)
	case "chat":
		return env.chat(args)
	case "serve":
		return env.serve(args)
	case "questions":
		return env.questions(args)
	case "reminders":
		return env.reminders(args)
	case "config":
		return env.config(args)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return usagef("unknown command %q\n%s", cmd, usage)
}

type environment struct {
	ctx            context.Context
	getenv         func(string) string
	stdin          io.Reader
	stdout, stderr io.Writer
	configPath     string
}

// flags returns a flag set with --config for a command.
func (env *environment) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("hiecbot "+name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	fs.StringVar(&env.configPath, "config", env.configPath, "configuration `file` (default hiecbot.yaml when present)")
	return fs
}

// parse parses flags that may come before, between or after positional
// arguments, and returns the positional ones.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, usageError{err}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func (env *environment) load() (*config.Config, error) {
	cfg, err := config.Load(config.Find(env.configPath), env.getenv)
	if err != nil {
		return nil, usageError{err}
	}
	return cfg, nil
}

func (env *environment) logger(cfg *config.Config) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.Log.Level))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Log.Format == "json" {
		return slog.New(slog.NewJSONHandler(env.stderr, opts))
	}
	return slog.New(slog.NewTextHandler(env.stderr, opts))
}

// engine builds the knowledge index from the guide, the configured
// sources and every published clarification in the question log (when
// there is one).
func (env *environment) engine(cfg *config.Config, records dialogue.Records) (*knowledge.Engine, error) {
	e, err := knowledge.New(knowledge.Options{Sources: cfg.Knowledge.Sources, FAQ: cfg.Knowledge.FAQ})
	if err != nil {
		return nil, usageError{err}
	}
	if records != nil {
		if _, err := bot.LoadPublished(e, records); err != nil {
			e.Close()
			return nil, err
		}
	}
	return e, nil
}

// services are the question log, the knowledge index over the sources
// and its NSG answers, and the Desk that answers with both.
type services struct {
	store  *store.Store
	engine *knowledge.Engine
	desk   *dialogue.Desk
}

// open opens the question log and builds the index and the Desk; opts
// gets the reminders and the ledger from cfg and the store.
func (env *environment) open(cfg *config.Config, opts dialogue.Options) (*services, error) {
	st, err := store.Open(cfg.Storage.Path, store.Options{Timeout: time.Second})
	if err != nil {
		return nil, err
	}
	e, err := env.engine(cfg, dialogue.Offline{Store: st})
	if err != nil {
		st.Close()
		return nil, err
	}
	opts.Reminders, opts.Ledger = cfg.Reminders, st
	return &services{store: st, engine: e, desk: dialogue.New(e, st, opts)}, nil
}

func (s *services) close() {
	s.engine.Close()
	s.store.Close()
}

func (env *environment) ask(args []string) error {
	fs := env.flags("ask")
	asJSON := fs.Bool("json", false, "print one JSON object per question")
	questions, err := parse(fs, args)
	if err != nil {
		return err
	}
	for _, q := range questions {
		if strings.TrimSpace(q) == "" {
			return usageError{knowledge.ErrEmptyQuestion}
		}
	}
	cfg, err := env.load()
	if err != nil {
		return err
	}
	var records dialogue.Records
	if _, statErr := os.Stat(cfg.Storage.Path); statErr == nil {
		r, closeRecords, err := bot.OpenRecords(cfg.Storage.Path, false)
		if err != nil {
			return err
		}
		defer closeRecords()
		records = r
	}
	e, err := env.engine(cfg, records)
	if err != nil {
		return err
	}
	defer e.Close()
	return bot.Ask(e, questions, env.stdin, env.stdout, *asJSON)
}

func (env *environment) chat(args []string) error {
	fs := env.flags("chat")
	if rest, err := parse(fs, args); err != nil {
		return err
	} else if len(rest) > 0 {
		return usagef("chat takes no arguments: type questions on standard input")
	}
	cfg, err := env.load()
	if err != nil {
		return err
	}
	console := bot.NewConsole(env.stdout)
	svc, err := env.open(cfg, dialogue.Options{
		Staff:    func(id string) bool { return id == bot.ConsoleUser || cfg.NSG.IsStaff(id) },
		Notifier: console,
		Logger:   slog.New(slog.DiscardHandler),
	})
	if errors.Is(err, store.ErrLocked) {
		return fmt.Errorf("%w: chat logs questions, so it needs the file to itself; point storage.path at another file to try chat beside a running bot", err)
	}
	if err != nil {
		return err
	}
	defer svc.close()
	return bot.Chat(env.ctx, svc.desk, console, env.stdin, "")
}

func (env *environment) serve(args []string) error {
	fs := env.flags("serve")
	if rest, err := parse(fs, args); err != nil {
		return err
	} else if len(rest) > 0 {
		return usagef("serve takes no arguments")
	}
	cfg, err := env.load()
	if err != nil {
		return err
	}
	if missing := cfg.Slack.Missing(); len(missing) > 0 {
		return usagef("serve needs Slack credentials; missing: %s. See \"Running it in Slack\" in README.md", strings.Join(missing, "; "))
	}
	log := env.logger(cfg)
	svc, err := env.open(cfg, dialogue.Options{Staff: cfg.NSG.IsStaff, Logger: log})
	if err != nil {
		return err
	}
	defer svc.close()
	desk, st := svc.desk, svc.store
	sb, err := slackbot.New(slackbot.Options{
		Slack:         cfg.Slack,
		NSGChannel:    cfg.NSG.Channel,
		BidderChannel: cfg.Reminders.Channel,
		Desk:          desk,
		Seen:          st,
		Logger:        log,
	})
	if err != nil {
		return err
	}
	sched, err := reminders.New(cfg.Reminders, sb, st, reminders.Options{
		NSGChannel: cfg.NSG.Channel,
		Digest:     desk.Digest,
		Logger:     log,
	})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(env.ctx)
	defer cancel()
	adminDone := make(chan error, 1)
	go func() { adminDone <- dialogue.ServeAdmin(ctx, dialogue.SocketPath(cfg.Storage.Path), desk.Records()) }()
	go func() {
		if err := desk.DeliverPending(ctx); err != nil {
			log.Error("deliver pending answers", "err", err)
		}
	}()
	if err := sched.Start(ctx); err != nil {
		return err
	}
	log.Info("hiecbot serving", "passages", svc.engine.Passages(), "socket_mode", cfg.Slack.SocketMode(), "store", cfg.Storage.Path)
	runErr := sb.Run(ctx)
	cancel()
	sched.Stop()
	desk.Wait()
	if err := <-adminDone; err != nil && runErr == nil {
		runErr = err
	}
	log.Info("hiecbot stopped")
	return runErr
}

func (env *environment) questions(args []string) error {
	if len(args) == 0 {
		return usagef("questions needs a subcommand: list, show, answer, publish or export")
	}
	sub, args := args[0], args[1:]
	fs := env.flags("questions " + sub)
	var (
		status       = fs.String("status", "", "only questions with this `status` (answered, awaiting, nsg_answered, published)")
		since        = fs.String("since", "", "only questions asked on or after this `date` (YYYY-MM-DD or RFC 3339)")
		until        = fs.String("until", "", "only questions asked before this `date`")
		asJSON       = fs.Bool("json", false, "print JSON")
		by           = fs.String("by", "", "who answers (default: $USER)")
		format       = fs.String("format", "", "export `format`: csv, json or xlsx")
		out          = fs.String("out", "", "write the export to this `file` (default: standard output)")
		filterWanted = sub == "list" || sub == "export"
	)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	var f store.Filter
	if filterWanted {
		if f, err = filterFrom(*status, *since, *until); err != nil {
			return err
		}
	}
	want := map[string]int{"list": 0, "show": 1, "answer": 2, "publish": 1, "export": 0}
	n, ok := want[sub]
	if !ok {
		return usagef("unknown questions subcommand %q: use list, show, answer, publish or export", sub)
	}
	if len(pos) != n {
		return usagef("questions %s takes %d argument(s), got %d: %s", sub, n, len(pos), questionsUsage[sub])
	}
	var fm store.Format
	if sub == "export" {
		if fm, err = store.ParseFormat(*format); err != nil {
			return usagef("%v", err)
		}
		if fm == "xlsx" && *out == "" {
			return usagef("an xlsx export needs --out FILE: it is a binary file")
		}
	}
	cfg, err := env.load()
	if err != nil {
		return err
	}
	records, closeRecords, err := bot.OpenRecords(cfg.Storage.Path, sub == "answer" || sub == "publish")
	if err != nil {
		return err
	}
	defer closeRecords()
	switch sub {
	case "list":
		qs, err := records.List(f)
		if err != nil {
			return err
		}
		return bot.PrintQuestions(env.stdout, qs, *asJSON)
	case "show":
		q, err := records.Get(pos[0])
		if err != nil {
			return recordError(err)
		}
		if *asJSON {
			return bot.PrintQuestions(env.stdout, []store.Question{q}, true)
		}
		bot.PrintQuestion(env.stdout, q)
		return nil
	case "answer":
		who := *by
		if who == "" {
			who = env.getenv("USER")
		}
		q, err := records.Answer(env.ctx, pos[0], pos[1], who)
		if err != nil {
			return recordError(err)
		}
		fmt.Fprintf(env.stdout, "Answered %s (%s). Publish it for every bidder with: hiecbot questions publish %s\n", q.ID, q.Status, q.ID)
		return nil
	case "publish":
		q, err := records.Publish(env.ctx, pos[0])
		if err != nil {
			return recordError(err)
		}
		fmt.Fprintf(env.stdout, "Published %s. The clarification does not name the asker:\nQ: %s\nA: %s\n", q.ID, q.Question, q.NSGAnswer)
		return nil
	}
	return env.export(records, fm, f, *out)
}

var questionsUsage = map[string]string{
	"list":    "hiecbot questions list [--status S] [--since DATE] [--until DATE] [--json]",
	"show":    "hiecbot questions show Q-0042",
	"answer":  `hiecbot questions answer Q-0042 "text"`,
	"publish": "hiecbot questions publish Q-0042",
	"export":  "hiecbot questions export --format csv|json|xlsx [--out FILE]",
}

// recordError makes a bad id or a disallowed change a usage error (exit 2).
func recordError(err error) error {
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrEmpty) {
		return usageError{err}
	}
	return err
}

func filterFrom(status, since, until string) (store.Filter, error) {
	var f store.Filter
	if status != "" {
		for _, s := range strings.Split(status, ",") {
			st, err := store.ParseStatus(strings.TrimSpace(s))
			if err != nil {
				return f, usagef("--status: %v", err)
			}
			f.Status = append(f.Status, st)
		}
	}
	var err error
	if since != "" {
		if f.Since, err = dialogue.ParseDate(since); err != nil {
			return f, usagef("--since: %v", err)
		}
	}
	if until != "" {
		if f.Until, err = dialogue.ParseDate(until); err != nil {
			return f, usagef("--until: %v", err)
		}
	}
	return f, nil
}

// export writes to out through a temporary file renamed into place, so a
// failed export never leaves half a file behind.
func (env *environment) export(r dialogue.Records, fm store.Format, f store.Filter, out string) error {
	if out == "" {
		_, err := r.Export(env.stdout, fm, f)
		return err
	}
	tmp, err := os.CreateTemp(dirOf(out), ".hiecbot-export-*")
	if err != nil {
		return fmt.Errorf("export to %s: %w", out, err)
	}
	defer os.Remove(tmp.Name())
	n, err := r.Export(tmp, fm, f)
	if err == nil {
		err = tmp.Close()
	} else {
		tmp.Close()
	}
	if err == nil {
		err = os.Rename(tmp.Name(), out)
	}
	if err != nil {
		return fmt.Errorf("export to %s: %w", out, err)
	}
	fmt.Fprintf(env.stderr, "Exported %d questions to %s\n", n, out)
	return nil
}

func dirOf(path string) string {
	if i := strings.LastIndexAny(path, `/\`); i >= 0 {
		return path[:i+1]
	}
	return "."
}

func (env *environment) reminders(args []string) error {
	fs := env.flags("reminders")
	at := fs.String("at", "", "list as of this `time` (RFC 3339 or YYYY-MM-DD in the reminders' timezone; default now)")
	asJSON := fs.Bool("json", false, "print a JSON array")
	if rest, err := parse(fs, args); err != nil {
		return err
	} else if len(rest) > 0 {
		return usagef("reminders takes no arguments; use --at TIME to preview")
	}
	cfg, err := env.load()
	if err != nil {
		return err
	}
	loc := cfg.Reminders.Location()
	when := time.Now()
	if *at != "" {
		if when, err = parseAt(*at, loc); err != nil {
			return err
		}
	}
	var ledger reminders.Ledger
	if _, statErr := os.Stat(cfg.Storage.Path); statErr == nil {
		r, closeRecords, err := bot.OpenRecords(cfg.Storage.Path, false)
		if err != nil {
			return err
		}
		defer closeRecords()
		ledger = readOnlyLedger{r}
	}
	entries, err := reminders.Entries(cfg.Reminders, ledger, when)
	if err != nil {
		return err
	}
	return bot.PrintReminders(env.stdout, entries, loc, *asJSON)
}

func parseAt(s string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, usagef("--at %q is not RFC 3339 (2009-10-12T09:00:00+01:00) or a date (2009-10-12)", s)
}

// readOnlyLedger lets the reminders listing read what was sent.
type readOnlyLedger struct{ r dialogue.Records }

func (l readOnlyLedger) ReminderSent(key string) (bool, error) { return l.r.ReminderSent(key) }
func (l readOnlyLedger) MarkReminderSent(string, time.Time) error {
	return errors.New("the reminders listing does not send reminders")
}

func (env *environment) config(args []string) error {
	fs := env.flags("config")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || pos[0] != "check" {
		return usagef("use: hiecbot config check [--config FILE]")
	}
	cfg, err := env.load()
	if err != nil {
		return err
	}
	src := cfg.File
	if src == "" {
		src = "built-in defaults (no " + config.DefaultFile + " here)"
	}
	e, err := env.engine(cfg, nil)
	if err != nil {
		return err
	}
	passages := e.Passages()
	e.Close()
	out, err := cfg.Effective()
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "# %s: valid; %d passages indexed\n%s", src, passages, out)
	if missing := cfg.Slack.Missing(); len(missing) > 0 {
		fmt.Fprintf(env.stdout, "# serve would need: %s\n", strings.Join(missing, "; "))
	}
	return nil
}
