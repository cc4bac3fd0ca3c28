package dialogue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/hiec/hiecbot/bot/store"
)

// The admin socket lets `hiecbot questions …` and `hiecbot reminders` work
// while `hiecbot serve` holds the store file (bbolt locks it): the running
// bot serves them on a Unix socket beside the store, readable by the
// file's owner only, and answers given through it reach the live index and
// the asker at once.

// SocketPath is the admin socket of the bot whose store is at storePath.
func SocketPath(storePath string) string { return storePath + ".sock" }

// AdminHandler serves r over HTTP for AdminClient.
func AdminHandler(r Records) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /questions", func(w http.ResponseWriter, req *http.Request) {
		f, err := filterFromQuery(req.URL.Query())
		if err != nil {
			adminError(w, err)
			return
		}
		qs, err := r.List(f)
		if err != nil {
			adminError(w, err)
			return
		}
		writeJSON(w, qs)
	})
	mux.HandleFunc("GET /questions/{id}", func(w http.ResponseWriter, req *http.Request) {
		q, err := r.Get(req.PathValue("id"))
		if err != nil {
			adminError(w, err)
			return
		}
		writeJSON(w, q)
	})
	mux.HandleFunc("POST /questions/{id}/answer", func(w http.ResponseWriter, req *http.Request) {
		var body struct{ Text, By string }
		if err := json.NewDecoder(io.LimitReader(req.Body, 1<<20)).Decode(&body); err != nil {
			adminError(w, fmt.Errorf("%w: bad request body: %v", errBadRequest, err))
			return
		}
		q, err := r.Answer(req.Context(), req.PathValue("id"), body.Text, body.By)
		if err != nil {
			adminError(w, err)
			return
		}
		writeJSON(w, q)
	})
	mux.HandleFunc("POST /questions/{id}/publish", func(w http.ResponseWriter, req *http.Request) {
		q, err := r.Publish(req.Context(), req.PathValue("id"))
		if err != nil {
			adminError(w, err)
			return
		}
		writeJSON(w, q)
	})
	mux.HandleFunc("GET /export", func(w http.ResponseWriter, req *http.Request) {
		query := req.URL.Query()
		f, err := filterFromQuery(query)
		if err != nil {
			adminError(w, err)
			return
		}
		format, err := store.ParseFormat(query.Get("format"))
		if err != nil {
			adminError(w, fmt.Errorf("%w: %v", errBadRequest, err))
			return
		}
		// The export streams, so its outcome travels in trailers.
		w.Header().Set("Trailer", "X-Export-Error, X-Export-Rows")
		w.Header().Set("Content-Type", "application/octet-stream")
		n, err := r.Export(w, format, f)
		if err != nil {
			w.Header().Set("X-Export-Error", err.Error())
			return
		}
		w.Header().Set("X-Export-Rows", strconv.Itoa(n))
	})
	mux.HandleFunc("GET /ledger", func(w http.ResponseWriter, req *http.Request) {
		sent, err := r.ReminderSent(req.URL.Query().Get("key"))
		if err != nil {
			adminError(w, err)
			return
		}
		writeJSON(w, sent)
	})
	return mux
}

var errBadRequest = errors.New("bad request")

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

// adminError sends err's message with a code the client maps back to the
// store's sentinel errors.
func adminError(w http.ResponseWriter, err error) {
	code := http.StatusInternalServerError
	switch {
	case errors.Is(err, store.ErrNotFound):
		code = http.StatusNotFound
	case errors.Is(err, store.ErrConflict):
		code = http.StatusConflict
	case errors.Is(err, store.ErrEmpty):
		code = http.StatusUnprocessableEntity
	case errors.Is(err, errBadRequest):
		code = http.StatusBadRequest
	}
	http.Error(w, err.Error(), code)
}

