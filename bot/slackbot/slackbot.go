// Package slackbot connects hiecbot's dialogue.Desk to Slack. It owns
// everything Slack-shaped (events, Block Kit, signatures, the Web API);
// no other package but its slacktest double may import slack-go.
//
// Bidders ask in a direct message, by mentioning the bot (it answers in
// the thread) or with "/hiec ask"; NSG staff run the other /hiec commands.
// Events arrive by Socket Mode when an app-level token is configured and
// over HTTP (the Events API, slash commands and interactivity, each
// request verified with the signing secret) otherwise.
//
// A question is logged durably by the Desk before Slack's event is
// acknowledged, and the answer is posted afterwards, so an event Slack
// delivers again (an HTTP retry or a Socket Mode redelivery, with the same
// event id) is recognised through the store's dedupe ledger and neither
// logged nor answered twice. Web API calls that fail for a reason that can
// pass (rate limits, 5xx, timeouts) are retried with backoff.
package slackbot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/hiec/hiecbot/bot/dialogue"
	"github.com/hiec/hiecbot/bot/store"
	"github.com/hiec/hiecbot/config"
	"github.com/hiec/hiecbot/reminders"
	"github.com/slack-go/slack"
)

// Deduper remembers Slack event ids; *store.Store is one.
type Deduper interface {
	// FirstSeen reports whether key is seen for the first time, durably.
	FirstSeen(key string) (bool, error)
}

// Options configures a Bot.
type Options struct {
	// Slack holds the tokens, the signing secret, the listen address and
	// the Web API base URL (used for every Web API call, including Socket
	// Mode's apps.connections.open).
	Slack config.Slack
	// NSGChannel is where questions awaiting the NSG are announced.
	NSGChannel string
	// BidderChannel is where published clarifications go.
	BidderChannel string
	// Desk answers, logs and runs the commands. The Bot is its notifier
	// once the caller says so (Desk.SetNotifier).
	Desk *dialogue.Desk
	// Seen is the durable ledger of events already handled.
	Seen Deduper
	// Logger defaults to slog.Default().
	Logger *slog.Logger
	// Retry is the backoff between attempts at a Web API call that failed
	// for a passing reason: a call is tried len(Retry)+1 times. Nil means
	// DefaultRetry; an empty, non-nil slice means a single attempt. A rate
	// limit's Retry-After, when Slack gives one, replaces the backoff.
	Retry []time.Duration
	// HTTPClient makes the Web API calls; nil means a client with a
	// 30-second timeout.
	HTTPClient *http.Client
	// Ops, when set, serves GET /metrics, /healthz and /readyz beside the
	// Slack endpoints in HTTP mode (in Socket Mode main serves it on
	// metrics.listen).
	Ops http.Handler
	// Observer, when set, is told when auth.test succeeds and of every
	// failed Web API call.
	Observer Observer
	// Outbox, when set, is where the Bot puts every message it owes
	// (answers, NSG notices, deliveries, clarifications, reminders,
	// exports) instead of posting it; a sender delivers them through
	// OutboxPoster. Wire Compose into the store with it.
	Outbox Queue
}

// Observer follows the bot's dealings with Slack, for metrics and
// readiness; *metrics.Metrics is one.
type Observer interface {
	// Connected is called once auth.test has accepted the bot token.
	Connected()
	// SlackAPIError is called for each failed attempt at a Web API call.
	SlackAPIError(method string)
}

type noObserver struct{}

func (noObserver) Connected()           {}
func (noObserver) SlackAPIError(string) {}

// ErrBadToken and ErrUnreachable tell why Run could not start: Slack
// refused the bot token, or the Web API could not be reached at all.
var (
	ErrBadToken    = errors.New("the bot token was refused by Slack")
	ErrUnreachable = errors.New("the Slack Web API cannot be reached")
)

// DefaultRetry is the Web API backoff used when Options.Retry is nil.
var DefaultRetry = []time.Duration{500 * time.Millisecond, 2 * time.Second, 5 * time.Second}

const (
	defaultAPIURL = "https://slack.com/api/"
	// jobTimeout bounds work done after an acknowledgement (posting an
	// answer, uploading an export), so shutdown cannot wait for ever.
	jobTimeout = 2 * time.Minute
	// askTimeout bounds answering and logging a question; Slack wants its
	// acknowledgement within 3 seconds, but a question being logged is
	// never abandoned because Slack stopped waiting.
	askTimeout = 30 * time.Second
	// shutdownTimeout bounds waiting for HTTP requests in flight.
	shutdownTimeout = 30 * time.Second
	// userNameTimeout bounds the users.info look-up before a question is
	// logged; the name is a convenience for the NSG and may be missing.
	userNameTimeout = time.Second
)

