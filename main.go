// Command hiecbot answers bidders' questions about the Department of
// Health's 2009 guide to Health Innovation and Education Clusters (HIECs),
// logs every question for the National Steering Group, and reminds
// everyone of the deadlines. See README.md, or run `hiecbot help`.
//
// main only wires: the command line lives in package bot (bot.CLI), and
// main hands it the one thing bot must not build itself, the Slack bot
// with its reminders and admin socket.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"github.com/hiec/hiecbot/bot"
	"github.com/hiec/hiecbot/bot/admin"
	"github.com/hiec/hiecbot/bot/dialogue"
	"github.com/hiec/hiecbot/bot/metrics"
	"github.com/hiec/hiecbot/bot/outbox"
	"github.com/hiec/hiecbot/bot/slackbot"
	"github.com/hiec/hiecbot/config"
	"github.com/hiec/hiecbot/reminders"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "hiecbot: %v\n", err)
	}
	os.Exit(bot.ExitCode(err))
}

// run is hiecbot with its surroundings passed in, so tests can drive it.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	cli := &bot.CLI{Getenv: getenv, Stdin: stdin, Stdout: stdout, Stderr: stderr, Serve: serve}
	return cli.Run(ctx, args)
}

// serve wires and runs the bot in Slack: the question log, index and
// Desk, the Slack adapter, the reminder scheduler with the Desk's digest,
// the admin socket the command line uses while the bot holds the log, and
// the metrics, health and readiness endpoints.
func serve(ctx context.Context, cfg *config.Config, log *slog.Logger) error {
	m := metrics.New()
	// The Desk shows the reminders' timeline (/hiec deadlines, App Home).
	svc, err := bot.Open(cfg, dialogue.Options{
		Staff:    cfg.NSG.IsStaff,
		Timeline: reminders.TimelineOf(cfg.Reminders),
		Location: cfg.Reminders.Location(),
		Closes:   cfg.Dialogue.ClosesAt(),
		Logger:   log,
	}, m)
	if err != nil {
		return err
	}
	defer svc.Close()
	desk, st := svc.Desk, svc.Store
	var ops http.Handler
	if !cfg.Slack.SocketMode() {
		ops = m.Handler() // beside the Slack endpoints on slack.listen
	}
	sb, err := slackbot.New(slackbot.Options{
		Slack:         cfg.Slack,
		NSGChannel:    cfg.NSG.Channel,
		BidderChannel: cfg.Reminders.Channel,
		Desk:          desk,
		Seen:          st,
		Logger:        log,
		Ops:           ops,
		Observer: serving{m, func() {
			log.Info("hiecbot serving", "passages", svc.Engine.Passages(), "socket_mode", cfg.Slack.SocketMode(), "store", cfg.Storage.Path)
		}},
		Outbox: st,
	})
	if err != nil {
		return err
	}
	// The Desk tells the NSG, askers and bidders through the Slack bot.
	desk.SetNotifier(sb)
	// The outbox: every change to a question queues the messages it owes
	// in its own transaction (composed by the Slack bot), and the sender
	// delivers them through the Slack bot, handed each message as it is queued.
	st.SetComposer(sb.Compose)
	sender := outbox.New(m.CountOutbox(st), sb.OutboxPoster(), outbox.Options{Staff: cfg.NSG.Staff, Logger: log})
	st.OnQueued(sender.Queued)
	// The scheduler posts through the Slack bot, records what it sent in
	// the store, and takes the NSG digest from the Desk.
	sched, err := reminders.New(cfg.Reminders, countedPoster{sb, m}, st.Ledger(), reminders.Options{
		NSGChannel: cfg.NSG.Channel,
		Digest:     desk.Digest,
		Logger:     log,
	})
	if err != nil {
		return err
	}
	adminSrv, err := admin.Listen(admin.SocketPath(cfg.Storage.Path), admin.Handler(desk.Records(), st), log)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	// Nothing is sent until Slack has taken the token and the NSG channel
	// is closed to all but NSG staff: owed notices name bidders.
	if err := sb.Preflight(ctx); err != nil {
		adminSrv.Close()
		return err
	}
	sendCtx, stopSending := context.WithCancel(context.WithoutCancel(ctx))
	defer stopSending()
	sent := make(chan error, 1)
	go func() { sent <- sender.Run(sendCtx) }()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var background sync.WaitGroup
	errs := make(chan error, 2)
	background.Go(func() { errs <- adminSrv.Serve(ctx) })
	if addr := cfg.Metrics.Listen; addr != "" && cfg.Slack.SocketMode() {
		background.Go(func() {
			errs <- m.Serve(ctx, addr, func(a string) { log.Info("serving metrics", "addr", a) })
		})
	}
	go func() {
		if err := desk.DeliverPending(ctx); err != nil {
			log.Error("deliver pending answers", "err", err)
		}
	}()
	if err := sched.Start(ctx); err != nil {
		return err
	}
	runErr := sb.Run(ctx)
	cancel()
	sched.Stop()
	desk.Wait()
	background.Wait()
	close(errs)
	for err := range errs {
		if err != nil && runErr == nil {
			runErr = err
		}
	}
	// Nothing more is queued: finish the sends under way. What is left
	// is sent at the next start.
	stopSending()
	if err := <-sent; err != nil && runErr == nil {
		runErr = err
	}
	log.Info("hiecbot stopped")
	return runErr
}

// serving tells the metrics that auth.test succeeded and logs that the
// bot is serving: only then, so the log never claims a bot that cannot
// reach Slack is serving.
type serving struct {
	*metrics.Metrics
	logServing func()
}

func (s serving) Connected() {
	s.Metrics.Connected()
	s.logServing()
}

// countedPoster counts the reminders and digests the scheduler posts.
type countedPoster struct {
	reminders.Poster
	m *metrics.Metrics
}

func (p countedPoster) Post(ctx context.Context, channel, text string) error {
	err := p.Poster.Post(ctx, channel, text)
	if err == nil {
		p.m.ReminderSent()
	}
	return err
}

// PostOnce queues a reminder with the record that it was sent (see
// reminders.OncePoster), and counts it.
func (p countedPoster) PostOnce(ctx context.Context, key, channel, text string) error {
	op, ok := p.Poster.(reminders.OncePoster)
	if !ok {
		return fmt.Errorf("post reminder %s: the poster cannot queue once", key)
	}
	err := op.PostOnce(ctx, key, channel, text)
	if err == nil {
		p.m.ReminderSent()
	}
	return err
}
