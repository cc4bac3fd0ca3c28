package knowledge

import (
	"bufio"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
)

// The source cache. Reading a large source costs most of start-up:
// parsing it (a PDF's text takes PDFium a second or two), then analysing
// every passage. With
// Options.CacheDir set, each source file's passages and terms are saved
// there once, under a key made of the file's name and bytes, the stop
// words, the words of English that mend a PDF's hyphens, the PDFium
// version and cacheVersion, and read back while the file is unchanged. A
// passage read from the cache is analysed again (for its spans and lines)
// only when it is first a candidate, which few are.
//
// The cache is only ever a copy: a file that is missing, unreadable,
// damaged or of another version is rebuilt from the source, and a cache
// that cannot be written costs only time (CacheStats says so).

// cacheVersion changes whenever the analysis, the layout below or the
// reading of sources (ingest.go) does: TestCacheVersionFollowsReading
// fails when the passages read from the corpora change and it has not.
const cacheVersion = 32

// CacheStats says how the sources were read.
type CacheStats struct {
	Loaded int   // sources read from the cache
	Built  int   // sources parsed and analysed
	Err    error // why the cache could not be written, if it could not
}

// cachedSource is the layout of a cache file.
type cachedSource struct {
	Version  int
	Key      string
	Terms    []string // every term of the source, numbered for cachedTerm.K
	Passages []cachedPassage
	Words    []string // the source's words, for spelling correction
}

type cachedPassage struct {
	ID, Source, Date, Ref, Title, Text, Citation string
	Path, Alts                                   []string
	Prior                                        float64
	Terms                                        []cachedTerm
}

type cachedTerm struct {
	K         int32 // in cachedSource.Terms
	Pos, TPos []int
	NAlts     int
	Alts      uint64
	InTitle   bool
}

// cacheKey returns the cache key of the source at path holding data.
func cacheKey(path string, data []byte) (string, error) {
	reading, err := readingDigest()
	if err != nil {
		return "", err
	}
	h := sha256.New()
	fmt.Fprintf(h, "hiecbot source cache %d\x00%d:%s\x00%s\x00%d:", cacheVersion, len(path), path, reading, len(data))
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// readingDigest is the digest of what reads a source besides the code
// (cacheVersion): the stop words; the words of English, which mend a
// PDF's hyphenated words; and PDFium's version, which reads its text.
// Any changed, every source reads anew. Worked out once a process.
var readingDigest = sync.OnceValues(func() (string, error) {
	h := sha256.New()
	for _, name := range []string{"lexicon/stopwords.txt", "lexicon/english.txt"} {
		data, err := lexiconFS.ReadFile(name)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s\x00%d:", name, len(data))
		h.Write(data)
	}
	fmt.Fprintf(h, "go-pdfium %s", pdfiumVersion)
	return hex.EncodeToString(h.Sum(nil)), nil
})

// pdfiumVersion is the version of go-pdfium (and so of the PDFium it
// carries) that go.mod requires; TestPDFiumVersion holds them equal.
const pdfiumVersion = "v1.21.5"

func cacheFile(dir, key string) string { return filepath.Join(dir, "source-"+key[:40]+".gob") }

// readCached returns the cached source for key, or nil when there is
// none fit to use.
func readCached(dir, key string) *cachedSource {
	f, err := os.Open(cacheFile(dir, key))
	if err != nil {
		return nil
	}
	defer f.Close()
	return decodeCached(bufio.NewReaderSize(f, 1<<16), key)
}

// decodeCached decodes a cache file, or returns nil when it is not one
// for key. Damage of any kind is a miss: gob's own panics included.
func decodeCached(r io.Reader, key string) (cs *cachedSource) {
	defer func() {
		if recover() != nil {
			cs = nil
		}
	}()
	var c cachedSource
	if err := gob.NewDecoder(r).Decode(&c); err != nil || c.Version != cacheVersion || c.Key != key || !c.valid() {
		return nil
	}
	return &c
}

// valid reports whether every term number is in range, so that a
// damaged file that still decodes cannot make New panic. (Positions out
// of range are harmless: every use of one is bounded.)
func (cs *cachedSource) valid() bool {
	for _, p := range cs.Passages {
		for _, t := range p.Terms {
			if t.K < 0 || int(t.K) >= len(cs.Terms) || t.NAlts < 0 {
				return false
			}
		}
	}
	return true
}

// putCached adds the passages of a cached source. The caller owns e.
func (e *Engine) putCached(cs *cachedSource) {
	for _, cp := range cs.Passages {
		ip := &indexed{analyzer: e.full, passage: passage{
			id: cp.ID, source: cp.Source, date: cp.Date, ref: cp.Ref, title: cp.Title,
			text: cp.Text, citation: cp.Citation, path: cp.Path, alts: cp.Alts, prior: cp.Prior,
		}}
		keys := make([]string, len(cp.Terms))
		infos := make([]*termInfo, len(cp.Terms))
		for i, t := range cp.Terms {
			keys[i] = cs.Terms[t.K]
			infos[i] = &termInfo{inTitle: t.InTitle, nAlts: t.NAlts, alts: t.Alts, pos: t.Pos, tpos: t.TPos}
		}
		e.putTerms(ip, keys, infos)
	}
	for _, w := range cs.Words {
		e.known.add(w)
	}
}

// writeCached saves the analysed passages of a source under key,
// atomically: a reader sees the old file or the new one, never half.
func writeCached(dir, key string, ips []*indexed) error {
	cs := cachedSource{Version: cacheVersion, Key: key}
	num := map[string]int32{}
	words := map[string]bool{}
	for _, ip := range ips {
		cp := cachedPassage{
			ID: ip.id, Source: ip.source, Date: ip.date, Ref: ip.ref, Title: ip.title,
			Text: ip.text, Citation: ip.citation, Path: ip.path, Alts: ip.alts, Prior: ip.prior,
		}
		for k, t := range ip.terms {
			n, ok := num[k]
			if !ok {
				n = int32(len(cs.Terms))
				num[k] = n
				cs.Terms = append(cs.Terms, k)
			}
			cp.Terms = append(cp.Terms, cachedTerm{K: n, Pos: t.pos, TPos: t.tpos, NAlts: t.nAlts, Alts: t.alts, InTitle: t.inTitle})
		}
		for _, text := range append([]string{ip.titleText(), ip.text}, ip.alts...) {
			forEachWord(text, func(_, _ int, w string) {
				if !words[w] {
					words[w] = true
					cs.Words = append(cs.Words, w)
				}
			})
		}
		cs.Passages = append(cs.Passages, cp)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".source-*.tmp")
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(tmp, 1<<16)
	err = errors.Join(gob.NewEncoder(w).Encode(&cs), w.Flush(), tmp.Close())
	if err == nil {
		err = os.Rename(tmp.Name(), cacheFile(dir, key))
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
	}
	return err
}
