package knowledge

// PDF files: their text, page by page, read by PDFium (the PDF engine of
// Chromium) compiled to WebAssembly and run by wazero, through
// github.com/klippa-app/go-pdfium. Reading a PDF's text by hand means its
// fonts' encodings, character maps, ligatures and the order of what is
// drawn on a page; PDFium does all of that as a browser does, and as
// WebAssembly it needs no C library and runs sandboxed: it sees no file,
// only the bytes it is given, and is stopped when its time is up. The text
// is then read as any plain-text source is (see plainBlocks): pages end
// with a form feed, as pdftotext ends them.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/klippa-app/go-pdfium"
	pdfiumerrors "github.com/klippa-app/go-pdfium/errors"
	"github.com/klippa-app/go-pdfium/requests"
	"github.com/klippa-app/go-pdfium/webassembly"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
)

// pdfTimeout bounds the reading of one PDF: a file made to keep PDFium
// busy forever is an error, not a start that never ends.
const pdfTimeout = 2 * time.Minute

// pdfMemoryPages bounds PDFium's memory, in WebAssembly pages of 64 KiB:
// 512 MiB. A small file that unpacks to a huge page (a compressed content
// stream of millions of operators) makes PDFium run out of it, an error
// for that file, not 4 GiB of the bot's.
const pdfMemoryPages = 8192

// pdfCompiled keeps PDFium compiled for the life of the process: each
// PDF is read by an instance of its own, started in a tenth of a second
// once the first has compiled it (a second or two).
var pdfCompiled = sync.OnceValue(wazero.NewCompilationCache)

// readPDF returns the text of the PDF data, its pages separated by form
// feeds, read by a PDFium instance of its own within pdfTimeout, and at
// most limit bytes of it (0: no limit).
func readPDF(data []byte, limit int64) (string, error) {
	r := &pdfReader{timeout: pdfTimeout, limit: limit}
	defer r.close()
	return r.text(data)
}

// pdfReader reads a PDF's text with a PDFium instance of its own,
// started by text and closed by close (see readPDF). The first start of
// a process compiles PDFium, within the reader's time.
type pdfReader struct {
	timeout time.Duration // from the start; 0: pdfTimeout
	limit   int64         // of the text of one PDF, in bytes; 0: none
	ctx     context.Context
	cancel  context.CancelFunc
	pool    pdfium.Pool
	inst    pdfium.Pdfium
}

func (r *pdfReader) start() error {
	if r.inst != nil {
		return nil
	}
	if r.timeout <= 0 {
		r.timeout = pdfTimeout
	}
	r.ctx, r.cancel = context.WithTimeout(context.Background(), r.timeout)
	pool, err := webassembly.Init(webassembly.Config{
		Context:  r.ctx,
		MinIdle:  1,
		MaxIdle:  1,
		MaxTotal: 1,
		// No file system: PDFium reads only the bytes it is handed.
		FSConfig: wazero.NewFSConfig(),
		RuntimeConfig: wazero.NewRuntimeConfig().
			WithCoreFeatures(api.CoreFeaturesV2 | experimental.CoreFeaturesExceptionHandling).
			WithCloseOnContextDone(true).
			WithMemoryLimitPages(pdfMemoryPages).
			WithCompilationCache(pdfCompiled()),
		Stdout: io.Discard,
		Stderr: io.Discard,
	})
	if err != nil {
		r.cancel()
		return fmt.Errorf("start the PDF reader: %w", err)
	}
	inst, err := pool.GetInstance(r.timeout)
	if err != nil {
		pool.Close()
		r.cancel()
		return fmt.Errorf("start the PDF reader: %w", err)
	}
	r.pool, r.inst = pool, inst
	return nil
}

// close stops the PDFium instance, if one was started.
func (r *pdfReader) close() {
	if r == nil || r.inst == nil {
		return
	}
	r.inst.Close()
	r.pool.Close()
	r.cancel()
	r.inst, r.pool = nil, nil
}

// text returns the text of the PDF data, its pages separated by form
// feeds. After a fault PDFium is stopped (a reader used again starts
// another).
func (r *pdfReader) text(data []byte) (string, error) {
	if err := r.start(); err != nil {
		return "", err
	}
	text, err := r.pages(data)
	if err != nil {
		r.close()
		return "", err
	}
	if !strings.ContainsFunc(text, unicode.IsLetter) {
		return "", errors.New("is a PDF with no text in it (pages scanned as images?): give a PDF with text, or the document's text")
	}
	return joinHyphens(text), nil
}

