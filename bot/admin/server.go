package admin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/hiec/hiecbot/bot/dialogue"
	"github.com/hiec/hiecbot/bot/store"
)

// Server timeouts. A request is small and read at once; a response may
// stream a whole export or backup, so writes get longer.
const (
	readTimeout  = 30 * time.Second
	writeTimeout = 10 * time.Minute
	idleTimeout  = time.Minute
)

// Maintenance is what backup and check need from the store; *store.Store
// is one.
type Maintenance interface {
	Backup(w io.Writer) (int64, error)
	// RecordBackup records a finished backup in the audit trail.
	RecordBackup(by, to string, size int64) error
	Check() error
	Outbox(f store.OutboxFilter) ([]store.Message, error)
}

// header marks every response of a hiecbot admin server, so the client
// never takes another program's answer for the bot's.
const header = "X-Hiecbot-Admin"

// Handler serves r and m over HTTP for Client.
func Handler(r dialogue.Records, m Maintenance) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /questions", func(w http.ResponseWriter, req *http.Request) {
		f, err := filterFromQuery(req.URL.Query())
		if err != nil {
			writeError(w, err)
			return
		}
		qs, err := r.List(f)
		if err != nil {
			writeError(w, err)
			return
		}
		writeJSON(w, qs)
	})
	mux.HandleFunc("GET /questions/{id}", func(w http.ResponseWriter, req *http.Request) {
		q, err := r.Get(req.PathValue("id"))
		if err != nil {
			writeError(w, err)
			return
		}
		writeJSON(w, q)
	})
	mux.HandleFunc("POST /questions/{id}/answer", func(w http.ResponseWriter, req *http.Request) {
		var body struct{ Text, By string }
		if err := json.NewDecoder(io.LimitReader(req.Body, 1<<20)).Decode(&body); err != nil {
			writeError(w, fmt.Errorf("%w: bad request body: %v", errBadRequest, err))
			return
		}
		q, err := r.Answer(req.Context(), req.PathValue("id"), body.Text, body.By)
		if err != nil {
			writeError(w, err)
			return
		}
		writeJSON(w, q)
	})
	mux.HandleFunc("POST /questions/{id}/cite", func(w http.ResponseWriter, req *http.Request) {
		var body struct{ Citation, By string }
		if err := json.NewDecoder(io.LimitReader(req.Body, 1<<20)).Decode(&body); err != nil {
			writeError(w, fmt.Errorf("%w: bad request body: %v", errBadRequest, err))
			return
		}
		q, err := r.Cite(req.Context(), req.PathValue("id"), body.Citation, body.By)
		if err != nil {
			writeError(w, err)
			return
		}
		writeJSON(w, q)
	})
	mux.HandleFunc("POST /questions/{id}/publish", func(w http.ResponseWriter, req *http.Request) {
		var body struct{ Question, Answer, By string }
		if err := json.NewDecoder(io.LimitReader(req.Body, 1<<20)).Decode(&body); err != nil && !errors.Is(err, io.EOF) {
			writeError(w, fmt.Errorf("%w: bad request body: %v", errBadRequest, err))
			return
		}
		q, err := r.Publish(req.Context(), req.PathValue("id"), store.Wording{Question: body.Question, Answer: body.Answer}, body.By)
		if err != nil {
			writeError(w, err)
			return
		}
		writeJSON(w, q)
	})
	mux.HandleFunc("GET /questions/{id}/history", func(w http.ResponseWriter, req *http.Request) {
		h, err := r.History(req.PathValue("id"))
		if err != nil {
			writeError(w, err)
			return
		}
		if h == nil {
			h = []store.AuditEntry{}
		}
		writeJSON(w, h)
	})
	mux.HandleFunc("GET /audit/verify", func(w http.ResponseWriter, req *http.Request) {
		n, err := r.VerifyAudit()
		var (
			ae *store.AuditError
			re *store.RecordError
		)
		if err != nil && !errors.As(err, &ae) && !errors.As(err, &re) {
			writeError(w, err)
			return
		}
		writeJSON(w, auditVerdict{Entries: n, Broken: ae, Record: re})
	})
	mux.HandleFunc("GET /audit/export", func(w http.ResponseWriter, req *http.Request) {
		format, err := store.ParseFormat(req.URL.Query().Get("format"))
		if err != nil {
			writeError(w, fmt.Errorf("%w: %v", errBadRequest, err))
			return
		}
		stream(w, func(w io.Writer) (int64, error) {
			n, err := r.ExportAudit(w, format, req.URL.Query().Get("by"))
			return int64(n), err
		})
	})
	mux.HandleFunc("GET /export", func(w http.ResponseWriter, req *http.Request) {
		query := req.URL.Query()
		f, err := filterFromQuery(query)
		if err != nil {
			writeError(w, err)
			return
		}
		format, err := store.ParseFormat(query.Get("format"))
		if err != nil {
			writeError(w, fmt.Errorf("%w: %v", errBadRequest, err))
			return
		}
		stream(w, func(w io.Writer) (int64, error) {
			n, err := r.Export(w, format, f, query.Get("by"))
			return int64(n), err
		})
	})
	mux.HandleFunc("GET /ledger", func(w http.ResponseWriter, req *http.Request) {
		sent, err := r.Sent(req.URL.Query().Get("key"))
		if err != nil {
			writeError(w, err)
			return
		}
		writeJSON(w, sent)
	})
	mux.HandleFunc("GET /backup", func(w http.ResponseWriter, req *http.Request) {
		stream(w, m.Backup)
	})
	mux.HandleFunc("POST /backup/record", func(w http.ResponseWriter, req *http.Request) {
		var body struct {
			By, To string
			Bytes  int64
		}
		if err := json.NewDecoder(io.LimitReader(req.Body, 1<<20)).Decode(&body); err != nil {
			writeError(w, fmt.Errorf("%w: bad request body: %v", errBadRequest, err))
			return
		}
		if err := m.RecordBackup(body.By, body.To, body.Bytes); err != nil {
			writeError(w, err)
			return
		}
		writeJSON(w, true)
	})
	mux.HandleFunc("GET /outbox", func(w http.ResponseWriter, req *http.Request) {
		f := store.OutboxFilter{Status: req.URL.Query().Get("status"), QuestionID: req.URL.Query().Get("question")}
		msgs, err := m.Outbox(f)
		if err != nil {
			writeError(w, err)
			return
		}
		if msgs == nil {
			msgs = []store.Message{}
		}
		writeJSON(w, msgs)
	})
	mux.HandleFunc("GET /check", func(w http.ResponseWriter, req *http.Request) {
		if err := m.Check(); err != nil {
			writeError(w, err)
			return
		}
		writeJSON(w, "ok")
	})
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		w.Header().Set(header, "1")
		mux.ServeHTTP(w, req)
	})
}

