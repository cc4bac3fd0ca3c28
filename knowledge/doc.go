// Package knowledge answers questions with passages of its sources, cited,
// and says when it is not confident that they answer.
//
// It owns the sources (the embedded corpus of corpus/*.yaml, documents
// and an FAQ named in Options, and NSG clarifications added at run time),
// their index and the answer pipeline. It knows nothing of Slack, of the
// question log or of any one document: what a document needs (its
// acronyms, its vocabulary) is data that comes with it (corpus/*.synonyms
// for the embedded corpus, Options.Synonyms for an operator's). It must
// not import any package of this module.
//
// It never composes text: every answer is a passage of a source,
// verbatim.
//
// # Ingestion (ingest.go, rst.go, docx.go, odt.go, pdf.go, faq.go, questions.go)
//
// Files are decoded (UTF-8, or UTF-16 with a byte-order mark; anything
// else is an error naming the file) and parsed into headings and
// paragraphs: Markdown with inline HTML (tables become rows of cells,
// tags are removed, entities decoded, emphasis, link and image markup
// dropped, front matter read for its title), HTML, reStructuredText
// (rewritten as Markdown: underlined titles become headings, directives
// and roles keep their text), Word and OpenDocument texts (.docx, .odt,
// rewritten as HTML: heading styles become headings, table rows lines),
// PDFs (their text,
// by PDFium as WebAssembly, read as plain text), or plain text.
// Passages are the text under each heading path, cited "<file>: <heading>
// › <subheading>"; long sections are split at paragraphs. An FAQ file's
// entries are passages of their own; a questions file adds, to passages
// it cites, questions they answer (alternative phrasings).
//
// # The pipeline (question.go, rank.go)
//
// Each stage is a function with its own tests:
//
//   - normalise: typographic quotes and dashes, white space;
//   - correct: misspelt words to the one known word one edit away
//     (typo.go); a word of English (lexicon/english.txt, made by
//     lexicon/gen/english.go) is not a misspelling of another;
//   - analyse: one tokenizer (bleve's Unicode segmentation) in two chains
//     (index.go): stems for searching, lower-case words for fillers and
//     cues. Fillers ("could you tell me") are dropped; cues ("when",
//     "how much", "deadline") say what kind of fact is asked for
//     (facts.go);
//   - expand: each term or phrase of the lexicon gets its synonyms
//     (lexicon/synonyms.txt, general English; a document's own file,
//     scoped to that document) and the passages' other forms of its word
//     ("applicant" for "application"); a phrasal verb gets what it
//     means ("turned down": "reject", lexicon/phrasal.txt), not only its
//     bare verb (most particles are stop words, never searched);
//   - weigh: each part of the question by its rarity (IDF); a part no
//     passage mentions weighs the most. A word of conversation more than
//     of documents ("get", "want", "happen") weighs less, by how much
//     more often English says it than writes it (lexicon/colloquial.txt,
//     made by lexicon/gen/colloquial.go from two public corpora): the
//     rarity of a word in one document cannot tell "get" from "deadline";
//     its use in English at large can;
//   - retrieve: BM25F over the heading path, the body and the alternative
//     phrasings (FAQ questions, staff citations, a corpus passage's
//     questions), from the engine's own inverted index (postings.go),
//     keeping the best few of every document;
//   - features: coverage of the question's weight by the passage, by its
//     headings, by its best stretch of a few words, adjacency of the
//     question's neighbouring parts, BM25, and whether it states the kind
//     of fact asked for. Alternative phrasings count one at a time: the
//     one most like the question (bestAlt) lends its coverage, scaled by
//     how like it is, so a passage's phrasings are not one bag of words;
//   - rank: a weighted sum of the features;
//   - decide: the estimated chance that the best passage answers, a
//     logistic function of its features, its lead over the runner-up and
//     the share of the question no passage mentions. Confident means that
//     chance is at least Params.MinConfidence.
//
// Every tuned number is in Params (params.go), fitted by TestFit on the
// fitting corpora of testdata/corpora and checked by TestEval on
// validation and held-out corpora (see testdata/corpora/README.md).
// Engine.Explain shows every stage's work for one question.
package knowledge
