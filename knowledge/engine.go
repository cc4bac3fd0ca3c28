package knowledge

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/search/query"
)

// ErrEmptyQuestion is returned by Answer for a question that is empty or
// only white space.
var ErrEmptyQuestion = errors.New(`question is empty: ask about the HIEC guide, e.g. "When are detailed bids due?"`)

// ErrClosed is returned by the methods of an Engine after Close.
var ErrClosed = errors.New("knowledge engine is closed")

// Options lists the knowledge added to the embedded guide and press release.
type Options struct {
	// Sources are Markdown (.md, .markdown) or plain-text files. Markdown is
	// split into passages at headings (# to ######), each cited
	// "<file>: <heading>"; text before the first heading is cited "<file>".
	// Plain text is split into paragraphs at blank lines, each cited
	// "<file>: paragraph N".
	Sources []string
	// FAQ is an optional YAML file of questions and answers: a list of
	// entries with the keys question and answer (required) and
	// alternatives (a list of other phrasings of the question); any other
	// key is an error. For example:
	//
	//	- question: When are detailed bids due?
	//	  answer: By 19 October 2009.
	//	  alternatives:
	//	    - What is the deadline for full bids?
	//
	// The question and its alternatives are searched as the entry's
	// title, the answer is its text, and it is cited "<file>: <question>".
	FAQ string
}

// Answer is a passage offered as an answer, with its citation.
type Answer struct {
	// Source is "Guide", "DH press release", a source file's base name,
	// "FAQ" or "NSG".
	Source string `json:"source"`
	// Ref locates the passage in its source: "slide 17", "Notes to editors
	// 4", a heading, "paragraph 2", an FAQ question or an NSG question id.
	Ref   string `json:"ref"`
	Title string `json:"title"`
	// Text is the passage's full text, lines joined by "\n".
	Text string `json:"text"`
	// Citation is what a bidder can follow: "Guide, slide 17: Application
	// process", "DH press release, 11 May 2009: Notes to editors 4",
	// "faq.yaml: <question>", "notes.md: <heading>", "NSG answer to Q-0042".
	Citation string `json:"citation"`
	// Score ranks the answers of one question, higher first: the share of
	// the question the passage covers (0 to 1) plus smaller bonuses for
	// other evidence. Scores of different questions are not comparable.
	Score float64 `json:"score"`
	// Highlight is the line of Text that best matches the question, with
	// the matching words in Slack mrkdwn bold (*word*); a line longer than
	// about 200 characters is cut to the part around the first match, and
	// cuts are shown by "…". It is empty when only the title matched.
	Highlight string `json:"highlight,omitempty"`
}

// Result is the answer to a question.
type Result struct {
	Question string `json:"question"`
	// Confident reports whether the best answer covers the question well
	// enough to be given as the answer; see confident.
	Confident bool `json:"confident"`
	// Answers holds at most three passages, best first. It may be non-empty
	// when Confident is false, to show what came closest.
	Answers []Answer `json:"answers"`
}

// Engine answers questions from passages indexed in memory. Its methods
// are safe for concurrent use.
type Engine struct {
	analyzer analysis.Analyzer
	aspects  map[string]bool // keys of the thesaurus's aspect concepts
	hubs     map[string]bool // keys of the thesaurus's hub concepts
	generic  map[string]bool // stems of the thesaurus's generic words
	known    *vocabulary     // for spelling correction; guarded by mu

	mu       sync.RWMutex
	index    bleve.Index // nil once closed
	passages map[string]*indexed
	df       map[string]int // number of passages containing each term
	// slides holds the passages of the guide's slides by slideKey, and
	// lastSlide the highest slide number (see slides.go).
	slides    map[string]*indexed
	lastSlide int
}

