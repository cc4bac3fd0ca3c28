package slackbot

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hiec/hiecbot/bot/dialogue"
	"github.com/hiec/hiecbot/bot/outbox"
	"github.com/hiec/hiecbot/bot/slackbot/slacktest"
	"github.com/hiec/hiecbot/bot/store"
	"github.com/hiec/hiecbot/config"
	"github.com/hiec/hiecbot/knowledge"
	"github.com/hiec/hiecbot/reminders"
)

// benchQuestions are asked in turn; most are covered by the guide, some
// go to the NSG.
var benchQuestions = []string{
	"By what date must detailed bids be submitted?",
	"When does informal dialogue end?",
	"How much is the DH investing in HIECs?",
	"Who selects the HIECs?",
	"What legal entity options are there for governance?",
	"Who quality assures education?",
	"When is the first wave announced?",
	"What is the role of the National Steering Group?",
	"Can a hospice in Cumbria lead a cluster bid?",
	"<@U0HIECBOT> when is the OJEU advert?",
}

// BenchmarkHTTPThroughput measures the whole path in HTTP mode: a signed
// message.im event in, the dedupe check and the question logged durably
// in a real store, the real knowledge engine's answer, the
// acknowledgement, and the answer received by the Slack double's
// chat.postMessage, through the durable outbox as serve wires it. 32 clients send at once. It reports questions/s and
// the 50th and 99th percentile latency from sending the event to the
// answer's arrival.
func BenchmarkHTTPThroughput(b *testing.B) { benchHTTP(b, true) }

// BenchmarkHTTPThroughputDirect is the same path with the outbox off (the
// answer posted straight after the acknowledgement, and lost if the bot
// dies first), to show what the outbox costs.
func BenchmarkHTTPThroughputDirect(b *testing.B) { benchHTTP(b, false) }

func benchHTTP(b *testing.B, withOutbox bool) {
	eng, err := knowledge.New(knowledge.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer eng.Close()
	st, err := store.Open(filepath.Join(b.TempDir(), "questions.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	quiet := slog.New(slog.DiscardHandler)
	desk := dialogue.New(eng, st, dialogue.Options{Timeline: reminders.TimelineOf(config.Default().Reminders), Location: config.Default().Reminders.Location(), Logger: quiet})

	var waiters sync.Map // channel → chan struct{}
	api := slacktest.New(b)
	api.OnPost(func(form url.Values) {
		if ch, ok := waiters.LoadAndDelete(form.Get("channel")); ok {
			close(ch.(chan struct{}))
		}
	})
	bot, err := New(Options{
		Slack:  config.Slack{BotToken: testBotToken, SigningSecret: testSigningSecret, APIURL: api.APIURL()},
		Desk:   desk,
		Seen:   st,
		Logger: quiet,
		Retry:  []time.Duration{10 * time.Millisecond},
		HTTPClient: &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
			MaxIdleConns: 128, MaxIdleConnsPerHost: 128}},
	})
	if err != nil {
		b.Fatal(err)
	}
	desk.SetNotifier(bot)
	// The outbox is on, as in serve: each answer is queued with its
	// question in one group commit and posted by the sender.
	if withOutbox {
		bot.outbox = st
		st.SetComposer(bot.Compose)
	}

	sender := outbox.New(st, bot.OutboxPoster(), outbox.Options{Logger: quiet})
	st.OnQueued(sender.Queued)
	sendCtx, stopSending := context.WithCancel(context.Background())
	sent := make(chan error, 1)
	go func() { sent <- sender.Run(sendCtx) }()
	defer func() { stopSending(); <-sent }()
	srv := httptest.NewServer(bot.Handler())
	defer srv.Close()
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConns: 128, MaxIdleConnsPerHost: 128}}

	var (
		seq       atomic.Int64
		mu        sync.Mutex
		latencies = make([]time.Duration, 0, b.N)
	)
	b.SetParallelism(16) // 16 × GOMAXPROCS clients: 32 on 2 cores
	b.ResetTimer()
	cpu0 := cpuTime()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n := seq.Add(1)
			channel := fmt.Sprintf("D%09d", n)
			user := fmt.Sprintf("U%04d", n%50)
			body := mustJSON(map[string]any{
				"type": "event_callback", "team_id": "T0HIEC", "event_id": fmt.Sprintf("Ev%09d", n),
				"event": map[string]any{"type": "message", "channel_type": "im", "channel": channel, "user": user,
					"text": benchQuestions[int(n)%len(benchQuestions)], "ts": "1255000000.000001"},
			})
			done := make(chan struct{})
			waiters.Store(channel, done)
			t0 := time.Now()
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/slack/events", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			slacktest.Sign(req, body, testSigningSecret, t0)
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("event %d = %d", n, resp.StatusCode)
				return
			}
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				b.Errorf("no answer to event %d within 10s", n)
				return
			}
			lat := time.Since(t0)
			mu.Lock()
			latencies = append(latencies, lat)
			mu.Unlock()
		}
	})
	elapsed := time.Since(start)
	cpu := cpuTime() - cpu0
	b.StopTimer()
	bot.drain()
	if len(latencies) == 0 {
		return
	}
	slices.Sort(latencies)
	pct := func(p float64) float64 {
		return float64(latencies[min(len(latencies)-1, int(float64(len(latencies))*p))].Microseconds()) / 1000
	}
	b.ReportMetric(float64(len(latencies))/elapsed.Seconds(), "questions/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	// CPU time per question (the bot, the double and the clients, all in
	// this process) does not depend on what else the machine is doing.
	b.ReportMetric(float64(cpu.Microseconds())/float64(len(latencies)), "cpu-µs/question")
	if n, err := st.Count(store.Filter{}); err == nil && n != len(latencies) && b.N == len(latencies) {
		// Small talk is not logged; every question here is a question.
		b.Errorf("logged %d questions for %d events", n, len(latencies))
	}
}

// cpuTime is the CPU time this process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
