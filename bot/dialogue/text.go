package dialogue

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"github.com/hiec/hiecbot/bot/store"
	"github.com/hiec/hiecbot/knowledge"
)

// AnswerText renders a confident answer in mrkdwn: the citation, the
// passage quoted line by line, then the other references.
func AnswerText(res knowledge.Result, id string) string {
	if len(res.Answers) == 0 {
		return ""
	}
	var b strings.Builder
	top := res.Answers[0]
	fmt.Fprintf(&b, "*%s*\n", top.Citation)
	b.WriteString(Quote(top.Text))
	if also := res.SeeAlso(); len(also) > 0 {
		b.WriteString("\nSee also: " + strings.Join(knowledge.Citations(also), "; "))
	}
	if id != "" {
		b.WriteString("\n_If this does not answer your question, ask the NSG._")
	}
	return b.String()
}

// Quote renders text as a mrkdwn block quote.
func Quote(text string) string {
	var b strings.Builder
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		b.WriteString("> ")
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// notCoveredText tells a bidder their question went to the NSG. Like
// every text a bidder sees, it carries no question id: ids are a
// sequence, and would tell bidders how many questions others have asked.
func notCoveredText() string {
	return "I could not find a passage that clearly answers this, so I have passed your question to the National Steering Group. Their answer will come to you in a direct message, and to no one else unless the NSG publishes it for every bidder."
}

// closedText tells a bidder the sources do not cover their question and
// the dialogue has closed, so it was not passed on.
func closedText(closed string) string {
	return "I could not find a passage of the guide, the other sources or the published clarifications that clearly answers this, and the informal dialogue closed on " + closed +
		", so I can no longer pass questions to the National Steering Group. Your question has been logged."
}

// talk is the kind of small talk a message is. This file is the one
// small-talk detector: the answer engine (knowledge) answers questions
// only, and the Desk decides here, before asking it, whether a message is
// a greeting, thanks, a farewell or a request for help.
type talk int

const (
	notSmallTalk talk = iota
	greeting
	thanks
	helpRequest
	farewell
)

var (
	smallTalkWords = map[string]talk{
		"hi": greeting, "hello": greeting, "hey": greeting, "hiya": greeting, "howdy": greeting,
		"morning": greeting, "afternoon": greeting, "evening": greeting, "yo": greeting,
		"thanks": thanks, "thank": thanks, "thx": thanks, "ta": thanks, "cheers": thanks,
		"help": helpRequest,
		"bye":  farewell, "goodbye": farewell,
	}
	// fillers may surround small talk without making it a question.
	fillers = map[string]bool{
		"good": true, "there": true, "you": true, "very": true, "much": true, "so": true,
		"a": true, "lot": true, "again": true, "all": true, "bot": true, "hiecbot": true,
		"please": true, "me": true, "ok": true, "okay": true, "great": true, "many": true,
		"everyone": true, "team": true, "folks": true, "see": true, "later": true, "for": true,
		"that": true, "the": true, "info": true, "answer": true, "oh": true,
	}
	helpPhrases = regexp.MustCompile(`^(what can you do|what do you (do|know)|how does this work|how do i (use|ask)( (you|this|the bot))?|who are you|what are you)$`)
	// chatPhrases are whole messages of chit-chat without a keyword.
	chatPhrases = regexp.MustCompile(`^((are )?you there|how are (you|things)( doing)?( today)?|how's it going|how is it going|how are you doing( today)?|hows it going|that's all( i needed)?|thats all( i needed)?|that is all( i needed)?|that's (great|perfect|helpful)|lol|cool|nice one|perfect|great|brilliant|got it|ok|okay|test|testing)$`)
)

// maxChatPhrase is the length of the longest message chatPhrases matches
// (TestChatPhraseLength): a longer clause is not checked against it.
const maxChatPhrase = 26

// words returns the runs of letters a-z, digits and apostrophes in s, one
// space between each: s with every other character taken for a space, as
// the regexp [^a-z0-9' ]+ replaced by a space and the fields joined.
func words(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '\'' {
			if len(b) > 0 && (i == 0 || !wordByte(s[i-1])) {
				b = append(b, ' ')
			}
			b = append(b, c)
		}
	}
	return string(b)
}

