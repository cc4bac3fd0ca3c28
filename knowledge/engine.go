package knowledge

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
)

// ErrEmptyQuestion is returned by Answer for a question that is empty or
// only white space.
var ErrEmptyQuestion = errors.New(`question is empty: ask a question about the sources, e.g. "When are detailed bids due?"`)

// ErrClosed is returned by the methods of an Engine after Close.
var ErrClosed = errors.New("knowledge engine is closed")

// ErrNoPassage is returned by AddPhrasing for a citation that names no
// passage, or more than one.
var ErrNoPassage = errors.New("no passage has that citation")

// Options lists the knowledge added to, or in place of, the embedded
// corpus.
type Options struct {
	// Sources are Markdown (.md, .markdown), HTML (.html, .htm),
	// reStructuredText (.rst, .rest), Word (.docx), OpenDocument text
	// (.odt), PDF or plain-text files; a PDF's text is read as plain text
	// is.
	// Markdown, HTML, reStructuredText and office documents are split into
	// passages at headings (an office document's heading styles) and cited
	// "<file>: <heading> › <subheading>"; text before the first heading is
	// cited "<file>: opening text". Plain text is split at the headings it
	// has (see plainHeadings), or else at blank lines, each paragraph
	// cited "<file>: paragraph N". A
	// section longer than about 400 words (a page) is split at paragraphs into
	// parts, cited "... (part 2)". Files are UTF-8, or UTF-16 with a
	// byte-order mark.
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
	// phrasings, the answer is its text, and it is cited "<file>:
	// <question>".
	FAQ string
	// Questions are YAML files of questions that passages of the sources
	// (or of the embedded corpus) answer, in the words bidders use: a list
	// of entries with the keys cite (a passage's citation, as Answer
	// gives it, or the start of only one) and questions. For example:
	//
	//	- cite: "rfq.md: 9.3 Oral interview › 9.3.3 Location"
	//	  questions:
	//	    - Where will the oral interview take place?
	//	    - do we have to travel for the interview?
	//
	// Each question is one of the passage's phrasings, matched as a whole
	// question; none is shown or cited.
	Questions []string
	// Synonyms are files of the operator's own equivalences, in the
	// syntax of lexicon/synonyms.txt: one group a line ("quote,
	// quotation"), or "a => b".
	Synonyms []string
	// NoEmbedded leaves out the embedded corpus (the guide and press
	// release, and their vocabulary), for an engine over other documents
	// only.
	NoEmbedded bool
	// CacheDir, when not empty, is a folder where each source's passages
	// and terms are saved once analysed, and read back while the file is
	// unchanged (see cache.go): start-up with large sources then costs
	// little more than reading them. The folder is the engine's own.
	CacheDir string
	// MaxSourceBytes limits the size of each file; zero means
	// DefaultMaxSourceBytes.
	MaxSourceBytes int64
	// Params overrides DefaultParams when not nil.
	Params *Params
}

// Answer is a passage offered as an answer, with its citation.
type Answer struct {
	// Source is "Guide", "DH press release", a source file's base name,
	// "FAQ" or "NSG".
	Source string `json:"source"`
	// Ref locates the passage in its source: "slide 17", a heading path,
	// "paragraph 2", an FAQ question or a clarification number.
	Ref   string `json:"ref"`
	Title string `json:"title"`
	// Text is the passage's full text, lines joined by "\n".
	Text string `json:"text"`
	// Citation is what a bidder can follow: "Guide, slide 17: Application
	// process", "rfq.md: 9.3 Oral interview › 9.3.3 Location", "faq.yaml:
	// <question>", "NSG clarification C-001".
	Citation string `json:"citation"`
	// Score ranks the answers of one question, higher first. Scores of
	// different questions are not comparable.
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
	// Confident reports whether the best answer is given as the answer:
	// the estimated chance that it answers the question (Probability) is
	// at least the threshold chosen so that 95% of confident answers are
	// right on the validation corpora, and the question names something
	// to look for (not only "what day is it?": see decide).
	Confident bool `json:"confident"`
	// Answers holds at most three passages, best first. It may be non-empty
	// when Confident is false, to show what came closest.
	Answers []Answer `json:"answers"`
	// Probability is the estimated chance that the first answer answers
	// the question.
	Probability float64 `json:"probability"`
	// Reason says in a few words why the answer is, or is not, confident.
	Reason string `json:"reason"`
	// Explain, set by Engine.Explain only, shows every stage's work.
	Explain *Explanation `json:"explain,omitempty"`
}

