package knowledge

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

// The last stages of the pipeline: retrieve candidates, compute their
// features, rank them and decide whether the best one answers.

// retrieve runs one bleve query: every stem of the units, in the three
// fields, synonyms boosted less than the question's own words. The caller
// holds e.mu.
func (e *Engine) retrieve(units []unit) ([]*indexed, map[string]float64, error) {
	var clauses []query.Query
	seen := map[string]bool{}
	add := func(stem string, boost float64) {
		if seen[stem] {
			return
		}
		seen[stem] = true
		for _, f := range []struct {
			field string
			boost float64
		}{{fieldBody, 1}, {fieldTitle, e.params.TitleBoost}, {fieldAlts, e.params.AltBoost}} {
			t := query.NewTermQuery(stem)
			t.SetField(f.field)
			t.SetBoost(boost * f.boost)
			clauses = append(clauses, t)
		}
	}
	for _, u := range units {
		for _, k := range u.keys {
			add(k, 1)
		}
	}
	for _, u := range units {
		for _, alt := range u.alts {
			for _, k := range alt {
				if e.df[k] > 0 { // a word no passage holds finds nothing
					add(k, e.params.SynonymBoost)
				}
			}
		}
	}
	if len(clauses) == 0 {
		return nil, nil, nil
	}
	req := bleve.NewSearchRequestOptions(query.NewDisjunctionQuery(clauses), e.params.Candidates, 0, false)
	sr, err := e.index.Search(req)
	if err != nil {
		return nil, nil, err
	}
	out := make([]*indexed, 0, len(sr.Hits))
	bm25 := make(map[string]float64, len(sr.Hits))
	for _, h := range sr.Hits {
		if ip, ok := e.passages[h.ID]; ok {
			out = append(out, ip)
			// Rounded: the last bits depend on the order a batch indexed
			// the passages in, and would make ties differ between runs.
			bm25[h.ID] = math.Round(h.Score*1e6) / 1e6
		}
	}
	return out, bm25, nil
}

// features are what the ranking and the decision know of a candidate
// passage, each between 0 and 1.
type features struct {
	BM25     float64 `json:"bm25"`     // BM25 score relative to the best candidate's
	Coverage float64 `json:"coverage"` // share of the question's weight the passage contains
	Title    float64 `json:"title"`    // share contained in its heading path or phrasings
	Window   float64 `json:"window"`   // share contained in its best stretch of Window words
	Phrase   float64 `json:"phrase"`   // share of the question's adjacent parts adjacent in the passage
	TypeMiss float64 `json:"typeMiss"` // 1 if the question asks for a kind of fact the passage lacks
}

// candidate is a passage with its features and score.
type candidate struct {
	ip      *indexed
	f       features
	score   float64
	missing []string // kinds of fact asked for and not found
}

// credit returns the share of unit u's weight passage ip earns.
func (e *Engine) credit(u unit, ip *indexed, where func(*termInfo) bool) float64 {
	has := func(stems []string) int {
		n := 0
		for _, s := range stems {
			if t := ip.terms[s]; t != nil && where(t) {
				n++
			}
		}
		return n
	}
	forms := u.forms(ip.doc())
	if has(u.keys) == len(u.keys) {
		return 1
	}
	for _, alt := range forms[1:] {
		if has(alt) == len(alt) {
			return e.params.SynonymCredit
		}
	}
	if len(u.keys) > 1 {
		return e.params.PartialCredit * float64(has(u.keys)) / float64(len(u.keys))
	}
	return 0
}

var (
	anywhere = func(*termInfo) bool { return true }
	inTitle  = func(t *termInfo) bool { return t.inTitle || t.inAlts }
)

// positions returns where unit u's forms that ip holds whole occur in
// its text.
func positions(u unit, ip *indexed) []int {
	var out []int
	for _, form := range u.forms(ip.doc()) {
		whole := true
		for _, s := range form {
			whole = whole && ip.terms[s] != nil
		}
		if !whole {
			continue
		}
		for _, s := range form {
			out = append(out, ip.terms[s].pos...)
		}
	}
	sort.Ints(out)
	return out
}

