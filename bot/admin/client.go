package admin

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
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/hiec/hiecbot/bot/dialogue"
	"github.com/hiec/hiecbot/bot/store"
)

// Client timeouts: connecting, waiting for the bot's answer, and the
// whole of a streamed export or backup.
const (
	dialTimeout   = 2 * time.Second
	answerTimeout = time.Minute
	streamTimeout = 10 * time.Minute
)

// Client is dialogue.Records, backup and check served by a running bot.
type Client struct {
	path   string
	hc     *http.Client // requests answered at once
	stream *http.Client // exports and backups
}

var _ dialogue.Records = (*Client)(nil)

// Dial connects to the bot serving the admin socket at path. It returns
// an error wrapping ErrNotRunning when no bot answers there, and one
// wrapping ErrUntrusted when the socket, its folder or the process
// serving it belongs to another user: the CLI never sends the NSG's
// commands to a process it cannot trust.
func Dial(path string) (*Client, error) {
	if err := checkSocket(path); errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("admin socket %s: %w", path, ErrNotRunning)
	} else if err != nil {
		return nil, fmt.Errorf("refusing the admin socket %s: %w", path, err)
	}
	if err := checkDir(filepath.Dir(path)); err != nil {
		return nil, fmt.Errorf("refusing the admin socket %s: %w", path, err)
	}
	c := &Client{path: path}
	conn, err := c.dial(context.Background())
	if errors.Is(err, ErrUntrusted) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("admin socket %s: %w (%v)", path, ErrNotRunning, err)
	}
	conn.Close()
	tr := &http.Transport{
		DialContext:           func(ctx context.Context, _, _ string) (net.Conn, error) { return c.dial(ctx) },
		ResponseHeaderTimeout: answerTimeout,
		IdleConnTimeout:       idleTimeout / 2,
	}
	c.hc = &http.Client{Transport: tr, Timeout: answerTimeout}
	c.stream = &http.Client{Transport: tr, Timeout: streamTimeout}
	return c, nil
}

// dial connects and checks the server is this user's process.
func (c *Client) dial(ctx context.Context) (net.Conn, error) {
	d := net.Dialer{Timeout: dialTimeout}
	conn, err := d.DialContext(ctx, "unix", c.path)
	if err != nil {
		return nil, err
	}
	uid, err := peerUIDOf(conn)
	if err != nil || uid != os.Getuid() {
		conn.Close()
		if err != nil {
			return nil, fmt.Errorf("refusing the admin socket %s: %w: cannot tell who serves it: %v", c.path, ErrUntrusted, err)
		}
		return nil, fmt.Errorf("refusing the admin socket %s: %w: it is served by uid %d, not this user (uid %d)", c.path, ErrUntrusted, uid, os.Getuid())
	}
	return conn, nil
}

// Path is the socket the client talks to.
func (c *Client) Path() string { return c.path }

func (c *Client) get(hc *http.Client, method, path string, query url.Values, body any) (*http.Response, error) {
	u := "http://hiecbot" + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = strings.NewReader(string(b))
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		return nil, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("running bot at %s: %w", c.path, err)
	}
	if resp.Header.Get(header) == "" {
		resp.Body.Close()
		return nil, fmt.Errorf("refusing the admin socket %s: %w: what answers there is not a hiecbot", c.path, ErrUntrusted)
	}
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		return nil, statusError(resp.StatusCode, strings.TrimSpace(string(msg)))
	}
	return resp, nil
}

func (c *Client) do(method, path string, query url.Values, body any, out any) error {
	resp, err := c.get(c.hc, method, path, query, body)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("running bot at %s: unreadable answer: %w", c.path, err)
	}
	return nil
}

func statusError(code int, msg string) error {
	switch code {
	case http.StatusNotFound:
		if strings.Contains(msg, dialogue.ErrNoPassage.Error()) {
			return wrapped{msg, dialogue.ErrNoPassage}
		}
		return fmt.Errorf("%w: %s", store.ErrNotFound, msg)
	case http.StatusConflict:
		if strings.Contains(msg, dialogue.ErrNoBidderChannel.Error()) {
			return wrapped{msg, dialogue.ErrNoBidderChannel}
		}
		return fmt.Errorf("%w: %s", store.ErrConflict, msg)
	case http.StatusUnprocessableEntity:
		return fmt.Errorf("%w: %s", store.ErrEmpty, msg)
	case http.StatusBadRequest:
		return fmt.Errorf("%w: %s", errBadRequest, msg)
	case statusDamaged:
		return fmt.Errorf("running bot: %w", wrapped{msg, store.ErrDamaged})
	}
	return fmt.Errorf("running bot: %s", msg)
}

// wrapped is an error message from the bot that already carries its
// sentinel's text, still matching the sentinel.
type wrapped struct {
	msg      string
	sentinel error
}

