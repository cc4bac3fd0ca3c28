package knowledge

// Params holds every tuned number of the answer pipeline, with what it
// means. DefaultParams were fitted on the training corpora and the
// confidence threshold chosen on the validation corpora (see
// eval_test.go and the corpora's README); no number here is about one
// document.
type Params struct {
	// Retrieval (BM25F over the postings, see postings.go).

	// Candidates is how many passages retrieval returns for re-ranking
	// (besides the best few of each document).
	Candidates int
	// TitleBoost and AltBoost weigh a match in a passage's heading path and
	// in its alternative phrasings (FAQ questions, staff citations) against
	// a match in its body.
	TitleBoost, AltBoost float64
	// SynonymBoost weighs a match on a synonym against one on the
	// question's own word.
	SynonymBoost float64

	// Colloquial is the share of its weight a question's word loses when
	// it is fully colloquial: said at least 10^ColloquialScale times as
	// often as it is written (lexicon/colloquial.txt); a word said less
	// often than that loses a part of it in proportion (see colloquialCut).
	Colloquial, ColloquialScale float64

	// Coverage: how much of a question a passage contains, each part of the
	// question weighted by its rarity (IDF).

	// SynonymCredit is the share of a part's weight earned by a passage
	// that has only a synonym of it, and PartialCredit the share earned per
	// word found of a several-word part found incomplete.
	SynonymCredit, PartialCredit float64
	// Window is the length, in words, of the stretch of a passage's body
	// over which WindowCoverage is measured: the answer to a question is
	// usually in one place, not spread over a long section.
	Window int

	// Ranking: a passage's score is the weighted sum of its features, each
	// between 0 and 1, plus its source's prior.
	WBM25, WCoverage, WTitle, WWindow, WPhrase float64
	// WTypeMiss is taken from the score of a passage that lacks the kind of
	// fact the question asks for (a date for "when", an amount for "how
	// much"...). Fitted to 0 since the corpora's questions came with
	// phrasings: a missing fact still weighs in the confidence (CTypeMiss)
	// and says why an answer is not confident, but does not reorder.
	WTypeMiss float64

	// Confidence: the estimated chance that the top passage answers the
	// question is a logistic function of its features (see decide).
	// Its inputs are listed at confInputs.
	CBias, CCoverage, CWindow, CTitle, CTypeMiss, CMargin, CCoverLead, CUnknown, CShort float64
	// MinConfidence is the chance from which an answer is given as
	// confident, chosen on the validation corpora so that at least 95% of
	// confident answers are right.
	MinConfidence float64
}

// DefaultParams are the fitted parameters.
var DefaultParams = Params{
	Candidates:      20,
	TitleBoost:      1.5,
	AltBoost:        1.5,
	SynonymBoost:    0.5,
	Colloquial:      0.8,
	ColloquialScale: 0.4,
	SynonymCredit:   0.6,
	PartialCredit:   0.4,
	Window:          10,

	WBM25:     0.20,
	WCoverage: 1.00,
	WTitle:    0.50,
	WWindow:   0.50,
	WPhrase:   0.30,
	WTypeMiss: 0.00,

	CBias:      -2.48,
	CCoverage:  3.15,
	CWindow:    0.76,
	CMargin:    3.68,
	CUnknown:   -0.70,
	CTypeMiss:  -0.52,
	CTitle:     0.27,
	CCoverLead: -1.42,
	CShort:     -1.73,

	MinConfidence: 0.86,
}

// confCoeffs returns the coefficients of the confidence model in the order
// of confInputs.
func (p *Params) confCoeffs() []*float64 {
	return []*float64{&p.CBias, &p.CCoverage, &p.CWindow, &p.CTitle, &p.CTypeMiss, &p.CMargin, &p.CCoverLead, &p.CUnknown, &p.CShort}
}
