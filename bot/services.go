package bot

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/hiec/hiecbot/bot/dialogue"
	"github.com/hiec/hiecbot/bot/metrics"
	"github.com/hiec/hiecbot/bot/store"
	"github.com/hiec/hiecbot/config"
	"github.com/hiec/hiecbot/knowledge"
)

// Logger is the logger cfg.Log asks for, writing to w.
func Logger(cfg *config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.Log.Level))
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewTextHandler(w, opts)
	if cfg.Log.Format == "json" {
		h = slog.NewJSONHandler(w, opts)
	}
	return slog.New(redactHandler{next: h, r: cfg.Redactor()})
}

// Engine builds the knowledge index from the guide, the configured
// sources and every published clarification in records (when not nil).
func Engine(cfg *config.Config, records dialogue.Records) (*knowledge.Engine, error) {
	opts := knowledge.Options{Sources: cfg.Knowledge.Sources, FAQ: cfg.Knowledge.FAQ,
		Synonyms: cfg.Knowledge.Synonyms, Questions: cfg.Knowledge.Questions}
	if len(opts.Sources) > 0 {
		opts.CacheDir = cfg.KnowledgeCacheDir()
	}
	e, err := knowledge.New(opts)
	if err != nil {
		return nil, UsageError{referredFrom(cfg, err)}
	}
	if records != nil {
		if _, err := LoadPublished(e, records); err != nil {
			e.Close()
			return nil, err
		}
	}
	return e, nil
}

// referredFrom names the config line that refers to the source, FAQ,
// synonyms or questions file an index error is about, so the operator
// knows where to look.
func referredFrom(cfg *config.Config, err error) error {
	if cfg.File == "" {
		return err
	}
	msg := err.Error()
	key, path := "", ""
	for i, src := range cfg.Knowledge.Sources {
		if strings.Contains(msg, src) {
			key, path = fmt.Sprintf("knowledge.sources[%d]", i), src
		}
	}
	if f := cfg.Knowledge.FAQ; f != "" && strings.Contains(msg, f) {
		key, path = "knowledge.faq", f
	}
	for i, f := range cfg.Knowledge.Synonyms {
		if strings.Contains(msg, f) {
			key, path = fmt.Sprintf("knowledge.synonyms[%d]", i), f
		}
	}
	for i, f := range cfg.Knowledge.Questions {
		if strings.Contains(msg, f) {
			key, path = fmt.Sprintf("knowledge.questions[%d]", i), f
		}
	}
	if key == "" {
		return err
	}
	return fmt.Errorf("%s:%d: %s names %s, which cannot be used: %w", cfg.File, cfg.Line(key), key, path, err)
}

// Services are the question log, the knowledge index over the sources
// and its NSG answers, and the Desk that answers with both: what chat and
// serve share.
type Services struct {
	Store  *store.Store
	Engine *knowledge.Engine
	Desk   *dialogue.Desk
}

// Open opens the question log and builds the index and the Desk; opts
// gets the store's ledger. With m, the
// Desk's answers are timed and its questions counted, and m watches the
// store.
func Open(cfg *config.Config, opts dialogue.Options, m *metrics.Metrics) (*Services, error) {
	st, err := store.Open(cfg.Storage.Path, store.Options{Timeout: time.Second, Location: cfg.Reminders.Location()})
	if err != nil {
		return nil, err
	}
	e, err := Engine(cfg, dialogue.Offline{Store: st})
	if err != nil {
		st.Close()
		return nil, err
	}
	if c := e.Cache(); c.Err != nil && opts.Logger != nil {
		opts.Logger.Warn("knowledge cache not written; the next start reads the sources again", "err", c.Err)
	}
	opts.Ledger = st.Ledger()
	var engine dialogue.Engine = e
	var log dialogue.Log = st
	if m != nil {
		engine, log = m.TimeEngine(e), m.CountLog(st)
		m.Watch(st)
	}
	return &Services{Store: st, Engine: e, Desk: dialogue.New(engine, log, opts)}, nil
}

// Close closes the index and the question log.
func (s *Services) Close() {
	s.Engine.Close()
	s.Store.Close()
}