// Bot is hiecbot in Slack. It implements dialogue.Notifier and
// reminders.Poster. Its methods are safe for concurrent use.
type Bot struct {
	desk          *dialogue.Desk
	seen          Deduper
	log           *slog.Logger
	slack         config.Slack
	nsgChannel    string
	bidderChannel string
	api           *slack.Client
	http          *http.Client
	retry         []time.Duration

	// botUserID is the bot's own user id, learnt from auth.test in
	// Preflight.
	botUserID atomic.Pointer[string]
	// preflighted says Preflight has passed.
	preflighted atomic.Bool
	names       sync.Map // user id → display name ("" when unknown)
	// refs makes the opaque question references of bidders' buttons.
	refs *refCodec
	// sorry holds the event ids whose askers were told their question
	// could not be recorded yet, so a redelivery does not tell them again.
	sorry sync.Map
	// replays refuses signed requests replayed inside the window.
	replays *replays
	// outbox, when set, takes every message the Bot owes.
	outbox Queue

	// jobs tracks the work started after an acknowledgement.
	jobs sync.WaitGroup

	// pingInterval is how long Socket Mode waits for Slack's ping.
	pingInterval time.Duration
	// onListen, when set, is told the HTTP address Run listens on.
	onListen func(net.Addr)

	ops      http.Handler
	observer Observer
}

var (
	_ dialogue.Notifier = (*Bot)(nil)
	_ reminders.Poster  = (*Bot)(nil)
)

// New returns a Bot for opts. It does not connect to Slack; Run does. It
// does not make itself the Desk's notifier: whoever wires the bot does
// that (desk.SetNotifier), so that the wiring is seen in one place.
func New(opts Options) (*Bot, error) {
	switch {
	case opts.Desk == nil:
		return nil, errors.New("slackbot: no Desk given")
	case opts.Seen == nil:
		return nil, errors.New("slackbot: no dedupe ledger (Seen) given")
	case opts.Slack.BotToken == "":
		return nil, errors.New("slackbot: no bot token (slack.bot_token or SLACK_BOT_TOKEN)")
	case opts.Slack.AppToken == "" && opts.Slack.SigningSecret == "":
		return nil, errors.New("slackbot: neither an app-level token (slack.app_token, for Socket Mode) nor a signing secret (slack.signing_secret, for HTTP) is set")
	}
	b := &Bot{
		desk:          opts.Desk,
		seen:          opts.Seen,
		log:           opts.Logger,
		slack:         opts.Slack,
		nsgChannel:    opts.NSGChannel,
		bidderChannel: opts.BidderChannel,
		http:          opts.HTTPClient,
		retry:         opts.Retry,
		pingInterval:  30 * time.Second,
		replays:       newReplays(),
		ops:           opts.Ops,
		observer:      opts.Observer,
		outbox:        opts.Outbox,
	}
	if b.observer == nil {
		b.observer = noObserver{}
	}
	if b.log == nil {
		b.log = slog.Default()
	}
	if b.http == nil {
		b.http = &http.Client{Timeout: 30 * time.Second}
	}
	if b.retry == nil {
		b.retry = DefaultRetry
	}
	if b.slack.APIURL == "" {
		b.slack.APIURL = defaultAPIURL
	}
	if !strings.HasSuffix(b.slack.APIURL, "/") {
		b.slack.APIURL += "/"
	}
	clientOpts := []slack.Option{slack.OptionAPIURL(b.slack.APIURL), slack.OptionHTTPClient(b.http)}
	if b.slack.AppToken != "" {
		clientOpts = append(clientOpts, slack.OptionAppLevelToken(b.slack.AppToken.Value()))
	}
	b.api = slack.New(b.slack.BotToken.Value(), clientOpts...)
	b.refs = newRefCodec(b.slack.BotToken.Value())
	return b, nil
}

