package knowledge

import (
	"regexp"
	"strings"
)

// Answer types.
//
// Some questions ask for a kind of fact rather than a topic: "how many
// HIECs will there be?" wants a count, "what email address do we send the
// bid to?" an email address, "who is the SHA person quoted?" a named
// person. A passage that covers the question's topic words but holds no
// such fact does not answer it: a paragraph on the £10 million does not
// say how many clusters there will be, and a Newsdesk phone number is not
// an email address. So passages are tagged with the answer types their
// text contains (see answerTypes), and a question that asks for a type
// (see askedTypes) gets a wanted unit with the type's key: only a passage
// that has the type can answer it confidently (see confident).
//
// Answer type keys start with typePrefix, which neither the tokenizer nor
// the thesaurus produces.

const typePrefix = "#"

const (
	typeCount   = typePrefix + "count"   // a number that counts: "four months", "8 year"
	typeEmail   = typePrefix + "email"   // an email address
	typePhone   = typePrefix + "phone"   // a telephone number
	typeURL     = typePrefix + "url"     // a web address
	typeAddress = typePrefix + "address" // a postal address (a UK postcode)
	typePerson  = typePrefix + "person"  // a named person: "Dr Moira Livingston"
	// typeContact is any means of contact: an email address, a telephone
	// number or a postal address.
	typeContact = typePrefix + "contact"
	// typeCareer is a person's route into an occupation: how to become a
	// physiotherapist, qualify as a dentist or apply for a training post.
	// The guide is about organisations forming clusters and gives no
	// career advice, so no passage has it (see careerQuestion).
	typeCareer = typePrefix + "career"
)

// typeConcepts are thesaurus concepts that ask for an answer type: a
// question about whom to contact wants a means of contact. A line gives
// such an answer to a question only if it also covers another specific
// unit of it (see Engine.answersType): the Newsdesk number in "For media
// enquiries please contact ..." answers "who should journalists contact?",
// not "who do we contact about our bid?".
var typeConcepts = map[string]string{conceptPrefix + "contact": typeContact}

var (
	emailPattern    = regexp.MustCompile(`[\w.+-]+@[\w-]+\.[\w.-]+`)
	phonePattern    = regexp.MustCompile(`(?:\+44\s?|\b0)\d{2,4}[\s-]?\d{3,4}[\s-]?\d{3,4}\b`)
	postcodePattern = regexp.MustCompile(`\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b`)
	personPattern   = regexp.MustCompile(`\b(?:Dr|Doctor|Lord|Lady|Baroness|Baron|Professor|Prof|Sir|Dame|Mr|Mrs|Ms|Miss)\.?\s+[A-Z][a-z]+`)
	// numberPattern matches a number in digits or words, with the text
	// around it that tells a count from an amount, a date or a time.
	numberPattern = regexp.MustCompile(`(?i)([£$€]\s?)?\b(\d+(?:[.,]\d+)*|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|hundred|hundreds|dozen|dozens)\b(\s*(?:m|bn|k|million|billion|thousand|%|per\s?cent|percent)\b|:\d)?`)
	monthPattern  = regexp.MustCompile(`(?i)^(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b`)
	yearPattern   = regexp.MustCompile(`^(?:19|20)\d\d$`)
)

// answerTypes returns the answer type keys of text (URLs not masked).
func answerTypes(text string) []string {
	var out []string
	if emailPattern.MatchString(text) {
		out = append(out, typeEmail)
	}
	if urlPattern.MatchString(text) {
		out = append(out, typeURL)
	}
	if phonePattern.MatchString(text) {
		out = append(out, typePhone)
	}
	if postcodePattern.MatchString(text) {
		out = append(out, typeAddress)
	}
	if personPattern.MatchString(text) {
		out = append(out, typePerson)
	}
	if emailPattern.MatchString(text) || phonePattern.MatchString(text) || postcodePattern.MatchString(text) {
		out = append(out, typeContact)
	}
	if hasCount(text) {
		out = append(out, typeCount)
	}
	return out
}