// Citations returns the answers' citations, in order.
func Citations(as []Answer) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.Citation
	}
	return out
}

// SeeAlsoShare is the share of the best answer's score another answer
// must have to be offered beside it ("See also"): one far behind shares
// a word or two with the question, not its subject.
const SeeAlsoShare = 0.5

// SeeAlso returns the answers after the first that are worth offering
// beside it: those scoring at least SeeAlsoShare of its score (all of
// them when the first has no score to compare with).
func (r Result) SeeAlso() []Answer {
	if len(r.Answers) < 2 {
		return nil
	}
	if r.Answers[0].Score <= 0 {
		return slices.Clone(r.Answers[1:])
	}
	var out []Answer
	for _, a := range r.Answers[1:] {
		if a.Score >= SeeAlsoShare*r.Answers[0].Score {
			out = append(out, a)
		}
	}
	return out
}

// Explanation shows how a question was answered, stage by stage.
type Explanation struct {
	Normalised string            `json:"normalised"`
	Dropped    []string          `json:"dropped"` // fillers removed
	Asks       []string          `json:"asks"`    // kinds of fact asked for
	Units      []ExplainedUnit   `json:"units"`
	Candidates []ExplainedAnswer `json:"candidates"`
	Decision   decision          `json:"decision"`
}

// ExplainedUnit is one part of a question.
type ExplainedUnit struct {
	Words    string   `json:"words"` // the stems of the question's words
	Synonyms []string `json:"synonyms,omitempty"`
	Weight   float64  `json:"weight"`
	Known    bool     `json:"known"` // some passage has it
	// Colloquial is the share of its weight it lost as a word of
	// conversation more than of documents ("get", "want").
	Colloquial float64 `json:"colloquial,omitempty"`
}

// ExplainedAnswer is a candidate passage with its features.
type ExplainedAnswer struct {
	Citation string   `json:"citation"`
	Score    float64  `json:"score"`
	Features features `json:"features"`
	Missing  []string `json:"missing,omitempty"` // kinds of fact it lacks
	// Phrasing is the question the passage answers (one of its
	// alternative phrasings) most like the question asked, and Likeness
	// how like, between 0 and 1 (see Engine.bestAlt).
	Phrasing string  `json:"phrasing,omitempty"`
	Likeness float64 `json:"likeness,omitempty"`
}

// Engine answers questions from passages indexed in memory. Its methods
// are safe for concurrent use.
type Engine struct {
	params      Params
	full, words analysis.Analyzer
	lex         *lexicon

	mu       sync.RWMutex
	closed   bool
	known    *vocabulary // for spelling correction
	inv      *postings
	passages map[string]*indexed
	df       map[string]int // number of passages containing each term
	// termsGen changes whenever a term starts or stops being in some
	// passage (a key of df is added or deleted).
	termsGen uint64
	// statsGen changes whenever df or the number of live passages does
	// (a passage is added or replaced).
	statsGen uint64
	// roots holds the terms of the passages by their first minRoot
	// letters, for derive.
	roots map[string][]string
	seq   int
	cache CacheStats
}

