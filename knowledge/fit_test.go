package knowledge

// TestFit fits DefaultParams' ranking weights and confidence model on the
// "fit" corpora and chooses the confidence threshold on the "validation"
// corpora; held-out corpora are never read. It prints the values to put
// in params.go:
//
//	go test ./knowledge/ -run TestFit -fit -v

import (
	"flag"
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
	"testing"
)

var fitFlag = flag.Bool("fit", false, "run TestFit: fit the ranking and confidence parameters")

// sample is one question with its candidates' features.
type sample struct {
	corpus  string
	inScope bool
	cands   []candidate
	right   []bool // cands[i] answers the question
	units   []unit
}

func collect(t *testing.T, c corpus, p Params) []sample {
	return collectOn(t, engineFor(t, c), c.name, c, p)
}

// fitMixed is an engine over every fit document together, so that the
// weights are fitted for interference too (see TestEvalMixed).
var fitMixed struct {
	once sync.Once
	e    *Engine
	err  error
}

func mixedFitEngine(t *testing.T) *Engine {
	fitMixed.once.Do(func() {
		var opts Options
		for _, c := range corpora {
			if c.role == "fit" && c.doc != "" {
				opts.Sources = append(opts.Sources, c.doc)
			}
		}
		fitMixed.e, fitMixed.err = New(opts)
	})
	if fitMixed.err != nil {
		t.Fatal(fitMixed.err)
	}
	return fitMixed.e
}

func collectOn(t *testing.T, e *Engine, tag string, c corpus, p Params) []sample {
	e.params = p
	qs := loadQuestions(t, c)
	var out []sample
	run := func(q string, expect []string, in bool) {
		a := e.analyseQuestion(e.known.correct(normalise(q)))
		e.derive(a.units)
		e.weigh(a.units, nil)
		qu := e.query(a.units, a.asks)
		hits, bm25 := e.retrieve(qu, nil)
		ranked := e.rank(qu, a.asks, hits, bm25, nil)
		qu.release()
		s := sample{corpus: tag, inScope: in, cands: ranked, units: a.units}
		for _, cd := range ranked {
			s.right = append(s.right, in && matches(cd.ip.title, cd.ip.text, expect))
		}
		out = append(out, s)
	}
	for _, q := range qs.InScope {
		run(q.Q, q.Expect, true)
	}
	for _, q := range qs.OffTopic {
		run(q.Q, nil, false)
	}
	return out
}

func score(p Params, c candidate) float64 {
	return p.WBM25*c.f.BM25 + p.WCoverage*c.f.Coverage + p.WTitle*c.f.Title +
		p.WWindow*c.f.Window + p.WPhrase*c.f.Phrase - p.WTypeMiss*c.f.TypeMiss + c.ip.prior
}

// top1 is the mean over corpora of the share of in-scope questions whose
// best candidate under p is right.
func top1(p Params, samples []sample) float64 {
	right, total := map[string]int{}, map[string]int{}
	for _, s := range samples {
		if !s.inScope {
			continue
		}
		total[s.corpus]++
		best, bi := math.Inf(-1), -1
		for i, c := range s.cands {
			if sc := score(p, c); sc > best+1e-12 {
				best, bi = sc, i
			}
		}
		if bi >= 0 && s.right[bi] {
			right[s.corpus]++
		}
	}
	sum := 0.0
	for k, n := range total {
		sum += float64(right[k]) / float64(n)
	}
	return sum / float64(len(total))
}

// confFeatures are the inputs of the confidence model for a sample under
// p, with whether its best candidate is right.
func confFeatures(p Params, s sample) ([]float64, bool) {
	cands := append([]candidate{}, s.cands...)
	idx := make([]int, len(cands))
	for i := range idx {
		idx[i] = i
		cands[i].score = score(p, cands[i])
	}
	sort.SliceStable(idx, func(a, b int) bool { return cands[idx[a]].score > cands[idx[b]].score })
	e := &Engine{params: p}
	var ranked []candidate
	for _, i := range idx {
		ranked = append(ranked, cands[i])
	}
	if len(ranked) == 0 {
		return nil, false
	}
	d := e.decide(s.units, ranked)
	return confInputs(s.units, ranked, d), s.right[idx[0]]
}

// ascend fits p's ranking weights by coordinate ascent on the mean top-1
// of samples and returns it.
func ascend(p *Params, samples []sample) float64 {
	ws := []*float64{&p.WBM25, &p.WTitle, &p.WWindow, &p.WPhrase, &p.WTypeMiss}
	best := top1(*p, samples)
	for round := 0; round < 3; round++ {
		for _, w := range ws {
			orig := *w
			for _, v := range []float64{0, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2} {
				*w = v
				if s := top1(*p, samples); s > best+1e-9 {
					best, orig = s, v
				}
			}
			*w = orig
		}
	}
	return best
}