// featuresOf computes the features of ip for the units (their weights
// summing to total) and the kinds of fact asked for.
func (e *Engine) featuresOf(units []unit, total float64, asks []string, ip *indexed) candidate {
	c := candidate{ip: ip}
	if total <= 0 {
		return c
	}
	credits := make([]float64, len(units))
	titled := make([]bool, len(units))
	type event struct {
		pos, unit int
	}
	var events []event
	for i, u := range units {
		credits[i] = e.credit(u, ip, anywhere)
		tc := e.credit(u, ip, inTitle)
		c.f.Coverage += u.weight * credits[i]
		c.f.Title += u.weight * tc
		titled[i] = tc > 0
		if credits[i] > 0 && !titled[i] {
			for _, p := range positions(u, ip) {
				events = append(events, event{p, i})
			}
		}
	}
	c.f.Coverage /= total
	c.f.Title /= total
	// Best window: the titled units count in every window.
	base := 0.0
	for i, u := range units {
		if titled[i] {
			base += u.weight * credits[i]
		}
	}
	sort.Slice(events, func(a, b int) bool { return events[a].pos < events[b].pos })
	counts := make([]int, len(units))
	best, sum, lo := base, base, 0
	bestAt := -1
	for hi, ev := range events {
		if counts[ev.unit] == 0 {
			sum += units[ev.unit].weight * credits[ev.unit]
		}
		counts[ev.unit]++
		for events[lo].pos <= ev.pos-e.params.Window {
			u := events[lo].unit
			if counts[u]--; counts[u] == 0 {
				sum -= units[u].weight * credits[u]
			}
			lo++
		}
		if sum > best+1e-12 || bestAt < 0 {
			best, bestAt = max(best, sum), (events[lo].pos+events[hi].pos)/2
		}
	}
	// A cue unit the passage lacks is contained when the passage states
	// a fact of its kind near the rest of the question.
	for i, u := range units {
		if u.fact != "" && credits[i] < 1 && e.statesFact(ip, u.fact, bestAt) {
			gain := u.weight * (1 - credits[i])
			c.f.Coverage += gain / total
			best += gain
		}
	}
	c.f.Window = best / total
	// Adjacent parts of the question adjacent in the passage.
	if len(units) > 1 {
		pairs, found := 0, 0
		for i := 0; i+1 < len(units); i++ {
			pairs++
			if adjacent(positions(units[i], ip), positions(units[i+1], ip)) ||
				adjacentTitle(units[i], units[i+1], ip) {
				found++
			}
		}
		c.f.Phrase = float64(found) / float64(pairs)
	}
	// Kinds of fact asked for: on the lines of the best window, or the
	// title.
	for _, k := range asks {
		if !e.statesFact(ip, k, bestAt) {
			c.missing = append(c.missing, k)
		}
	}
	if len(c.missing) > 0 {
		c.f.TypeMiss = 1
	}
	return c
}

// statesFact reports whether ip states a fact of kind k near term number
// at (within the window), or anywhere when at < 0.
func (e *Engine) statesFact(ip *indexed, k string, at int) bool {
	ip.findFacts()
	from, to := 0, len(ip.lineEnds)-1
	if at >= 0 && len(ip.spans) > 0 {
		from = ip.lineOf(max(0, at-e.params.Window))
		to = ip.lineOf(min(len(ip.spans)-1, at+e.params.Window))
	}
	for l := from; l <= to; l++ {
		if ip.facts[l][k] {
			return true
		}
	}
	return ip.titleFacts[k]
}

// adjacent reports whether some position of b follows one of a within
// three terms.
func adjacent(a, b []int) bool {
	j := 0
	for _, p := range a {
		for j < len(b) && b[j] <= p {
			j++
		}
		if j < len(b) && b[j]-p <= 3 {
			return true
		}
	}
	return false
}

func adjacentTitle(u, v unit, ip *indexed) bool {
	var a, b []int
	for _, s := range u.keys {
		if t := ip.terms[s]; t != nil {
			a = append(a, t.tpos...)
		}
	}
	for _, s := range v.keys {
		if t := ip.terms[s]; t != nil {
			b = append(b, t.tpos...)
		}
	}
	sort.Ints(a)
	sort.Ints(b)
	return adjacent(a, b)
}