// New builds an engine from the embedded corpus (unless opts.NoEmbedded)
// plus the sources, FAQ, questions and synonyms in opts. Errors name the file at
// fault.
func New(opts Options) (*Engine, error) {
	limit := opts.MaxSourceBytes
	if limit <= 0 {
		limit = DefaultMaxSourceBytes
	}
	full, words, err := newAnalyzers()
	if err != nil {
		return nil, err
	}
	e := &Engine{
		params:   DefaultParams,
		full:     full,
		words:    words,
		inv:      newPostings(),
		lex:      newLexicon(),
		known:    newVocabulary(),
		passages: map[string]*indexed{},
		df:       map[string]int{},
		roots:    map[string][]string{},
	}
	if opts.Params != nil {
		e.params = *opts.Params
	}
	if err := loadEmbeddedLexicon(e.lex, e.full, e.words); err != nil {
		return nil, err
	}
	var ps []passage
	if !opts.NoEmbedded {
		if ps, err = embeddedPassages(); err != nil {
			return nil, err
		}
		if err := embeddedSynonyms(e.lex, e.full); err != nil {
			return nil, err
		}
	}
	for _, path := range opts.Synonyms {
		if err := e.lex.loadSynonymsFile(path, limit, e.full); err != nil {
			return nil, err
		}
	}
	for _, w := range e.lex.words {
		e.known.add(w)
	}
	for _, p := range ps {
		e.put(analyse(e.full, p))
	}
	for _, path := range opts.Sources {
		if err := e.addSource(path, limit, opts.CacheDir); err != nil {
			return nil, err
		}
	}
	if opts.FAQ != "" {
		fp, err := loadFAQ(opts.FAQ, limit)
		if err != nil {
			return nil, err
		}
		for _, p := range fp {
			e.put(analyse(e.full, p))
		}
	}
	for _, path := range opts.Questions {
		if err := e.addQuestions(path, limit); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// addSource adds the passages of the source file at path, from the cache
// in dir when it holds them (and dir is not empty), else by reading the
// file, and then saves them there. The caller owns e.
func (e *Engine) addSource(path string, limit int64, dir string) error {
	data, err := readFile(path, limit)
	if err != nil {
		return fmt.Errorf("knowledge source %s: %w", path, err)
	}
	key := ""
	if dir != "" {
		// Keyed by the file's bytes: a PDF or a Word document unchanged
		// is not read again.
		if key, err = cacheKey(path, data); err != nil {
			return err
		}
		if cs := readCached(dir, key); cs != nil {
			e.putCached(cs)
			e.cache.Loaded++
			return nil
		}
	}
	text, err := sourceText(path, data, limit)
	if err != nil {
		return fmt.Errorf("knowledge source %s: %w", path, err)
	}
	ps := sourcePassages(path, text)
	if len(ps) == 0 {
		return fmt.Errorf("knowledge source %s: no text to index", path)
	}
	ips := make([]*indexed, len(ps))
	for i, p := range ps {
		ips[i] = analyse(e.full, p)
		e.put(ips[i])
	}
	e.cache.Built++
	if dir != "" {
		if err := writeCached(dir, key, ips); err != nil {
			e.cache.Err = fmt.Errorf("knowledge cache %s: %w", dir, err)
		}
	}
	return nil
}

// Cache says how New read the sources.
func (e *Engine) Cache() CacheStats { return e.cache }

// put records ip in the engine's passages and term statistics, replacing
// any passage with the same id. The caller holds e.mu or owns e.
func (e *Engine) put(ip *indexed) {
	ip.analysis()
	keys := make([]string, 0, len(ip.terms))
	infos := make([]*termInfo, 0, len(ip.terms))
	for k, t := range ip.terms {
		keys, infos = append(keys, k), append(infos, t)
	}
	e.putTerms(ip, keys, infos)
	// Staff phrasings hold only words known already (see AddPhrasing).
	for _, text := range append([]string{ip.titleText(), ip.text}, ip.alts...) {
		e.known.addText(text)
	}
}

// putTerms records ip with its terms (keys, and where each occurs), as
// put does, without adding its words to the vocabulary.
func (e *Engine) putTerms(ip *indexed, keys []string, infos []*termInfo) {
	e.statsGen++
	old, replaced := e.passages[ip.id]
	num := int32(-1)
	if replaced {
		ip.seq, num = old.seq, old.num
		old.analysis()
		for k := range old.terms {
			if e.df[k]--; e.df[k] == 0 {
				delete(e.df, k)
				e.termsGen++
			}
		}
	} else {
		e.seq++
		ip.seq = e.seq
	}
	ip.num = e.inv.add(ip, num, keys, infos)
	e.passages[ip.id] = ip
	for _, k := range keys {
		if e.df[k]++; e.df[k] == 1 {
			e.termsGen++
			if len(k) >= minRoot && !slices.Contains(e.roots[k[:minRoot]], k) {
				e.roots[k[:minRoot]] = append(e.roots[k[:minRoot]], k)
			}
		}
	}
}

// Passages returns the number of indexed passages.
func (e *Engine) Passages() int {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return len(e.passages)
}

// PassageInfo describes an indexed passage, for an operator writing a
// questions file (see Options.Questions).
type PassageInfo struct {
	Citation string `json:"citation"` // what a questions file's cite names
	Words    int    `json:"words"`    // of its text
	// Phrasings counts the questions it is known to answer: an FAQ
	// entry's question and alternatives, a questions file's, a corpus
	// file's, and staff citations.
	Phrasings int `json:"questions"`
}

// List returns every indexed passage, in the order they were added.
func (e *Engine) List() []PassageInfo {
	e.mu.RLock()
	defer e.mu.RUnlock()
	ips := make([]*indexed, 0, len(e.passages))
	for _, ip := range e.passages {
		ips = append(ips, ip)
	}
	slices.SortFunc(ips, func(a, b *indexed) int { return a.seq - b.seq })
	out := make([]PassageInfo, len(ips))
	for i, ip := range ips {
		out[i] = PassageInfo{Citation: ip.citation, Words: len(strings.Fields(ip.text)), Phrasings: len(ip.alts) + len(ip.phrasings)}
	}
	return out
}

// Close releases the index. Later calls to Answer and the Add methods
// fail with ErrClosed; closing twice is harmless.
func (e *Engine) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.closed {
		e.closed = true
		e.inv, e.passages = newPostings(), map[string]*indexed{}
	}
	return nil
}

// answerPrior is added to the score of answers written for bidders (FAQ
// entries, NSG clarifications): of passages that answer a question alike,
// they come first.
const answerPrior = 0.05

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
	return e.add(passage{
		id:     "clarification:" + number,
		source: "NSG", ref: number, title: question, text: answer,
		citation: "NSG clarification " + number, alts: []string{question},
		prior: answerPrior,
	})
}