func TestFit(t *testing.T) {
	if !*fitFlag {
		t.Skip("run with -fit to fit the parameters")
	}
	// The structural parameters (which change the features) on a small
	// grid; for each, the ranking weights by coordinate ascent on the mean
	// top-1 of the fit corpora.
	var (
		p        Params
		fit, val []sample
		best     = -1.0
	)
	for _, window := range []int{10, 15} {
		for _, tb := range []float64{1.5} {
			for _, sc := range []float64{0.6, 0.9} {
				q := DefaultParams
				q.Window, q.TitleBoost, q.AltBoost, q.SynonymCredit = window, tb, tb, sc
				var f []sample
				for _, c := range corpora {
					if c.role == "fit" {
						f = append(f, collect(t, c, q)...)
						f = append(f, collectOn(t, mixedFitEngine(t), "mixed "+c.name, c, q)...)
					}
				}
				s := ascend(&q, f)
				t.Logf("window %d, title boost %.1f, synonym credit %.1f: fit top-1 %.3f", window, tb, sc, s)
				if s > best {
					best, p, fit = s, q, f
				}
			}
		}
	}
	for _, c := range corpora {
		if c.role == "validation" {
			val = append(val, collect(t, c, p)...)
		}
	}
	t.Logf("ranking: fit top-1 %.3f, validation %.3f", best, top1(p, val))
	// Confidence: logistic regression on the fit corpora.
	var X [][]float64
	var Y []float64
	for _, s := range fit {
		if strings.HasPrefix(s.corpus, "mixed ") {
			continue
		}
		x, y := confFeatures(p, s)
		if x == nil {
			continue
		}
		X = append(X, x)
		Y = append(Y, map[bool]float64{true: 1, false: 0}[y])
	}
	beta := make([]float64, len(X[0]))
	for it := 0; it < 20000; it++ {
		grad := make([]float64, len(beta))
		for i, x := range X {
			z := 0.0
			for j := range x {
				z += beta[j] * x[j]
			}
			pr := 1 / (1 + math.Exp(-z))
			for j := range x {
				grad[j] += (pr - Y[i]) * x[j]
			}
		}
		for j := range beta {
			reg := 0.0
			if j > 0 {
				reg = 0.0005 * beta[j]
			}
			beta[j] -= 2 * (grad[j]/float64(len(X)) + reg)
		}
	}
	for i, c := range p.confCoeffs() {
		*c = beta[i]
	}
	// Threshold: the lowest at which every validation corpus keeps 95%
	// confident precision.
	prob := func(x []float64) float64 {
		z := 0.0
		for j := range x {
			z += beta[j] * x[j]
		}
		return 1 / (1 + math.Exp(-z))
	}
	var chosen float64 = 0.99
	for th := 0.30; th < 0.99; th += 0.01 {
		ok := true
		for _, name := range []string{"guide-blind", "gcloud"} {
			conf, right := 0, 0
			for _, s := range val {
				if s.corpus != name {
					continue
				}
				x, y := confFeatures(p, s)
				if x != nil && prob(x) >= th {
					conf++
					if y {
						right++
					}
				}
			}
			if conf > 0 && float64(right)/float64(conf) < 0.95 {
				ok = false
			}
		}
		if ok {
			chosen = th
			break
		}
	}
	p.MinConfidence = math.Round(chosen*100) / 100
	for _, set := range [][]sample{fit, val} {
		conf, right, in := map[string]int{}, map[string]int{}, map[string]int{}
		for _, s := range set {
			x, y := confFeatures(p, s)
			if s.inScope {
				in[s.corpus]++
			}
			if x != nil && prob(x) >= p.MinConfidence {
				conf[s.corpus]++
				if y {
					right[s.corpus]++
				}
			}
		}
		for k, n := range in {
			t.Logf("%s: confident %.2f of in-scope, precision %.2f", k, float64(conf[k])/float64(n), float64(right[k])/float64(max(1, conf[k])))
		}
	}
	fmt.Printf("\tWindow: %d, TitleBoost: %.1f, AltBoost: %.1f, SynonymCredit: %.1f,\n", p.Window, p.TitleBoost, p.AltBoost, p.SynonymCredit)
	fmt.Printf("\tWBM25: %.2f, WCoverage: %.2f, WTitle: %.2f, WWindow: %.2f, WPhrase: %.2f, WTypeMiss: %.2f,\n", p.WBM25, p.WCoverage, p.WTitle, p.WWindow, p.WPhrase, p.WTypeMiss)
	fmt.Printf("\tCBias: %.2f, CCoverage: %.2f, CWindow: %.2f, CTitle: %.2f, CTypeMiss: %.2f, CMargin: %.2f, CCoverLead: %.2f, CUnknown: %.2f, CShort: %.2f,\n", p.CBias, p.CCoverage, p.CWindow, p.CTitle, p.CTypeMiss, p.CMargin, p.CCoverLead, p.CUnknown, p.CShort)
	fmt.Printf("\tMinConfidence: %.2f,\n", p.MinConfidence)
}