func wordByte(c byte) bool { return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '\'' }

// smallTalk classifies a whole message as a greeting, thanks, a request
// for help or a farewell. A message with any other content word is a
// question ("hello, when are bids due?" is not small talk).
func smallTalk(text string) talk {
	s := strings.ToLower(strings.TrimSpace(text))
	s = words(s)
	// Every help phrase starts with one of these words.
	if (strings.HasPrefix(s, "what ") || strings.HasPrefix(s, "how ") || strings.HasPrefix(s, "who ")) && helpPhrases.MatchString(s) {
		return helpRequest
	}
	for _, clause := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return strings.ContainsRune(".!?,;", r) }) {
		c := words(clause)
		if c == "" {
			continue
		}
		if len(c) <= maxChatPhrase && chatPhrases.MatchString(c) {
			s = strings.TrimSpace(strings.Replace(s, c, "", 1))
		}
	}
	if s == "" {
		return greeting
	}
	found := notSmallTalk
	for _, w := range strings.Fields(s) {
		w = strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		if k, ok := smallTalkWords[w]; ok {
			if found == notSmallTalk || k == helpRequest {
				found = k
			}
			continue
		}
		if !fillers[w] {
			return notSmallTalk
		}
	}
	return found
}

func smallTalkReply(k talk) string {
	switch k {
	case thanks:
		return "You're welcome. Ask me anything else about the HIEC guide."
	case farewell:
		return "Goodbye, and good luck with your bid."
	}
	return Help
}

// Help explains how to ask and what the bot knows.
const Help = `I answer questions about the HIEC guide, "Breakthrough to real change in local healthcare", and the Department of Health's announcement of 11 May 2009, quoting the passage and where it comes from.
Ask in your own words, e.g. "When are detailed bids due?" or "Who decides which clusters are funded?": in a DM, by mentioning me, or with ` + "`/hiec ask <question>`" + `.
If no passage clearly answers your question I pass it to the National Steering Group, and their answer comes back to you.
Commands: ` + "`/hiec help`, `/hiec ask <question>`, `/hiec deadlines`" + `.`

// StaffHelp lists the NSG commands.
const StaffHelp = "NSG commands: `/hiec questions [open|all]`, `/hiec show Q-0042`, `/hiec answer Q-0042 <text>`, `/hiec cite Q-0042 Guide, slide 17`, `/hiec publish Q-0042` (check and reword, then publish), `/hiec history Q-0042`, `/hiec export [csv|json|xlsx] [since YYYY-MM-DD] [until YYYY-MM-DD]`."

// writeQuestionList writes one line a question, at most max lines.
func writeQuestionList(b *strings.Builder, qs []store.Question, max int) {
	for i, q := range qs {
		if i == max {
			fmt.Fprintf(b, "…and %d more.\n", len(qs)-max)
			break
		}
		group := ""
		if n := q.AskedBy(); n > 1 {
			group = fmt.Sprintf(", asked by %d bidders", n)
		}
		if q.Late {
			group += ", late"
		}
		fmt.Fprintf(b, "• *%s* (%s, %s, %s%s): %s\n", q.ID, q.Status, q.AskedAt.Format("2 Jan 2006 15:04 UTC"), asker(q), group, OneLine(q.Question, 200))
	}
}

// OneLine folds s onto one line of at most max runes, ending in … when cut.
func OneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > max {
		return string(r[:max-1]) + "…"
	}
	return s
}

// FollowersWaiting tells staff who answered q privately that the bidders
// following it get that answer only when it is published: "" when no one
// follows it. Each was told, as any asker is, that an answer would come.
func FollowersWaiting(q store.Question) string {
	switch n := q.AskedBy() - 1; {
	case n <= 0:
		return ""
	case n == 1:
		return fmt.Sprintf(" 1 other bidder follows %s and gets the answer only when it is published.", q.ID)
	default:
		return fmt.Sprintf(" %d other bidders follow %s and get the answer only when it is published.", n, q.ID)
	}
}
