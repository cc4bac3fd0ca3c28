package knowledge

import (
	"reflect"
	"strings"
	"testing"
)

func TestSplitMarkdown(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []section
	}{
		{"headings of every level", "# One\na\n## Two ##\nb\n###### Six\nc\n", []section{{"One", "a"}, {"Two", "b"}, {"Six", "c"}}},
		{"preamble", "intro line\n\n# H\nbody", []section{{"", "intro line"}, {"H", "body"}}},
		{"empty sections dropped", "# A\n\n# B\n  \n# C\nc", []section{{"C", "c"}}},
		{"hash without space is text", "# H\n#hashtag and #1\n", []section{{"H", "#hashtag and #1"}}},
		{"fenced code", "# H\n```\n# not a heading\n```\ntext", []section{{"H", "```\n# not a heading\n```\ntext"}}},
		{"tilde fence", "# H\n~~~\n# still code\n~~~\n# I\ni", []section{{"H", "~~~\n# still code\n~~~"}, {"I", "i"}}},
		{"indented heading", "   # Indented\nx\n    # code\n", []section{{"Indented", "x\n    # code"}}},
		{"CRLF", "# A\r\nline 1\r\nline 2\r\n", []section{{"A", "line 1\nline 2"}}},
		{"empty", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := splitMarkdown(tt.text); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("splitMarkdown(%q) = %#v, want %#v", tt.text, got, tt.want)
			}
		})
	}
}

func TestSplitPlain(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"one\ntwo\n\nthree\n \t\n\n\nfour", []string{"one\ntwo", "three", "four"}},
		{"\n\n  single  \n", []string{"single"}},
		{"", nil},
	}
	for _, tt := range tests {
		var got []string
		for _, s := range splitPlain(tt.text) {
			got = append(got, s.body)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("splitPlain(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestSourcePassages(t *testing.T) {
	md := sourcePassages("/x/notes.md", "pre\n# Dates\nOct\n# Dates\nNov\n")
	var cites []string
	for _, p := range md {
		cites = append(cites, p.citation)
	}
	if want := []string{"notes.md", "notes.md: Dates", "notes.md: Dates"}; !reflect.DeepEqual(cites, want) {
		t.Errorf("citations %q, want %q", cites, want)
	}
	if md[1].id == md[2].id {
		t.Errorf("sections with the same heading share id %q", md[1].id)
	}
	txt := sourcePassages("/x/notes.txt", "a\n\nb")
	if len(txt) != 2 || txt[1].citation != "notes.txt: paragraph 2" || txt[1].title != "notes.txt" {
		t.Errorf("plain passages %+v", txt)
	}
}

func TestAskedClauses(t *testing.T) {
	tests := []struct {
		q    string
		want []string
	}{
		{"When are bids due?", []string{"When are bids due?"}},
		{"We are a consortium. When is the PQQ due?", []string{"When is the PQQ due?"}},
		{"Sorry - how much is there? Thanks.", []string{"Sorry", "how much is there?"}},
		{"We are a trust in the north east — when's the deadline?", []string{"when's the deadline?"}},
		{"We are a trust in the north east, when's the deadline?", []string{"when's the deadline?"}},
		{"Patricia Hamilton - what's her job?", []string{"Patricia Hamilton", "what's her job?"}},
		{"why the rush - is there a push?", []string{"why the rush", "is there a push?"}},
		{"we're planning - when will we know?", []string{"when will we know?"}},
		{"Is a CIC ok? And a JV?", []string{"Is a CIC ok?", "And a JV?"}},
		{"no question mark here", []string{"no question mark here"}},
		{"See dh.gov.uk/guide: e-learning and cut-off dates?", []string{"e-learning and cut-off dates?"}},
	}
	for _, tt := range tests {
		var got []string
		for _, c := range askedClauses(tt.q) {
			got = append(got, strings.TrimSpace(tt.q[c[0]:c[1]]))
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("askedClauses(%q) = %q, want %q", tt.q, got, tt.want)
		}
	}
}

func TestMaskURLs(t *testing.T) {
	text := "Guide at http://www.dh.gov.uk/en/Publications/DH_1 (see it)."
	got, locs := maskURLs(text)
	if len(got) != len(text) || len(locs) != 1 {
		t.Fatalf("maskURLs = %q, %v", got, locs)
	}
	if want := "Guide at http" + strings.Repeat(" ", len("://www.dh.gov.uk/en/Publications/DH_1")) + " (see it)."; got != want {
		t.Errorf("maskURLs = %q, want %q", got, want)
	}
}