// add analyses p and adds it to the index, replacing any passage with the
// same id.
func (e *Engine) add(p passage) error {
	ip := analyse(e.full, p)
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return ErrClosed
	}
	e.put(ip)
	return nil
}

// Lookup resolves a citation as a person typed it ("Guide, slide 17",
// "guide, slide 17: application process") to its passage: the passage
// whose citation equals it, ignoring case and runs of space, or else the
// only passage whose citation starts with it.
func (e *Engine) Lookup(citation string) (Answer, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	ip := e.lookup(citation)
	if ip == nil {
		return Answer{}, false
	}
	return answerOf(candidate{ip: ip}, nil, nil), true
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
//
// The question is a bidder's and unpublished, so only its words that the
// sources (or the lexicon) already hold are kept: a rival cannot probe
// for a company, a partner or a place someone asked about, for no word
// that only a bidder wrote is ever indexed. When none of its words is
// known, nothing is indexed.
func (e *Engine) AddPhrasing(citation, question string) error {
	question = strings.TrimSpace(question)
	if question == "" {
		return ErrEmptyQuestion
	}
	// Looked up, extended and replaced under one lock: two citations of
	// one passage at once must both be kept.
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return ErrClosed
	}
	ip := e.lookup(citation)
	if ip == nil {
		return fmt.Errorf("%w: %q", ErrNoPassage, citation)
	}
	var kept []string
	for _, t := range e.words.Analyze([]byte(question)) {
		if w := string(t.Term); e.known.has(w) {
			kept = append(kept, w)
		}
	}
	if len(kept) == 0 {
		return nil
	}
	p := ip.passage
	p.phrasings = append(append([]string{}, p.phrasings...), strings.Join(kept, " "))
	e.put(analyse(e.full, p))
	return nil
}

// Answer finds the passages that best answer question.
func (e *Engine) Answer(question string) (Result, error) { return e.answer(question, false) }

// Explain answers question as Answer does and sets Result.Explain.
func (e *Engine) Explain(question string) (Result, error) { return e.answer(question, true) }

const maxAnswers = 3