func (w wrapped) Error() string { return w.msg }
func (w wrapped) Unwrap() error { return w.sentinel }

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
func (c *Client) List(f store.Filter) ([]store.Question, error) {
	var qs []store.Question
	err := c.do("GET", "/questions", filterQuery(f), nil, &qs)
	return qs, err
}

// Get returns one question.
func (c *Client) Get(id string) (store.Question, error) {
	var q store.Question
	err := c.do("GET", "/questions/"+url.PathEscape(id), nil, nil, &q)
	return q, err
}

// Answer records, indexes and delivers an NSG answer.
func (c *Client) Answer(_ context.Context, id, text, by string) (store.Question, error) {
	var q store.Question
	err := c.do("POST", "/questions/"+url.PathEscape(id)+"/answer", nil, map[string]string{"Text": text, "By": by}, &q)
	return q, err
}

// Cite answers with an existing passage, indexes the question as its
// phrasing and delivers it.
func (c *Client) Cite(_ context.Context, id, citation, by string) (store.Question, error) {
	var q store.Question
	err := c.do("POST", "/questions/"+url.PathEscape(id)+"/cite", nil, map[string]string{"Citation": citation, "By": by}, &q)
	return q, err
}

// Publish publishes a clarification for every bidder, in the wording w.
func (c *Client) Publish(_ context.Context, id string, w store.Wording, by string) (store.Question, error) {
	var q store.Question
	err := c.do("POST", "/questions/"+url.PathEscape(id)+"/publish", nil, map[string]string{"Question": w.Question, "Answer": w.Answer, "By": by}, &q)
	return q, err
}

// History returns a question's audit trail.
func (c *Client) History(id string) ([]store.AuditEntry, error) {
	var h []store.AuditEntry
	err := c.do("GET", "/questions/"+url.PathEscape(id)+"/history", nil, nil, &h)
	return h, err
}

// VerifyAudit checks the audit trail in the running bot's store.
func (c *Client) VerifyAudit() (int, error) {
	var v auditVerdict
	if err := c.do("GET", "/audit/verify", nil, nil, &v); err != nil {
		return 0, err
	}
	if v.Broken != nil {
		return v.Entries, v.Broken
	}
	if v.Record != nil {
		return v.Entries, v.Record
	}
	return v.Entries, nil
}

// ExportAudit streams the audit trail from the running bot to w; the bot
// records the export, by by, in the trail.
func (c *Client) ExportAudit(w io.Writer, format store.Format, by string) (int, error) {
	n, err := c.streamTo(w, "/audit/export", url.Values{"format": {string(format)}, "by": {by}}, "audit export")
	return int(n), err
}

// RecordBackup records in the running bot's audit trail a backup, by by,
// written whole to to.
func (c *Client) RecordBackup(by, to string, size int64) error {
	var ok bool
	return c.do("POST", "/backup/record", nil, struct {
		By, To string
		Bytes  int64
	}{by, to, size}, &ok)
}

// Sent reports whether what key names (a reminder, a delivery) was sent.
func (c *Client) Sent(key string) (bool, error) {
	var sent bool
	err := c.do("GET", "/ledger", url.Values{"key": {key}}, nil, &sent)
	return sent, err
}

// Export streams an export from the running bot to w.
func (c *Client) Export(w io.Writer, format store.Format, f store.Filter, by string) (int, error) {
	q := filterQuery(f)
	q.Set("format", string(format))
	q.Set("by", by)
	n, err := c.streamTo(w, "/export", q, "export")
	return int(n), err
}

// Backup streams a consistent copy of the running bot's store to w.
func (c *Client) Backup(w io.Writer) (int64, error) {
	return c.streamTo(w, "/backup", nil, "back up")
}

// Outbox lists the running bot's outbox messages f selects.
func (c *Client) Outbox(f store.OutboxFilter) ([]store.Message, error) {
	q := url.Values{}
	if f.Status != "" {
		q.Set("status", f.Status)
	}
	if f.QuestionID != "" {
		q.Set("question", f.QuestionID)
	}
	var msgs []store.Message
	err := c.do("GET", "/outbox", q, nil, &msgs)
	return msgs, err
}

// Check runs the consistency check on the running bot's store.
func (c *Client) Check() error {
	var ok string
	return c.do("GET", "/check", nil, nil, &ok)
}

func (c *Client) streamTo(w io.Writer, path string, q url.Values, what string) (int64, error) {
	resp, err := c.get(c.stream, "GET", path, q, nil)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(w, resp.Body); err != nil {
		return 0, fmt.Errorf("%s from the running bot: %w", what, err)
	}
	if msg := resp.Trailer.Get("X-Stream-Error"); msg != "" {
		return 0, fmt.Errorf("%s from the running bot: %s", what, msg)
	}
	n, err := strconv.ParseInt(resp.Trailer.Get("X-Stream-Count"), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s from the running bot: the stream ended early", what)
	}
	return n, nil
}