// New builds an engine from the embedded guide and press release plus the
// sources and FAQ in opts. Errors name the file at fault.
func New(opts Options) (*Engine, error) {
	ps, err := embeddedPassages()
	if err != nil {
		return nil, err
	}
	for _, path := range opts.Sources {
		sp, err := loadSource(path)
		if err != nil {
			return nil, err
		}
		ps = append(ps, sp...)
	}
	if opts.FAQ != "" {
		fp, err := loadFAQ(opts.FAQ)
		if err != nil {
			return nil, err
		}
		ps = append(ps, fp...)
	}
	m, err := newMapping()
	if err != nil {
		return nil, err
	}
	th, err := compileThesaurus(thesaurusText)
	if err != nil {
		return nil, err
	}
	idx, err := newIndex(m)
	if err != nil {
		return nil, fmt.Errorf("open index: %w", err)
	}
	e := &Engine{
		analyzer: m.AnalyzerNamed(analyzerName),
		aspects:  th.aspects,
		hubs:     th.hubs,
		generic:  th.generic,
		index:    idx,
		passages: make(map[string]*indexed, len(ps)),
		df:       make(map[string]int),
		slides:   make(map[string]*indexed),
		known:    th.vocabulary(),
	}
	batch := idx.NewBatch()
	for _, p := range ps {
		ip := analyse(e.analyzer, p)
		if err := batch.Index(ip.id, ip.document()); err != nil {
			_ = idx.Close()
			return nil, fmt.Errorf("index %s: %w", p.citation, err)
		}
		e.put(ip)
	}
	if err := idx.Batch(batch); err != nil {
		_ = idx.Close()
		return nil, fmt.Errorf("index passages: %w", err)
	}
	return e, nil
}

// put records ip in the engine's passages and term statistics, replacing
// any passage with the same id. The caller holds e.mu or owns e.
func (e *Engine) put(ip *indexed) {
	if old, ok := e.passages[ip.id]; ok {
		for k := range old.terms {
			if e.df[k]--; e.df[k] == 0 {
				delete(e.df, k)
			}
		}
	}
	e.passages[ip.id] = ip
	if n := slideOf(ip.ref); n > 0 && strings.HasPrefix(ip.id, "corpus:") {
		ip.term(slideKey(n))
		e.slides[slideKey(n)] = ip
		e.lastSlide = max(e.lastSlide, n)
	}
	for _, text := range []string{ip.context, ip.searchTitle, ip.label, ip.text} {
		e.known.addText(text)
	}
	for k := range ip.terms {
		e.df[k]++
	}
}

// Passages returns the number of indexed passages.
func (e *Engine) Passages() int {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return len(e.passages)
}

// Close releases the index. Later calls to Answer and AddNSGAnswer fail
// with ErrClosed; closing twice is harmless.
func (e *Engine) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.index == nil {
		return nil
	}
	err := e.index.Close()
	e.index = nil
	return err
}

// AddNSGAnswer adds, or replaces, the National Steering Group's answer to
// the question with the given id (such as "Q-0042"). The passage is titled
// with the question as asked, holds the answer, is cited "NSG answer to
// <id>" and is searchable as soon as AddNSGAnswer returns.
func (e *Engine) AddNSGAnswer(id, question, answer string) error {
	id, question, answer = strings.TrimSpace(id), strings.TrimSpace(question), strings.TrimSpace(answer)
	switch {
	case id == "":
		return errors.New("NSG answer: id is empty")
	case question == "":
		return fmt.Errorf("NSG answer %s: question is empty", id)
	case answer == "":
		return fmt.Errorf("NSG answer %s: answer is empty", id)
	}
	ip := analyse(e.analyzer, passage{
		id:     "nsg:" + id,
		source: "NSG", ref: id, title: question, text: answer,
		citation: "NSG answer to " + id, searchTitle: question,
		prior: answerPrior,
	})
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.index == nil {
		return ErrClosed
	}
	if err := e.index.Index(ip.id, ip.document()); err != nil {
		return fmt.Errorf("NSG answer %s: %w", id, err)
	}
	e.put(ip)
	return nil
}

// Answer finds the passages that best answer question.
func (e *Engine) Answer(question string) (Result, error) {
	question = strings.TrimSpace(question)
	if question == "" {
		return Result{}, ErrEmptyQuestion
	}
	res := Result{Question: question, Answers: []Answer{}}
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.index == nil {
		return Result{}, ErrClosed
	}
	units := e.analyze(question)
	if len(units) == 0 {
		return res, nil
	}
	q := newQuestion(units)
	hits, err := e.search(q)
	if err != nil {
		return Result{}, fmt.Errorf("search %q: %w", question, err)
	}
	ranked := e.rank(q, hits)
	res.Confident = confident(ranked)
	for i, r := range ranked {
		if i == maxAnswers {
			break
		}
		res.Answers = append(res.Answers, r.answer())
	}
	return res, nil
}

const maxAnswers = 3

// analyze returns the units of a question (see analyzeQuestion), its
// misspellings corrected and its references to the last slide resolved.
func (e *Engine) analyze(question string) []unit {
	units := analyzeQuestion(e.analyzer, e.known.correct(question))
	e.resolveSlides(units)
	return units
}

