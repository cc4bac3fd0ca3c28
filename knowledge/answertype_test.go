package knowledge

import (
	"slices"
	"strings"
	"testing"
)

func TestAnswerTypes(t *testing.T) {
	for _, c := range []struct {
		text string
		want []string
	}{
		{"8 year turnaround in training", []string{typeCount}},
		{"over the next four months, leading to a national selection process", []string{typeCount}},
		{"10 million from DH to create HIECs across England", nil},
		{"The £10 million cash injection", nil},
		{"Detailed bids by 19 Oct", nil},
		{"11 May 2009 03:54 PM", nil},
		{"Guided by Public Contract Regulations 2006", nil},
		{"contact the Department of Health Newsdesk on 020 7210 5221.", []string{typePhone, typeContact}},
		{"can be found at: http://www.dh.gov.uk/en/DH_098887", []string{typeURL}},
		{"write to hiec@dh.gsi.gov.uk", []string{typeEmail, typeContact}},
		{"Richmond House, 79 Whitehall, London SW1A 2NS", []string{typeAddress, typeContact, typeCount}},
		{"Dr Moira Livingston, North East SHA", []string{typePerson}},
	} {
		if got := answerTypes(c.text); !slices.Equal(got, c.want) {
			t.Errorf("answerTypes(%q) = %v, want %v", c.text, got, c.want)
		}
	}
}

func TestAskedTypes(t *testing.T) {
	for _, c := range []struct {
		q    string
		want []string
	}{
		{"How many HIECs will be funded?", []string{typeCount}},
		{"How many millions are on offer?", nil},
		{"What email address do we send the bid to?", []string{typeEmail}},
		{"Is there a phone number for press enquiries?", []string{typePhone}},
		{"Who's the SHA person quoted in the release?", []string{typePerson}},
		{"How do HIECs address the problem?", nil},
		{"We emailed DH last week. When are bids due?", nil},
	} {
		if got := askedTypes(c.q, askedClauses(c.q)); !slices.Equal(got, c.want) {
			t.Errorf("askedTypes(%q) = %v, want %v", c.q, got, c.want)
		}
	}
}

// TestAnswerTypeWanted checks that a question asking for a kind of fact is
// answered only by a passage that gives it next to the question's topic.
func TestAnswerTypeWanted(t *testing.T) {
	e := newTestEngine(t, Options{})
	for q, want := range map[string]bool{
		"How many HIECs will be funded in total?":             false,
		"How many partners does a HIEC need?":                 false,
		"What email address do we send the bid to?":           false,
		"Who should we contact with questions about our bid?": false,
		"Can we quote the guide in our bid?":                  false,
		"How do I apply for a nursing job?":                   false,
		"Is there a bidders' day we can go to?":               false,
		"I'm a journalist, who do I ring?":                    true,
		"Who's the SHA person quoted in the release?":         true,
		"What's Moira Livingston's job?":                      true,
		"How many months does the informal discussion last?":  true,
	} {
		res, err := e.Answer(q)
		if err != nil {
			t.Fatal(err)
		}
		if res.Confident != want {
			t.Errorf("Answer(%q).Confident = %v, want %v%s", q, res.Confident, want, e.explain(q))
		}
	}
}

func TestCareerQuestions(t *testing.T) {
	for _, c := range []struct {
		q    string
		want bool
	}{
		{"How do I become a social worker?", true},
		{"What qualifications do I need to become a dentist?", true},
		{"How do I train to teach in a university?", true},
		{"Can I retrain as a nurse in my forties?", true},
		{"What A levels do I need to study medicine?", true},
		{"How do I apply for a training post in general practice?", true},
		{"How do I get a job at the SHA?", true},
		{"How do organisations apply to become HIECs?", false},
		{"Can a university become part of more than one cluster?", false},
		{"Can we become a community interest company?", false},
		{"Will HIECs train to a national standard?", false},
		{"Is the training to be delivered by universities?", false},
		{"Can we apply for the funding by post?", false},
		{"What does a HIEC do about training posts?", false},
	} {
		got := contains(askedTypes(strings.ToLower(c.q), askedClauses(strings.ToLower(c.q))), typeCareer)
		if got != c.want {
			t.Errorf("%q asks for a career route: %v, want %v", c.q, got, c.want)
		}
	}
}
