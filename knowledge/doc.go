// Package knowledge answers bidders' questions about the 2009 Health
// Innovation and Education Clusters (HIEC) competition with passages from
// its sources, cited, and says when it is not confident that they answer.
//
// It never composes text: every answer is a passage of a source, verbatim.
// The sources are the guide "Breakthrough to real change in local
// healthcare" and the Department of Health press release of 11 May 2009,
// curated from damaged text extractions into corpus/*.yaml and embedded in
// the binary; Markdown or plain-text files and an FAQ file named in
// Options; and answers of the National Steering Group added at run time
// with Engine.AddNSGAnswer.
//
// # Search
//
// Passages are indexed in memory with bleve, scored with BM25, in two
// fields: the title (boosted) and the body. Both passages and questions go
// through one English analysis: Unicode words, possessives stripped, lower
// case, the thesaurus (thesaurus.txt, embedded), English stop words, Porter
// stems. The thesaurus maps the words bidders use onto the guide's
// concepts ("cut-off" and "closing date" onto the date, "cash" onto the
// funding, "PQQ" onto "pre-qualification questionnaire") and drops filler
// ("please tell me"), so each question is one bleve search for the
// concepts it names. Before analysis, a question's misspelt words
// ("charitible") are corrected to the one word of the passages or the
// thesaurus within one edit (see typo.go).
//
// # Ranking and confidence
//
// The hits are re-ranked by coverage: the share of the question's parts,
// each weighted by its rarity (IDF), that the passage contains. Words that
// occur in no passage weigh the most. A question is answered confidently
// when the best passage covers enough of it and, if it asks "when" or "how
// much", gives a date or an amount; see confident for the rule and
// TestEval for its calibration. Coverage by hub concepts alone (the
// scheme, bids, the NHS, education) is not enough. A question that asks
// for a kind of fact (a count, an email address, a telephone number, a web
// address, a postal address, a named person, a means of contact) is
// answered only by a passage with that fact on a line that also covers
// the question's topic (see answertype.go); one that asks for a person's
// route into an occupation ("How do I become a social worker?", "How do I
// apply for a training post?") is never answered, for the guide gives no
// career advice. Generic words of the
// thesaurus (verbs, adjectives and abstract nouns of how a question is
// put: "characterise", "envisaged", "wider") weigh little in a question
// that names at least two topics, so a long formal question is judged by
// its topic words; words that name a topic are never generic. Source
// references are context ("according to the press release"), and a slide
// reference ("the opening slide", "slide 7") is a unit that only that
// slide covers (see slides.go). Small talk ("Morning! How are you?",
// "Thanks, that's all I needed.") makes no unit, and a "when" that joins
// a clause to a question ("what post did she hold when ...") asks for no
// date. A passage that covers a
// question's concept only through a broader one it implies ("nurses"
// through "professions") is credited part of the concept's weight. A
// concept of the thesaurus that no passage names ("GP practices", "care
// homes", "tuition fees", "the NHS Long Term Plan") weighs as much as an
// unknown word, earns nothing through a hub it implies (the NHS), and
// keeps a question from the second path to confidence: it is a topic
// the guide lacks.
package knowledge