// answer runs the pipeline: normalise, correct spelling, analyse and
// expand (analyseQuestion), weigh, retrieve, compute features and rank
// (rank), decide.
func (e *Engine) answer(question string, explain bool) (Result, error) {
	question = strings.TrimSpace(question)
	if question == "" {
		return Result{}, ErrEmptyQuestion
	}
	res := Result{Question: question, Answers: []Answer{}}
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.closed {
		return Result{}, ErrClosed
	}
	w := newWork()
	defer w.release()
	q := e.analyseQuestion(e.known.correct(normalise(analysedPart(question))))
	e.derive(q.units)
	e.weigh(q.units, w)
	qu := e.query(q.units, q.asks)
	defer qu.release()
	hits, bm25 := e.retrieve(qu, w)
	ranked := e.rank(qu, q.asks, hits, bm25, w)
	d := e.decide(q.units, ranked)
	if len(q.units) == 0 {
		d.Reason = "the question names nothing to look for"
	}
	res.Confident, res.Probability, res.Reason = d.Confident, round2(d.Probability), d.Reason
	if len(ranked) > 0 {
		n := 0
		for _, u := range q.units {
			for _, form := range u.all {
				n += len(form)
			}
		}
		weights := &w.weights
		weights.reset(n)
		for _, u := range q.units {
			for _, form := range u.all {
				for _, k := range form {
					weights.add(k, u.weight)
				}
			}
		}
		res.Answers = make([]Answer, 0, min(len(ranked), maxAnswers))
		for i, c := range ranked {
			if i == maxAnswers {
				break
			}
			res.Answers = append(res.Answers, answerOf(c, weights, q.asks))
		}
	}
	if explain {
		x := &Explanation{Normalised: q.text, Dropped: q.dropped, Asks: q.asks, Decision: d}
		for _, u := range q.units {
			eu := ExplainedUnit{Words: strings.Join(u.keys, " "), Weight: round2(u.weight), Known: u.known, Colloquial: round2(e.params.colloquialCut(&u))}
			for _, a := range u.alts {
				// A phrase is listed once, though general English and
				// a document's own vocabulary may both give it.
				if syn := strings.Join(a, " "); !slices.Contains(eu.Synonyms, syn) {
					eu.Synonyms = append(eu.Synonyms, syn)
				}
			}
			x.Units = append(x.Units, eu)
		}
		for i, c := range ranked {
			if i == 5 {
				break
			}
			xa := ExplainedAnswer{Citation: c.ip.citation, Score: round2(c.score), Features: c.f.rounded(), Missing: slices.Clone(c.missing)} // c's memory is the answer's
			if c.alt >= 0 && c.altSim > 0 {
				xa.Phrasing, xa.Likeness = c.ip.altList()[c.alt], round2(c.altSim)
			}
			x.Candidates = append(x.Candidates, xa)
		}
		res.Explain = x
	}
	return res, nil
}

// maxAnalysed is how much of a question, in bytes, the pipeline reads: a
// question is a sentence or a few, and one pasted whole from a document
// or a run of keys would cost time in proportion to the square of its
// words (a 1 MB one took 88 s). Result.Question keeps it whole, so the
// NSG gets all of it.
const maxAnalysed = 2000

// analysedPart is the part of q the pipeline reads: all of it, or its first
// maxAnalysed bytes cut at a space.
func analysedPart(q string) string {
	if len(q) <= maxAnalysed {
		return q
	}
	cut := strings.LastIndexAny(q[:maxAnalysed], " \t\n")
	if cut <= 0 {
		cut = maxAnalysed
		for cut > 0 && !utf8.RuneStart(q[cut]) {
			cut--
		}
	}
	return q[:cut]
}

func round2(x float64) float64 { return float64(int64(x*100+0.5)) / 100 }

func (f features) rounded() features {
	return features{round2(f.BM25), round2(f.Coverage), round2(f.Title), round2(f.Window), round2(f.Phrase), f.TypeMiss}
}

// answerOf is the Answer for a candidate; weights (question stems to
// their weight) choose the highlighted line.
func answerOf(c candidate, weights *termWeights, facts []string) Answer {
	a := Answer{
		Source: c.ip.source, Ref: c.ip.ref, Title: c.ip.title, Text: c.ip.text,
		Citation: c.ip.citation, Score: float64(int64(c.score*1e4+0.5)) / 1e4,
	}
	if weights != nil {
		a.Highlight = highlight(c.ip, weights, facts)
	}
	return a
}
