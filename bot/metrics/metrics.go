// Package metrics is hiecbot's operations surface: Prometheus metrics on
// /metrics, liveness on /healthz and readiness on /readyz. It owns the
// metric names and the readiness rules; the Slack adapter, the Desk's
// log and engine, the reminders and the outbox report to it through small
// methods, and main wires it. It imports nothing of hiecbot's but the
// store's and the dialogue's types, and no Slack code.
package metrics

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hiec/hiecbot/bot/dialogue"
	"github.com/hiec/hiecbot/bot/outbox"
	"github.com/hiec/hiecbot/bot/store"
	"github.com/hiec/hiecbot/knowledge"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds the bot's metrics and readiness. Its methods are safe for
// concurrent use; the zero value is not usable, use New.
type Metrics struct {
	reg *prometheus.Registry

	asked          *prometheus.CounterVec
	answerSeconds  prometheus.Histogram
	answers        *prometheus.CounterVec
	slackErrors    *prometheus.CounterVec
	remindersSent  prometheus.Counter
	outboxFailures *prometheus.CounterVec

	connected atomic.Bool
	mu        sync.Mutex
	// writable checks the question log takes writes; nil: not checked.
	writable func() error
	probe    probeCache
}

// New returns Metrics registered in a registry of their own (with the Go
// runtime and process collectors).
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		asked: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hiecbot_questions_asked_total",
			Help: "Questions logged, by how they came (dm, mention, command, console) and the status they were logged with (answered, awaiting).",
		}, []string{"via", "status"}),
		answerSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "hiecbot_answer_duration_seconds",
			Help:    "Time the answer engine took to answer a question.",
			Buckets: []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}),
		answers: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hiecbot_answers_total",
			Help: "Questions the engine answered, by whether it was confident; the confident rate is rate(hiecbot_answers_total{confident=\"true\"}[1d]) / rate(hiecbot_answers_total[1d]).",
		}, []string{"confident"}),
		slackErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hiecbot_slack_api_errors_total",
			Help: "Failed Slack Web API calls (each attempt), by method.",
		}, []string{"method"}),
		remindersSent: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hiecbot_reminders_sent_total",
			Help: "Reminders and digests posted.",
		}),
		outboxFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hiecbot_outbox_failures_total",
			Help: "Failed outbox deliveries: kind=\"retry\" for each attempt that will be tried again, kind=\"permanent\" for a message given up on (staff are told).",
		}, []string{"kind"}),
	}
	m.reg.MustRegister(m.asked, m.answerSeconds, m.answers, m.slackErrors, m.remindersSent, m.outboxFailures,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.answers.WithLabelValues("true")
	m.answers.WithLabelValues("false")
	m.outboxFailures.WithLabelValues("retry")
	m.outboxFailures.WithLabelValues("permanent")
	return m
}

// Store is what Watch reads from the question log; *store.Store is one.
type Store interface {
	Count(f store.Filter) (int, error)
	Pending() ([]store.Message, error)
	Writable() error
}

// Watch adds the gauges read from the log at each scrape,
// hiecbot_questions (questions by status) and hiecbot_outbox_backlog
// (messages waiting to be sent), and makes /readyz fail while s does not
// take writes. Call it once.
func (m *Metrics) Watch(s Store) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "hiecbot_outbox_backlog",
		Help: "Messages waiting in the outbox to be posted to Slack (-1: the log could not be read).",
	}, func() float64 {
		msgs, err := s.Pending()
		if err != nil {
			return -1
		}
		return float64(len(msgs))
	}))
	for _, st := range store.Statuses {
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name:        "hiecbot_questions",
			Help:        "Questions in the log, by status.",
			ConstLabels: prometheus.Labels{"status": string(st)},
		}, func() float64 {
			n, err := s.Count(store.Filter{Status: []store.Status{st}})
			if err != nil {
				return -1
			}
			return float64(n)
		}))
	}
	m.mu.Lock()
	m.writable = s.Writable
	m.mu.Unlock()
}

// QuestionLogged counts a logged question.
func (m *Metrics) QuestionLogged(q *store.Question) {
	m.asked.WithLabelValues(q.Via, string(q.Status)).Inc()
}

// Answered records how long an answer took and whether it was confident.
func (m *Metrics) Answered(d time.Duration, confident bool) {
	m.answerSeconds.Observe(d.Seconds())
	m.answers.WithLabelValues(fmt.Sprint(confident)).Inc()
}