// stream sends what write writes; its outcome travels in trailers, since
// the status is sent before the end is known.
func stream(w http.ResponseWriter, write func(io.Writer) (int64, error)) {
	w.Header().Set("Trailer", "X-Stream-Error, X-Stream-Count")
	w.Header().Set("Content-Type", "application/octet-stream")
	n, err := write(w)
	if err != nil {
		w.Header().Set("X-Stream-Error", err.Error())
		return
	}
	w.Header().Set("X-Stream-Count", strconv.FormatInt(n, 10))
}

var errBadRequest = errors.New("bad request")

// auditVerdict is the answer to GET /audit/verify: how many entries were
// checked and, when the chain breaks, the first entry that does not match.
type auditVerdict struct {
	Entries int               `json:"entries"`
	Broken  *store.AuditError `json:"broken,omitempty"`
	// Record is the first record that does not match the trail.
	Record *store.RecordError `json:"record,omitempty"`
}

func filterFromQuery(v url.Values) (store.Filter, error) {
	f, err := store.ParseFilter(strings.Join(v["status"], ","), v.Get("since"), v.Get("until"), time.UTC)
	if err != nil {
		return f, fmt.Errorf("%w: %v", errBadRequest, err)
	}
	return f, nil
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// Status codes the client maps back to the store's sentinel errors.
const statusDamaged = 520

// writeError sends err's message with a code the client maps back to the
// store's sentinel errors.
func writeError(w http.ResponseWriter, err error) {
	code := http.StatusInternalServerError
	switch {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, dialogue.ErrNoPassage):
		code = http.StatusNotFound
	case errors.Is(err, store.ErrConflict), errors.Is(err, dialogue.ErrNoBidderChannel):
		code = http.StatusConflict
	case errors.Is(err, store.ErrEmpty):
		code = http.StatusUnprocessableEntity
	case errors.Is(err, errBadRequest):
		code = http.StatusBadRequest
	case errors.Is(err, store.ErrDamaged):
		code = statusDamaged
	}
	http.Error(w, err.Error(), code)
}

// Server is an admin socket, bound and ready to serve.
type Server struct {
	path string
	ln   net.Listener
	srv  *http.Server
	log  *slog.Logger
}

// Listen binds the admin socket at path, making its folder (mode 0700)
// when it is missing. It fails with an error saying what to do when the
// socket cannot be served: the path is too long for a Unix socket, the
// folder or a socket there belongs to another user or is open to others,
// or another bot already serves it. A stale socket left by a crashed bot
// is replaced. log may be nil.
func Listen(path string, h http.Handler, log *slog.Logger) (*Server, error) {
	if len(path) > maxSocketPath {
		return nil, fmt.Errorf("admin socket %s: the path is %d bytes, longer than the %d a Unix socket allows: move the store (storage.path) to a folder with a shorter path", path, len(path), maxSocketPath)
	}
	dir := filepath.Dir(path)
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("admin socket %s: make its folder: %w", path, err)
	}
	if err := checkDir(dir); err != nil {
		return nil, fmt.Errorf("admin socket %s: %w", path, err)
	}
	switch err := checkSocket(path); {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("admin socket %s: %w; remove it", path, err)
	default:
		if c, err := net.DialTimeout("unix", path, 200*time.Millisecond); err == nil {
			c.Close()
			return nil, fmt.Errorf("admin socket %s: another hiecbot is already serving this store; stop it first", path)
		}
		if err := os.Remove(path); err != nil {
			return nil, fmt.Errorf("admin socket %s: remove the stale socket: %w", path, err)
		}
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("admin socket %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("admin socket %s: %w", path, err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{path: path, ln: &peerListener{Listener: ln, log: log}, log: log}
	s.srv = &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	return s, nil
}

// Path is the socket's path.
func (s *Server) Path() string { return s.path }

// Serve serves until ctx is done, then finishes the requests in flight
// and removes the socket.
func (s *Server) Serve(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.srv.Shutdown(sctx)
	})
	defer stop()
	err := s.srv.Serve(s.ln)
	_ = os.Remove(s.path)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return fmt.Errorf("admin socket %s: %w", s.path, err)
}

// Close stops serving at once and removes the socket.
func (s *Server) Close() error {
	err := s.srv.Close()
	_ = s.ln.Close()
	_ = os.Remove(s.path)
	return err
}

// peerListener accepts only connections from processes of this user.
type peerListener struct {
	net.Listener
	log *slog.Logger
}

func (l *peerListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		uid, err := peerUIDOf(c)
		if err == nil && uid == os.Getuid() {
			return c, nil
		}
		l.log.Warn("admin socket: refused a connection from another user", "peer_uid", uid, "err", err)
		c.Close()
	}
}