// Run connects to Slack and handles events until ctx is done: by Socket
// Mode when an app-level token is configured, otherwise by serving
// Handler on Slack.Listen. When ctx is done it stops taking events,
// finishes the ones in flight and the posts they started, and returns
// nil; the caller may then close the store. It returns an error when it
// cannot start (a bad token, an address in use) or the connection fails
// for good.
func (b *Bot) Run(ctx context.Context) error {
	if err := b.Preflight(ctx); err != nil {
		return err
	}
	if b.slack.SocketMode() {
		return b.runSocket(ctx)
	}
	return b.runHTTP(ctx)
}

// Preflight checks, before the bot sends anything, the bot token
// (auth.test, which also tells the bot its own user id, so it never
// answers itself) and that only NSG staff can read the NSG channel (see
// checkNSGChannel); then the Observer is told the bot is connected. serve
// calls it before starting anything that posts; Run calls it unless it
// has passed.
func (b *Bot) Preflight(ctx context.Context) error {
	if b.preflighted.Load() {
		return nil
	}
	if err := b.identify(ctx); err != nil {
		return err
	}
	if err := b.checkNSGChannel(ctx); err != nil {
		return err
	}
	b.preflighted.Store(true)
	b.observer.Connected()
	return nil
}

// identify checks the bot token with auth.test and learns the bot's user
// id.
func (b *Bot) identify(ctx context.Context) error {
	var resp *slack.AuthTestResponse
	err := b.call(ctx, "auth.test", func(ctx context.Context) (err error) {
		resp, err = b.api.AuthTestContext(ctx)
		return err
	})
	if err != nil {
		return authError(b.slack.APIURL, err)
	}
	id := resp.UserID
	b.botUserID.Store(&id)
	b.log.Info("connected to Slack", "team", resp.Team, "team_id", resp.TeamID, "bot_user", resp.UserID)
	return nil
}

// ownUserID is the bot's user id, "" before Run has learnt it.
func (b *Bot) ownUserID() string {
	if p := b.botUserID.Load(); p != nil {
		return *p
	}
	return ""
}