// ServeAdmin serves r on the Unix socket at path until ctx is done. A
// stale socket left by a crashed bot is replaced; one a live bot answers
// on is an error.
func ServeAdmin(ctx context.Context, path string, r Records) error {
	if c, err := net.DialTimeout("unix", path, 200*time.Millisecond); err == nil {
		c.Close()
		return fmt.Errorf("admin socket %s: another hiecbot is serving this store", path)
	}
	_ = os.Remove(path)
	ln, err := net.Listen("unix", path)
	if err != nil {
		return fmt.Errorf("admin socket %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return fmt.Errorf("admin socket %s: %w", path, err)
	}
	srv := &http.Server{Handler: AdminHandler(r), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	err = srv.Serve(ln)
	_ = os.Remove(path)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return fmt.Errorf("admin socket %s: %w", path, err)
}

// AdminClient is Records served by a running bot.
type AdminClient struct {
	path string
	hc   *http.Client
}

// DialAdmin connects to the bot serving the admin socket at path; it
// returns ok=false when no bot answers there.
func DialAdmin(path string) (*AdminClient, bool) {
	c, err := net.DialTimeout("unix", path, 500*time.Millisecond)
	if err != nil {
		return nil, false
	}
	c.Close()
	tr := &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", path)
	}}
	return &AdminClient{path: path, hc: &http.Client{Transport: tr, Timeout: 10 * time.Minute}}, true
}

func (c *AdminClient) do(method, path string, query url.Values, body any, out any) error {
	u := "http://hiecbot" + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = strings.NewReader(string(b))
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		return err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("running bot at %s: %w", c.path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		return statusError(resp.StatusCode, strings.TrimSpace(string(msg)))
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

func statusError(code int, msg string) error {
	switch code {
	case http.StatusNotFound:
		return fmt.Errorf("%w: %s", store.ErrNotFound, msg)
	case http.StatusConflict:
		return fmt.Errorf("%w: %s", store.ErrConflict, msg)
	case http.StatusUnprocessableEntity:
		return fmt.Errorf("%w: %s", store.ErrEmpty, msg)
	case http.StatusBadRequest:
		return fmt.Errorf("%w: %s", errBadRequest, msg)
	}
	return fmt.Errorf("running bot: %s", msg)
}

func filterQuery(f store.Filter) url.Values {
	v := url.Values{}
	for _, s := range f.Status {
		v.Add("status", string(s))
	}
	if !f.Since.IsZero() {
		v.Set("since", f.Since.Format(time.RFC3339Nano))
	}
	if !f.Until.IsZero() {
		v.Set("until", f.Until.Format(time.RFC3339Nano))
	}
	return v
}

// List lists questions.
func (c *AdminClient) List(f store.Filter) ([]store.Question, error) {
	var qs []store.Question
	err := c.do("GET", "/questions", filterQuery(f), nil, &qs)
	return qs, err
}

// Get returns one question.
func (c *AdminClient) Get(id string) (store.Question, error) {
	var q store.Question
	err := c.do("GET", "/questions/"+url.PathEscape(id), nil, nil, &q)
	return q, err
}

// Answer records, indexes and delivers an NSG answer.
func (c *AdminClient) Answer(_ context.Context, id, text, by string) (store.Question, error) {
	var q store.Question
	err := c.do("POST", "/questions/"+url.PathEscape(id)+"/answer", nil, map[string]string{"Text": text, "By": by}, &q)
	return q, err
}

// Publish publishes a clarification for every bidder.
func (c *AdminClient) Publish(_ context.Context, id string) (store.Question, error) {
	var q store.Question
	err := c.do("POST", "/questions/"+url.PathEscape(id)+"/publish", nil, nil, &q)
	return q, err
}

// ReminderSent reports whether a reminder was sent.
func (c *AdminClient) ReminderSent(key string) (bool, error) {
	var sent bool
	err := c.do("GET", "/ledger", url.Values{"key": {key}}, nil, &sent)
	return sent, err
}

// Export streams an export from the running bot to w.
func (c *AdminClient) Export(w io.Writer, format store.Format, f store.Filter) (int, error) {
	q := filterQuery(f)
	q.Set("format", string(format))
	resp, err := c.hc.Get("http://hiecbot/export?" + q.Encode())
	if err != nil {
		return 0, fmt.Errorf("running bot at %s: %w", c.path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		return 0, statusError(resp.StatusCode, strings.TrimSpace(string(msg)))
	}
	if _, err := io.Copy(w, resp.Body); err != nil {
		return 0, fmt.Errorf("export from running bot: %w", err)
	}
	if msg := resp.Trailer.Get("X-Export-Error"); msg != "" {
		return 0, fmt.Errorf("export from running bot: %s", msg)
	}
	n, err := strconv.Atoi(resp.Trailer.Get("X-Export-Rows"))
	if err != nil {
		return 0, fmt.Errorf("export from running bot: the stream ended early")
	}
	return n, nil
}
