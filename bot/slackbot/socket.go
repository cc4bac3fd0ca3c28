package slackbot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// ackTimeout bounds queueing an acknowledgement for the Socket Mode
// connection.
const ackTimeout = 10 * time.Second

// maxAckPayload keeps a slash command's response, sent with its
// acknowledgement, under Socket Mode's 20 KB limit; a larger one goes
// through response_url.
const maxAckPayload = 16 << 10

// runSocket handles events by Socket Mode until ctx is done. On shutdown
// it stops reading events, lets the handlers in flight finish and
// acknowledge over the still-open connection, then closes it. Envelopes
// received but not yet read are not acknowledged, so Slack delivers them
// again.
func (b *Bot) runSocket(ctx context.Context) error {
	smc := socketmode.New(b.api, socketmode.OptionPingInterval(b.pingInterval))
	// The connection lives until the handlers in flight have acknowledged.
	connCtx, closeConn := context.WithCancel(context.WithoutCancel(ctx))
	defer closeConn()
	ended := make(chan error, 1)
	go func() { ended <- smc.RunContext(connCtx) }()
	for {
		select {
		case <-ctx.Done():
			b.log.Info("stopping: finishing the Slack events in flight")
			b.jobs.Wait()
			closeConn()
			<-ended
			b.drain()
			return nil
		case err := <-ended:
			b.drain()
			return fmt.Errorf("connect to Slack by Socket Mode (apps.connections.open at %s): %w", b.slack.APIURL, err)
		case evt := <-smc.Events:
			b.socketEvent(smc, evt)
		}
	}
}

// socketEvent dispatches one event from the Socket Mode client; requests
// from Slack are handled in the background.
func (b *Bot) socketEvent(smc *socketmode.Client, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeConnecting:
		b.log.Debug("connecting to Slack by Socket Mode")
	case socketmode.EventTypeConnected:
		b.log.Info("connected to Slack by Socket Mode")
	case socketmode.EventTypeConnectionError:
		if e, ok := evt.Data.(*slack.ConnectionErrorEvent); ok {
			b.log.Warn("Socket Mode connection failed; retrying", "attempt", e.Attempt, "wait", e.Backoff, "err", e.ErrorObj)
		}
	case socketmode.EventTypeInvalidAuth:
		b.log.Error("Slack refused the app-level token")
	case socketmode.EventTypeIncomingError:
		if e, ok := evt.Data.(*slack.IncomingEventError); ok {
			b.log.Warn("Socket Mode read failed", "err", e.ErrorObj)
		}
	case socketmode.EventTypeErrorBadMessage:
		// slack-go could not parse the envelope (say, an inner event it does
		// not know); read it here so it is handled or at least acknowledged.
		if e, ok := evt.Data.(*socketmode.ErrorBadMessage); ok {
			var req socketmode.Request
			if err := json.Unmarshal(e.Message, &req); err != nil || req.EnvelopeID == "" {
				b.log.Warn("ignored an unreadable Socket Mode message", "err", e.Cause)
				return
			}
			b.goJob("handle Socket Mode envelope", func(ctx context.Context) error { return b.socketRequest(ctx, smc, req, nil) }, "envelope_id", req.EnvelopeID)
		}
	case socketmode.EventTypeEventsAPI, socketmode.EventTypeSlashCommand, socketmode.EventTypeInteractive:
		if evt.Request == nil {
			return
		}
		req, data := *evt.Request, evt.Data
		b.goJob("handle Socket Mode envelope", func(ctx context.Context) error { return b.socketRequest(ctx, smc, req, data) }, "envelope_id", req.EnvelopeID, "type", req.Type)
	}
}

// socketRequest handles one envelope and acknowledges it, after the
// question is logged or the command done. An event that cannot be taken
// now is not acknowledged, so Slack delivers it again.
func (b *Bot) socketRequest(ctx context.Context, smc *socketmode.Client, req socketmode.Request, data any) error {
	ack := func(payload any) error {
		actx, cancel := context.WithTimeout(ctx, ackTimeout)
		defer cancel()
		if err := smc.AckCtx(actx, req.EnvelopeID, payload); err != nil {
			return fmt.Errorf("acknowledge envelope %s: %w", req.EnvelopeID, err)
		}
		return nil
	}
	switch req.Type {
	case socketmode.RequestTypeEventsAPI:
		env, err := parseEnvelope(req.Payload)
		if err == nil && env.Type == "event_callback" {
			err = b.handleEvent(ctx, &env)
		}
		if err != nil && !errors.Is(err, errMalformed) {
			return err // not acknowledged: Slack will deliver it again
		}
		if err != nil {
			b.log.Warn("acknowledged a malformed Socket Mode event", "envelope_id", req.EnvelopeID, "err", err)
		}
		return ack(nil)
	case socketmode.RequestTypeSlashCommands, socketmode.RequestTypeInteractive:
		// Commands and buttons have no event id; a redelivered envelope has
		// the same envelope id.
		first, err := b.seen.FirstSeen("envelope:" + req.EnvelopeID)
		if err != nil {
			return fmt.Errorf("check envelope %s in the dedupe ledger: %w", req.EnvelopeID, err)
		}
		if !first {
			b.log.Info("envelope already handled; ignoring the repeat", "envelope_id", req.EnvelopeID)
			return ack(nil)
		}
		if req.Type == socketmode.RequestTypeInteractive {
			cb, ok := data.(slack.InteractionCallback)
			if !ok && json.Unmarshal(req.Payload, &cb) != nil {
				return ack(nil)
			}
			if resp := b.interaction(ctx, &cb); resp != nil {
				return ack(resp)
			}
			return ack(nil)
		}
		c, ok := data.(slack.SlashCommand)
		if !ok && json.Unmarshal(req.Payload, &c) != nil {
			return ack(nil)
		}
		resp := b.command(ctx, c)
		if raw, err := json.Marshal(resp); err == nil && len(raw) <= maxAckPayload {
			return ack(resp)
		}
		if err := ack(nil); err != nil {
			return err
		}
		return b.call(ctx, "response_url", func(ctx context.Context) error {
			return slack.PostWebhookCustomHTTPContext(ctx, c.ResponseURL, b.http, &resp)
		})
	}
	return ack(nil)
}