// SlackAPIError counts a failed Web API call.
func (m *Metrics) SlackAPIError(method string) { m.slackErrors.WithLabelValues(method).Inc() }

// ReminderSent counts a posted reminder or digest.
func (m *Metrics) ReminderSent() { m.remindersSent.Inc() }

// CountOutbox returns st counting, in hiecbot_outbox_failures_total,
// each delivery the Sender retries and each it gives up on.
func (m *Metrics) CountOutbox(st outbox.Store) outbox.Store { return countingOutbox{st, m} }

type countingOutbox struct {
	outbox.Store
	m *Metrics
}

func (o countingOutbox) Retry(id string, next time.Time, cause error) error {
	o.m.outboxFailures.WithLabelValues("retry").Inc()
	return o.Store.Retry(id, next, cause)
}

func (o countingOutbox) MarkFailed(id string, cause error, notices func(store.Message) []store.Message) error {
	o.m.outboxFailures.WithLabelValues("permanent").Inc()
	return o.Store.MarkFailed(id, cause, notices)
}

// Connected records that auth.test succeeded: the bot can reach Slack
// with a good token. /readyz fails until it is called.
func (m *Metrics) Connected() { m.connected.Store(true) }

// Handler serves GET /metrics (Prometheus text format), /healthz (the
// process is up: always 200) and /readyz (200 once auth.test succeeded
// and while the question log takes writes, 503 otherwise, saying why).
func (m *Metrics) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := m.Ready(); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, "not ready: "+err.Error()+"\n")
			return
		}
		_, _ = io.WriteString(w, "ready\n")
	})
	return mux
}

// Ready is nil when the bot can take questions: auth.test has succeeded
// and the question log takes writes.
func (m *Metrics) Ready() error {
	if !m.connected.Load() {
		return errors.New("not connected to Slack yet (auth.test has not succeeded)")
	}
	m.mu.Lock()
	writable := m.writable
	m.mu.Unlock()
	if writable != nil {
		return m.probe.get(writable)
	}
	return nil
}

// probeCache keeps the store probe's result for a second, so frequent
// readiness checks do not each sync the file.
type probeCache struct {
	mu  sync.Mutex
	at  time.Time
	err error
}

func (p *probeCache) get(probe func() error) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if time.Since(p.at) > time.Second {
		p.err, p.at = probe(), time.Now()
	}
	return p.err
}

// Serve serves Handler on addr until ctx is done.
func (m *Metrics) Serve(ctx context.Context, addr string, ready func(addr string)) error {
	return serve(ctx, addr, m.Handler(), ready)
}

// innerLog lets countingLog embed a dialogue.Log whose method Log it
// overrides.
type innerLog = dialogue.Log

// countingLog counts the questions a dialogue.Log logs; the rest it
// passes on.
type countingLog struct {
	innerLog
	m *Metrics
}

// CountLog returns l counting each question it logs in m. A l that is
// dialogue.Watched stays one, so the Desk keeps its index over it.
func (m *Metrics) CountLog(l dialogue.Log) dialogue.Log {
	if w, ok := l.(dialogue.Watched); ok {
		return watchedCountingLog{countingLog{l, m}, w}
	}
	return countingLog{l, m}
}

// watchedCountingLog is a countingLog over a dialogue.Watched log.
type watchedCountingLog struct {
	countingLog
	dialogue.Watched
}

// TimeEngine returns e recording each answer's time and confidence in m.
func (m *Metrics) TimeEngine(e dialogue.Engine) dialogue.Engine { return timedEngine{e, m} }

// Log logs q and counts it.
func (l countingLog) Log(ctx context.Context, q *store.Question) error {
	err := l.innerLog.Log(ctx, q)
	if err == nil {
		l.m.QuestionLogged(q)
	}
	return err
}

// LogOnce logs q unless key was seen, and counts it when logged.
func (l countingLog) LogOnce(ctx context.Context, key string, q *store.Question) (bool, error) {
	first, err := l.innerLog.LogOnce(ctx, key, q)
	if err == nil && first {
		l.m.QuestionLogged(q)
	}
	return first, err
}

// timedEngine times the answers of a dialogue.Engine.
type timedEngine struct {
	dialogue.Engine
	m *Metrics
}

// Answer answers and records the time and confidence.
func (e timedEngine) Answer(question string) (knowledge.Result, error) {
	start := time.Now()
	res, err := e.Engine.Answer(question)
	if err == nil {
		e.m.Answered(time.Since(start), res.Confident)
	}
	return res, err
}
