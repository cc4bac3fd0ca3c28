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
	"os"
	"os/signal"
	"syscall"

	"github.com/hiec/hiecbot/bot"
	"github.com/hiec/hiecbot/bot/admin"
	"github.com/hiec/hiecbot/bot/dialogue"
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
// and the admin socket the command line uses while the bot holds the log.
func serve(ctx context.Context, cfg *config.Config, log *slog.Logger) error {
	svc, err := bot.Open(cfg, dialogue.Options{Staff: cfg.NSG.IsStaff, Logger: log})
	if err != nil {
		return err
	}
	defer svc.Close()
	desk, st := svc.Desk, svc.Store
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
	adminSrv, err := admin.Listen(admin.SocketPath(cfg.Storage.Path), admin.Handler(desk.Records(), st), log)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	adminDone := make(chan error, 1)
	go func() { adminDone <- adminSrv.Serve(ctx) }()
	go func() {
		if err := desk.DeliverPending(ctx); err != nil {
			log.Error("deliver pending answers", "err", err)
		}
	}()
	if err := sched.Start(ctx); err != nil {
		return err
	}
	log.Info("hiecbot serving", "passages", svc.Engine.Passages(), "socket_mode", cfg.Slack.SocketMode(), "store", cfg.Storage.Path)
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