func (b *Bot) runHTTP(ctx context.Context) error {
	ln, err := net.Listen("tcp", b.slack.Listen)
	if err != nil {
		return fmt.Errorf("listen for Slack events on %q: %w", b.slack.Listen, err)
	}
	srv := &http.Server{
		Handler:           b.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(b.log.Handler(), slog.LevelWarn),
	}
	b.log.Info("serving the Slack Events API", "addr", ln.Addr().String())
	if b.onListen != nil {
		b.onListen(ln.Addr())
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		b.drain()
		return fmt.Errorf("serve Slack events on %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	b.log.Info("stopping: finishing the Slack events in flight")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	err = srv.Shutdown(sctx)
	<-served
	b.drain()
	if err != nil {
		return fmt.Errorf("shut down the Slack events server: %w", err)
	}
	return nil
}

// drain waits for the posts and uploads started after acknowledgements
// and for the Desk's notifications.
func (b *Bot) drain() {
	b.jobs.Wait()
	b.desk.Wait()
}

// goJob runs fn in the background with its own deadline, tracked so Run
// waits for it before returning; a failure is logged.
func (b *Bot) goJob(what string, fn func(ctx context.Context) error, attrs ...any) {
	b.jobs.Add(1)
	go func() {
		defer b.jobs.Done()
		ctx, cancel := context.WithTimeout(context.Background(), jobTimeout)
		defer cancel()
		if err := fn(ctx); err != nil {
			b.log.Error(what+" failed", append(attrs, "err", err)...)
		}
	}()
}

// Post posts plain text to a channel, escaped so that nothing in it (a
// question quoted in the NSG digest, say) becomes a mention or a link;
// reminders use it.
func (b *Bot) Post(ctx context.Context, channel, text string) error {
	if channel == "" {
		return errors.New("post to Slack: no channel given")
	}
	m := message{Text: truncate(escape(text), maxMessageText)}
	if b.outbox != nil {
		out := stored(kindReminder, m)
		out.Channel = channel
		return b.queue(ctx, out)
	}
	return b.postMessage(ctx, channel, "", m)
}

// NotifyNSG announces a question that awaits the NSG in the NSG channel,
// naming the asker so staff can follow up.
func (b *Bot) NotifyNSG(ctx context.Context, q store.Question) error {
	if b.nsgChannel == "" {
		return fmt.Errorf("announce %s to the NSG: no NSG channel configured (nsg.channel)", q.ID)
	}
	if b.outbox != nil {
		m, _ := b.nsgNoticeMessage(q)
		return b.queue(ctx, m)
	}
	done := ""
	if q.Follows != "" {
		if t, err := b.desk.Records().Get(q.Follows); err == nil {
			done = fmt.Sprintf("%s is now asked by %d bidders.", t.ID, t.AskedBy())
		}
	}
	return b.postMessage(ctx, b.nsgChannel, "", noticeMessage(q, done))
}

// DeliverAnswer gives the asker the NSG's answer in a direct message,
// wherever they asked: an answer is private to its asker until the NSG
// publishes it, so it never goes to a channel or a thread.
func (b *Bot) DeliverAnswer(ctx context.Context, q store.Question) error {
	if q.UserID == "" || q.Via == dialogue.ViaConsole {
		return fmt.Errorf("deliver the answer to %s: asked via %s, with no Slack user to send it to", q.ID, q.Via)
	}
	if b.outbox != nil {
		m, _ := b.deliveryMessage(q)
		return b.queue(ctx, m)
	}
	dm, err := b.openDM(ctx, q.UserID)
	if err != nil {
		return fmt.Errorf("deliver the answer to %s: %w", q.ID, err)
	}
	return b.postMessage(ctx, dm, "", message{Text: deliveryText(q)})
}

// CanPublish is dialogue.PublishChecker: with no bidders' channel a
// clarification would reach only its askers, so the Desk publishes none.
func (b *Bot) CanPublish() error {
	if b.bidderChannel == "" {
		return fmt.Errorf("%w: %s", dialogue.ErrNoBidderChannel, dialogue.NoBidderChannelAdvice)
	}
	return nil
}

// Publish posts an anonymised clarification in the bidders' channel. The
// clarification carries nothing about the asker, and neither does the
// post.
func (b *Bot) Publish(ctx context.Context, c store.Clarification) error {
	if err := b.CanPublish(); err != nil {
		return fmt.Errorf("publish %s: %w", c.ID, err)
	}
	if b.outbox != nil {
		m, _ := b.clarificationMessage(c)
		return b.queue(ctx, m)
	}
	return b.postMessage(ctx, b.bidderChannel, "", message{Text: clarificationText(c)})
}

// DeliverClarification sends a published clarification by DM to a bidder
// who asked it, or asked something like it.
func (b *Bot) DeliverClarification(ctx context.Context, user string, c store.Clarification) error {
	if user == "" {
		return fmt.Errorf("send clarification %s: no user", c.ID)
	}
	if b.outbox != nil {
		return b.queue(ctx, b.followerMessage(user, c))
	}
	dm, err := b.openDM(ctx, user)
	if err != nil {
		return fmt.Errorf("send clarification %s: %w", c.ID, err)
	}
	return b.postMessage(ctx, dm, "", followerText(c))
}

// followerText is a published clarification sent to a bidder who asked
// it or followed it.
func followerText(c store.Clarification) message {
	return message{Text: "The National Steering Group has published its answer to your question, for every bidder:\n" + clarificationText(c)}
}

// authError says why auth.test failed in terms an operator acts on: a
// token Slack refused is a configuration mistake; a Web API that cannot
// be reached is the network, a proxy or slack.api_url.
func authError(apiURL string, err error) error {
	var se slack.SlackErrorResponse
	code := ""
	if errors.As(err, &se) {
		code = se.Err
	}
	for _, c := range []string{"invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive", "not_allowed_token_type"} {
		if code == c || code == "" && strings.HasSuffix(err.Error(), c) {
			return fmt.Errorf("%w (%s): check that SLACK_BOT_TOKEN (or slack.bot_token) is the Bot User OAuth Token from the app's OAuth & Permissions page (the one starting with xoxb) and that the app is installed", ErrBadToken, c)
		}
	}
	var ne net.Error
	var sc slack.StatusCodeError
	switch {
	case errors.As(err, &ne), errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%w at %s: %v; check the network, any proxy (HTTPS_PROXY) and slack.api_url", ErrUnreachable, apiURL, err)
	case errors.As(err, &sc) && sc.Code >= 500:
		return fmt.Errorf("%w at %s: Slack answered HTTP %d; it may be down (https://slack-status.com): %v", ErrUnreachable, apiURL, sc.Code, err)
	}
	return fmt.Errorf("check the Slack bot token at %s: %w", apiURL, err)
}