// hasCount reports whether text holds a number that counts something: not
// an amount of money, a percentage, a year, a day of a date, a time or
// part of a telephone number or a web address.
func hasCount(text string) bool {
	text, _ = maskURLs(text)
	text = phonePattern.ReplaceAllStringFunc(text, func(s string) string { return strings.Repeat(" ", len(s)) })
	for _, m := range numberPattern.FindAllStringSubmatchIndex(text, -1) {
		if m[2] >= 0 || m[6] >= 0 { // currency before, or unit or time after
			continue
		}
		num := text[m[4]:m[5]]
		if yearPattern.MatchString(num) {
			continue
		}
		if m[4] > 0 && text[m[4]-1] == ':' {
			continue // minutes of a time
		}
		after := strings.TrimLeft(text[m[5]:], " ")
		if monthPattern.MatchString(after) || endsWithMonth(text[:m[4]]) {
			continue // "19 Oct", "May 2009"
		}
		return true
	}
	return false
}

// endsWithMonth reports whether the last word of s is a month's name.
func endsWithMonth(s string) bool {
	s = strings.TrimRight(s, " ")
	i := strings.LastIndexAny(s, " \n(")
	return monthPattern.MatchString(s[i+1:])
}

// typePhrases are the words of a question that ask for an answer type,
// as sequences of lower-case words (apostrophes and hyphens split words).
var typePhrases = []struct {
	words []string
	key   string
}{
	{[]string{"how", "many"}, typeCount},
	{[]string{"the", "number", "of"}, typeCount},
	{[]string{"what", "number", "of"}, typeCount},
	{[]string{"total", "number"}, typeCount},
	{[]string{"email"}, typeEmail},
	{[]string{"emails"}, typeEmail},
	{[]string{"emailed"}, typeEmail},
	{[]string{"e", "mail"}, typeEmail},
	{[]string{"phone"}, typePhone},
	{[]string{"telephone"}, typePhone},
	{[]string{"phoned"}, typePhone},
	{[]string{"ring"}, typePhone},
	{[]string{"mobile"}, typePhone},
	{[]string{"website"}, typeURL},
	{[]string{"websites"}, typeURL},
	{[]string{"web", "address"}, typeURL},
	{[]string{"web", "site"}, typeURL},
	{[]string{"web", "page"}, typeURL},
	{[]string{"web", "link"}, typeURL},
	{[]string{"url"}, typeURL},
	{[]string{"webpage"}, typeURL},
	{[]string{"download"}, typeURL},
	{[]string{"postal"}, typeAddress},
	{[]string{"postcode"}, typeAddress},
	{[]string{"post", "code"}, typeAddress},
	{[]string{"what", "address"}, typeAddress},
	{[]string{"which", "address"}, typeAddress},
	{[]string{"the", "address"}, typeAddress},
	{[]string{"an", "address"}, typeAddress},
	{[]string{"person"}, typePerson},
	{[]string{"persons"}, typePerson},
	{[]string{"spokesperson"}, typePerson},
	{[]string{"spokesman"}, typePerson},
	{[]string{"spokeswoman"}, typePerson},
	{[]string{"quote"}, typePerson},
	{[]string{"quoted"}, typePerson},
	{[]string{"quotes"}, typePerson},
	{[]string{"quotation"}, typePerson},
	{[]string{"whose", "name"}, typePerson},
	{[]string{"his", "name"}, typePerson},
	{[]string{"her", "name"}, typePerson},
}

// typePhrasesByFirst maps the first word of each type phrase to the
// indexes of the phrases in typePhrases that start with it, in order.
var typePhrasesByFirst = func() map[string][]int {
	m := make(map[string][]int)
	for i, p := range typePhrases {
		m[p.words[0]] = append(m[p.words[0]], i)
	}
	return m
}()

// moneyWords after "how many" ask for an amount, not a count.
var moneyWords = map[string]bool{"million": true, "millions": true, "pounds": true, "quid": true, "billions": true, "grand": true}