func (r *pdfReader) pages(data []byte) (string, error) {
	doc, err := r.inst.OpenDocument(&requests.OpenDocument{File: &data})
	if err != nil {
		return "", r.fault(err)
	}
	defer r.inst.FPDF_CloseDocument(&requests.FPDF_CloseDocument{Document: doc.Document})
	n, err := r.inst.FPDF_GetPageCount(&requests.FPDF_GetPageCount{Document: doc.Document})
	if err != nil {
		return "", r.fault(err)
	}
	var b strings.Builder
	for i := range n.PageCount {
		page, err := r.inst.GetPageText(&requests.GetPageText{Page: requests.Page{ByIndex: &requests.PageByIndex{Document: doc.Document, Index: i}}})
		if err != nil {
			return "", r.fault(fmt.Errorf("page %d: %w", i+1, err))
		}
		if i > 0 {
			b.WriteByte('\f')
		}
		b.WriteString(pdfPlain.Replace(page.Text))
		if r.limit > 0 && int64(b.Len()) > r.limit {
			return "", fmt.Errorf("is a PDF of more than %d bytes of text, over the limit for one source: split it into several files", r.limit)
		}
	}
	return b.String(), nil
}

// pdfPlain tidies PDFium's text: lines end "\n", and control characters
// but the 0x02 of a hyphen at a line's end (see joinHyphens) are spaces.
var pdfPlain = strings.NewReplacer(append([]string{"\r\n", "\n", "\r", "\n"}, controlSpaces()...)...)

// joinHyphens mends the words PDFium returns with a 0x02 where a hyphen
// ended a line: "Agree\x02ment" was hyphenated to fit ("Agreement"), but
// "cloud\x02based" and "G\x02Cloud" were written with their hyphen. A
// word joined is one the document has whole elsewhere, or a word of
// English (lexicon/english.txt); anything else keeps its hyphen.
func joinHyphens(s string) string {
	if !strings.Contains(s, "\x02") {
		return s
	}
	whole := map[string]bool{} // the document's words
	forEachWord(strings.ReplaceAll(s, "\x02", "-"), func(_, _ int, w string) { whole[w] = true })
	var b strings.Builder
	for {
		i := strings.IndexByte(s, 0x02)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		before, after := s[:i], s[i+1:]
		start := len(before)
		for start > 0 {
			r, n := utf8.DecodeLastRuneInString(before[:start])
			if !unicode.IsLetter(r) {
				break
			}
			start -= n
		}
		end := strings.IndexFunc(after, func(r rune) bool { return !unicode.IsLetter(r) })
		if end < 0 {
			end = len(after)
		}
		b.WriteString(before)
		if w := strings.ToLower(before[start:] + after[:end]); start == len(before) || end == 0 || !whole[w] && !englishWords()[w] {
			b.WriteByte('-')
		}
		s = after
	}
}

func controlSpaces() []string {
	var out []string
	for c := rune(0); c < 0x20; c++ {
		if c != '\n' && c != '\r' && c != '\t' && c != '\f' && c != 0x02 {
			out = append(out, string(c), " ")
		}
	}
	return out
}

// fault says what went wrong reading a PDF, in an operator's words:
// PDFium's own traces are not for them.
func (r *pdfReader) fault(err error) error {
	msg, _, _ := strings.Cut(err.Error(), "\n")
	switch {
	case r.ctx.Err() != nil:
		return fmt.Errorf("is a PDF that took the PDF reader more than %s: give its text instead", r.timeout)
	case errors.Is(err, pdfiumerrors.ErrPassword):
		return errors.New("is a PDF protected by a password: give one without, or its text")
	case strings.Contains(msg, "wasm error"):
		return errors.New("is a PDF too large or complex for the PDF reader (it ran out of memory): give its text instead (pdftotext FILE.pdf FILE.txt, from poppler-utils)")
	}
	return fmt.Errorf("is a damaged PDF (%s): give its text instead (pdftotext FILE.pdf FILE.txt, from poppler-utils)", msg)
}