// search runs one bleve query: every key of q, in the title (boosted) and
// the body.
func (e *Engine) search(q *question) ([]hit, error) {
	clauses := make([]query.Query, 0, 2*len(q.keys))
	for _, k := range q.keys {
		t := query.NewTermQuery(k)
		t.SetField(fieldTitle)
		t.SetBoost(titleBoost)
		b := query.NewTermQuery(k)
		b.SetField(fieldBody)
		clauses = append(clauses, t, b)
	}
	req := bleve.NewSearchRequestOptions(query.NewDisjunctionQuery(clauses), candidateCount, 0, false)
	sr, err := e.index.Search(req)
	if err != nil {
		return nil, err
	}
	hits := make([]hit, 0, len(sr.Hits))
	for _, h := range sr.Hits {
		if ip, ok := e.passages[h.ID]; ok {
			hits = append(hits, hit{ip: ip, bm25: roundScore(h.Score)})
		}
	}
	// A slide the question refers to is a candidate even if its words
	// are not among the best matches.
	for _, u := range q.units {
		ip := e.slides[u.keys[0]]
		if ip == nil {
			continue
		}
		found := false
		for _, h := range hits {
			found = found || h.ip == ip
		}
		if !found {
			hits = append(hits, hit{ip: ip})
		}
	}
	return hits, nil
}

// roundScore drops the last bits of a bleve score. They depend on the
// order in which a batch happened to index the passages (a map's), and
// left in they would make ties, and so answers, differ from run to run.
func roundScore(x float64) float64 { return math.Round(x*1e6) / 1e6 }

// AddClarification adds, or replaces, a clarification the National
// Steering Group has published to every bidder, numbered in its own
// sequence ("C-001"). It is titled with the question as published, holds
// the answer as published and is cited "NSG clarification <number>".
func (e *Engine) AddClarification(number, question, answer string) error {
	number, question, answer = strings.TrimSpace(number), strings.TrimSpace(question), strings.TrimSpace(answer)
	switch {
	case number == "":
		return errors.New("clarification: number is empty")
	case question == "":
		return fmt.Errorf("clarification %s: question is empty", number)
	case answer == "":
		return fmt.Errorf("clarification %s: answer is empty", number)
	}
	return e.index1(passage{
		id:     "clarification:" + number,
		source: "NSG", ref: number, title: question, text: answer,
		citation: "NSG clarification " + number, searchTitle: question,
		prior: answerPrior,
	})
}

// index1 analyses p and adds it to the index, replacing any passage with
// the same id.
func (e *Engine) index1(p passage) error {
	ip := analyse(e.analyzer, p)
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.index == nil {
		return ErrClosed
	}
	if err := e.index.Index(ip.id, ip.document()); err != nil {
		return fmt.Errorf("index %s: %w", p.citation, err)
	}
	e.put(ip)
	return nil
}

// ErrNoPassage is returned by AddPhrasing for a citation that names no
// passage, or more than one.
var ErrNoPassage = errors.New("no passage has that citation")

// Lookup resolves a citation as a person typed it ("Guide, slide 17",
// "guide, slide 17: application process") to its passage: the passage
// whose citation equals it, ignoring case and surrounding space, or else
// the only passage whose citation starts with it. A citation that matches
// none, or starts several, is not found.
func (e *Engine) Lookup(citation string) (Answer, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	ip := e.lookup(citation)
	if ip == nil {
		return Answer{}, false
	}
	return scored{hit: hit{ip: ip}}.answer(), true
}

// lookup is Lookup's search; the caller holds e.mu.
func (e *Engine) lookup(citation string) *indexed {
	c := strings.ToLower(strings.Join(strings.Fields(citation), " "))
	if c == "" {
		return nil
	}
	var prefix *indexed
	n := 0
	for _, ip := range e.passages {
		pc := strings.ToLower(ip.citation)
		if pc == c {
			return ip
		}
		if strings.HasPrefix(pc, c) {
			prefix, n = ip, n+1
		}
	}
	if n == 1 {
		return prefix
	}
	return nil
}

// AddPhrasing indexes question as another way of asking what the passage
// cited by citation (resolved as by Lookup) answers, so that the next
// question put that way finds it. It returns ErrNoPassage when the
// citation names no single passage.
func (e *Engine) AddPhrasing(citation, question string) error {
	question = strings.TrimSpace(question)
	if question == "" {
		return ErrEmptyQuestion
	}
	e.mu.RLock()
	ip := e.lookup(citation)
	e.mu.RUnlock()
	if ip == nil {
		return fmt.Errorf("%w: %q", ErrNoPassage, citation)
	}
	p := ip.passage
	p.searchTitle = strings.TrimSpace(p.searchTitle + "\n" + question)
	return e.index1(p)
}