// rank computes every candidate's features and score and orders them,
// best first; ties go to the passage indexed first.
func (e *Engine) rank(units []unit, asks []string, hits []*indexed, bm25 map[string]float64) []candidate {
	total := 0.0
	for _, u := range units {
		total += u.weight
	}
	top := 0.0
	for _, s := range bm25 {
		top = max(top, s)
	}
	p := e.params
	out := make([]candidate, 0, len(hits))
	for _, ip := range hits {
		c := e.featuresOf(units, total, asks, ip)
		if top > 0 {
			c.f.BM25 = bm25[ip.id] / top
		}
		c.score = p.WBM25*c.f.BM25 + p.WCoverage*c.f.Coverage + p.WTitle*c.f.Title +
			p.WWindow*c.f.Window + p.WPhrase*c.f.Phrase - p.WTypeMiss*c.f.TypeMiss + ip.prior
		out = append(out, c)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].score != out[j].score {
			return out[i].score > out[j].score
		}
		return out[i].ip.seq < out[j].ip.seq
	})
	return out
}

// decision is the verdict on the best candidate.
type decision struct {
	Probability float64 `json:"probability"`
	Threshold   float64 `json:"threshold"`
	Margin      float64 `json:"margin"`  // the best score less the runner-up's
	Unknown     float64 `json:"unknown"` // share of the question's weight no passage mentions
	Confident   bool    `json:"confident"`
	Reason      string  `json:"reason"`
}

// confInputs are the inputs of the confidence model, in the order of
// Params.confCoeffs: 1 (for the bias), the best passage's coverage,
// window coverage, title coverage and missing fact, its lead in score
// (at most 1) and in coverage over the runner-up, the share of the
// question no passage mentions, and 1/(number of parts of the question):
// a one-word question is a weak clue.
func confInputs(units []unit, ranked []candidate, d decision) []float64 {
	b := ranked[0]
	covLead := b.f.Coverage
	if len(ranked) > 1 {
		covLead -= ranked[1].f.Coverage
	}
	return []float64{1, b.f.Coverage, b.f.Window, b.f.Title, b.f.TypeMiss,
		min(d.Margin, 1), covLead, d.Unknown, 1 / float64(max(1, len(units)))}
}

// decide estimates the chance that the best candidate answers the
// question, a logistic function of its features, the lead it has over the
// runner-up and the share of the question no passage mentions.
func (e *Engine) decide(units []unit, ranked []candidate) decision {
	p := e.params
	d := decision{Threshold: p.MinConfidence}
	if len(ranked) == 0 {
		d.Reason = "no passage contains any word of the question"
		return d
	}
	total, unknown := 0.0, 0.0
	var missingWords []string
	for _, u := range units {
		total += u.weight
		if !u.known {
			unknown += u.weight
			missingWords = append(missingWords, strings.Join(u.keys, " "))
		}
	}
	if total > 0 {
		d.Unknown = unknown / total
	}
	b := ranked[0]
	d.Margin = b.score
	if len(ranked) > 1 {
		d.Margin = b.score - ranked[1].score
	}
	x := confInputs(units, ranked, d)
	z := 0.0
	for i, c := range p.confCoeffs() {
		z += *c * x[i]
	}
	d.Probability = 1 / (1 + math.Exp(-z))
	d.Confident = d.Probability >= p.MinConfidence
	switch {
	case d.Confident:
		d.Reason = fmt.Sprintf("p=%.2f ≥ %.2f", d.Probability, p.MinConfidence)
	case len(b.missing) > 0:
		d.Reason = fmt.Sprintf("p=%.2f < %.2f: asks for a %s, the best passage gives none", d.Probability, p.MinConfidence, strings.Join(b.missing, "/"))
	case d.Unknown >= 0.3:
		d.Reason = fmt.Sprintf("p=%.2f < %.2f: no passage mentions %s", d.Probability, p.MinConfidence, strings.Join(missingWords, ", "))
	case b.f.Coverage < 0.6:
		d.Reason = fmt.Sprintf("p=%.2f < %.2f: the best passage covers %.0f%% of the question", d.Probability, p.MinConfidence, 100*b.f.Coverage)
	default:
		d.Reason = fmt.Sprintf("p=%.2f < %.2f: the best passage leads the next by only %.2f", d.Probability, p.MinConfidence, d.Margin)
	}
	return d
}