// askedTypes returns the answer types that the asking clauses of q ask
// for, in order, without repeats.
func askedTypes(q string, cl clauses) []string {
	type word struct {
		start int
		w     string
	}
	var words []word
	forEachWord(q, func(start, _ int, w string) { words = append(words, word{start, w}) })
	var out []string
	for i := range words {
		if !cl.asked(words[i].start) {
			continue
		}
		if i+2 < len(words) && words[i].w == "how" && words[i+1].w == "many" && moneyWords[words[i+2].w] {
			continue // "how many millions" asks how much
		}
	phrases:
		for _, pi := range typePhrasesByFirst[words[i].w] {
			p := typePhrases[pi]
			if i+len(p.words) > len(words) || contains(out, p.key) {
				continue
			}
			for j, w := range p.words {
				if words[i+j].w != w {
					continue phrases
				}
			}
			out = append(out, p.key)
		}
	}
	var asked []string
	for _, w := range words {
		if cl.asked(w.start) {
			asked = append(asked, w.w)
		}
	}
	if careerQuestion(asked) {
		out = append(out, typeCareer)
	}
	return out
}

// Words of a career question (see careerQuestion).
var (
	// careerVerbs take a person into an occupation: "become", "train as".
	careerVerbs = setOf("train training retrain retraining qualify qualifying")
	articles    = setOf("a an")
	// careerStudies are the degrees one studies to enter a profession.
	careerStudies = setOf("medicine nursing dentistry pharmacy midwifery physiotherapy paramedicine")
	// careerPosts are what a person applies for: "a job at the SHA", "a
	// training post in general practice".
	careerPosts = setOf("job jobs post posts vacancy vacancies position positions placement placements career careers")
	// schemeObjects are what an organisation becomes or joins in the
	// scheme: "become a HIEC", "become part of a cluster", "become a
	// charity". A career verb before one of them asks about the scheme.
	schemeObjects = setOf("hiec hiecs cluster clusters partner partners partnership partnerships member members membership part involved eligible lead bidder bidders consortium consortia legal entity charity charitable company companies joint venture community interest")
)

// careerQuestion reports whether the asking words of a question (lower
// case, in order) ask for a person's route into an occupation: "how do I
// become a social worker?", "what qualifications do I need to become a
// dentist?", "how do I train to teach?", "what A levels do I need to study
// medicine?", "how do I apply for a training post?". Such questions share
// words with the guide ("become", "training", "social care", "professions")
// and would otherwise be answered from them. "Become" or "train" followed
// by what an organisation becomes in the scheme ("become a HIEC", "become
// part of a cluster") does not ask about a career.
func careerQuestion(words []string) bool {
	for i, w := range words {
		next := func(n int) []string { return words[i+1 : min(len(words), i+1+n)] }
		switch {
		case w == "become" || w == "becoming":
			if !anyIn(next(5), schemeObjects) && len(next(1)) > 0 {
				return true
			}
		case careerVerbs[w]:
			// "train as a", "qualify as an", "train to be a", "train to teach"
			n := next(3)
			if len(n) >= 2 && n[0] == "as" && articles[n[1]] ||
				len(n) >= 2 && n[0] == "to" && n[1] == "teach" ||
				len(n) == 3 && n[0] == "to" && (n[1] == "be" || n[1] == "become") && articles[n[2]] {
				if !anyIn(next(6), schemeObjects) {
					return true
				}
			}
		case w == "study" || w == "studying" || w == "read" || w == "reading":
			if n := next(1); len(n) == 1 && careerStudies[n[0]] {
				return true
			}
		case w == "apply" || w == "applying" || w == "get" || w == "getting" || w == "find":
			// "apply for a training post", "get a job at the SHA"; not
			// "apply for funding by post"
			n := next(4)
			for j, x := range n {
				if careerPosts[x] && (j == 0 || n[j-1] != "by" && n[j-1] != "in") &&
					!anyIn(next(6), schemeObjects) {
					return true
				}
			}
		}
	}
	return false
}

// anyIn reports whether any of words is in set.
func anyIn(words []string, set map[string]bool) bool {
	for _, w := range words {
		if set[w] {
			return true
		}
	}
	return false
}
