package bot

import (
	"errors"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

// TestHelpEverywhere asks for help on every command and subcommand, each
// way a person would: help COMMAND, COMMAND --help and COMMAND -h. Each
// prints what it does, only its flags and an example, to stdout.
func TestHelpEverywhere(t *testing.T) {
	for _, cmd := range commands {
		words := strings.Fields(cmd.name)
		for _, args := range [][]string{
			append([]string{"help"}, words...),
			append(append([]string{}, words...), "--help"),
			append(append([]string{}, words...), "-h"),
		} {
			r := hiecbot(t, "", "", args...)
			if r.err != nil || r.stderr != "" {
				t.Errorf("%v: err = %v, stderr %q", args, r.err, r.stderr)
				continue
			}
			for _, want := range []string{"hiecbot " + cmd.name + ": ", "Usage:", "Example:\n  hiecbot " + words[0]} {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("%v: help lacks %q:\n%s", args, want, r.stdout)
				}
			}
		}
	}
	for _, args := range [][]string{{"questions", "answer", "--help"}, {"questions", "publish", "--help"}} {
		if r := hiecbot(t, "", "", args...); !strings.Contains(r.stdout, "--by NAME") {
			t.Errorf("%v: the flag's value is not named:\n%s", args, r.stdout)
		}
	}
	r := hiecbot(t, "", "", "questions", "list", "--help")
	for _, flag := range []string{"--status STATUS", "--since DATE", "--until DATE", "--json", "--config FILE"} {
		if !strings.Contains(r.stdout, flag) {
			t.Errorf("questions list --help lacks %s:\n%s", flag, r.stdout)
		}
	}
	for _, other := range []string{"--by", "--format", "--out", "--at"} {
		if strings.Contains(r.stdout, other) {
			t.Errorf("questions list --help shows %s, which does not apply:\n%s", other, r.stdout)
		}
	}
	for _, args := range [][]string{{"help"}, {"--help"}, {"-h"}, {"questions", "--help"}, {"help", "questions"}, {"config", "-h"}} {
		r := hiecbot(t, "", "", args...)
		if r.err != nil || !strings.Contains(r.stdout, "ubcommands:") && !strings.Contains(r.stdout, "Commands:") {
			t.Errorf("%v: err = %v\n%s", args, r.err, r.stdout)
		}
	}
	if r := hiecbot(t, "", "", "help"); !strings.Contains(r.stdout, "3 ask answered, but the sources do not cover") {
		t.Errorf("help does not document exit status 3:\n%s", r.stdout)
	}
}

func TestDidYouMean(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"aks", "x"}, `did you mean "ask"`},
		{[]string{"qeustions", "list"}, `did you mean "questions"`},
		{[]string{"remnders"}, `did you mean "reminders"`},
		{[]string{"questions", "lst"}, `did you mean "list"`},
		{[]string{"questions", "exprot"}, `did you mean "export"`},
		{[]string{"config", "chek"}, `did you mean "check"`},
		{[]string{"help", "questions", "shwo"}, `did you mean "questions show"`},
		{[]string{"verison"}, `did you mean "version"`},
	}
	for _, tc := range tests {
		r := hiecbot(t, "", "", tc.args...)
		if !isUsage(r.err) || !strings.Contains(r.err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want a usage error with %q", tc.args, r.err, tc.want)
		}
	}
	if r := hiecbot(t, "", "", "xyzzy"); !isUsage(r.err) || strings.Contains(r.err.Error(), "did you mean") {
		t.Errorf("xyzzy: err = %v, want no suggestion", r.err)
	}
}

func TestUnknownFlagNamesCommand(t *testing.T) {
	r := hiecbot(t, "", "", "questions", "list", "--by", "me")
	if !isUsage(r.err) || !strings.Contains(r.err.Error(), "questions list has no flag --by") || !strings.Contains(r.err.Error(), "hiecbot help questions list") {
		t.Errorf("err = %v", r.err)
	}
}

func TestVersion(t *testing.T) {
	var out strings.Builder
	cli := &CLI{Stdout: &out, BuildInfo: func() (*debug.BuildInfo, bool) {
		return &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/hiec/hiecbot", Version: "v1.2.0"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "cadfbef0123"}, {Key: "vcs.time", Value: "2009-06-03T14:05:00Z"}, {Key: "vcs.modified", Value: "true"}}}, true
	}}
	if err := cli.Run(t.Context(), []string{"version"}); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), "hiecbot v1.2.0 (revision cadfbef0123, 2009-06-03T14:05:00Z, modified) go1.26.8\n"; got != want {
		t.Errorf("version = %q, want %q", got, want)
	}
	// The test binary itself: real build info, no VCS stamp.
	r := hiecbot(t, "", "", "version")
	if r.err != nil || !strings.HasPrefix(r.stdout, "hiecbot ") || !strings.Contains(r.stdout, "go1.") {
		t.Errorf("version: %v %q", r.err, r.stdout)
	}
}

// TestAskJoinsWords: unquoted words are one question, not one each.
func TestAskJoinsWords(t *testing.T) {
	r := hiecbot(t, "", "", "ask", "--json", "When", "are", "detailed", "bids", "due?")
	if r.err != nil {
		t.Fatal(r.err)
	}
	if n := strings.Count(r.stdout, "\n"); n != 1 || !strings.Contains(r.stdout, `"question":"When are detailed bids due?"`) {
		t.Errorf("want one answer to the whole question, got %d:\n%s", n, r.stdout)
	}
	r = hiecbot(t, "", "", "ask", "What's", "the", "weather", "in", "Leeds?")
	if !errors.Is(r.err, ErrNotCovered) {
		t.Errorf("ask (weather): err = %v, want not covered (exit 3)", r.err)
	}
	if ExitCode(r.err) != 3 || !strings.Contains(r.stdout, "clearly answers") {
		t.Errorf("exit %d, stdout %q", ExitCode(r.err), r.stdout)
	}
}

// TestTextMayStartWithDash: an answer or question starting with - is
// text, not a flag, while the command's real flags still work anywhere.
func TestTextMayStartWithDash(t *testing.T) {
	dir := project(t, "")
	if r := hiecbot(t, dir, "Can our consortium recover VAT on equipment?\n", "chat"); r.err != nil {
		t.Fatal(r.err)
	}
	r := hiecbot(t, dir, "", "questions", "answer", "Q-0001", "-5%", "is", "not", "a", "rule", "--by", "J Smith")
	if r.err != nil {
		t.Fatalf("answer: %v", r.err)
	}
	r = hiecbot(t, dir, "", "questions", "show", "--json", "Q-0001")
	if !strings.Contains(r.stdout, `"nsg_answer": "-5% is not a rule"`) || !strings.Contains(r.stdout, `"answered_by": "J Smith (entered by nsg-officer on the command line)"`) {
		t.Errorf("show:\n%s", r.stdout)
	}
	r = hiecbot(t, dir, "", "ask", "-", "can", "a", "university", "lead?")
	if r.err != nil && !errors.Is(r.err, ErrNotCovered) {
		t.Errorf("ask - can…: %v", r.err)
	}
	r = hiecbot(t, dir, "", "ask", "--json", "--", "--json")
	if !strings.Contains(r.stdout, `"question":"--json"`) {
		t.Errorf("ask -- --json: %v\n%s", r.err, r.stdout)
	}
}

func TestAnswerByFallsBack(t *testing.T) {
	dir := project(t, "")
	if r := hiecbot(t, dir, "Can our consortium recover VAT on equipment?\nWhat's the weather in Leeds?\n", "chat"); r.err != nil {
		t.Fatal(r.err)
	}
	for _, tc := range []struct {
		id, osUser, want string
	}{{"Q-0001", "jsmith", "jsmith"}, {"Q-0002", "", "NSG"}} {
		var out strings.Builder
		cli := &CLI{Stdout: &out, Stderr: &out, Username: func() string { return tc.osUser }}
		if err := cli.Run(t.Context(), []string{"--config", filepath.Join(dir, "hiecbot.yaml"), "questions", "answer", tc.id, "An answer."}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), "as "+tc.want+".") {
			t.Errorf("OS user %q: %s", tc.osUser, out.String())
		}
		r := hiecbot(t, dir, "", "questions", "show", "--json", tc.id)
		if !strings.Contains(r.stdout, `"answered_by": "`+tc.want+`"`) {
			t.Errorf("OS user %q: answered_by not %q:\n%s", tc.osUser, tc.want, r.stdout)
		}
	}
}

func TestExportLeavesNoPartialFile(t *testing.T) {
	dir := project(t, "")
	if r := hiecbot(t, dir, "hello\nWhen are bids due?\n", "chat"); r.err != nil {
		t.Fatal(r.err)
	}
	out := filepath.Join(dir, "missing-dir", "q.csv")
	if r := hiecbot(t, dir, "", "questions", "export", "--format", "csv", "--out", out); r.err == nil {
		t.Error("export into a missing folder succeeded")
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), "tmp") {
			t.Errorf("left behind %s", e.Name())
		}
	}
}

// TestHelpExamplesParse: every example in the help is a command line
// hiecbot accepts: its flags exist and its arguments are the right number.
func TestHelpExamplesParse(t *testing.T) {
	for _, cmd := range commands {
		for _, line := range strings.Split(cmd.example, "\n") {
			if i := strings.Index(line, " #"); i >= 0 {
				line = line[:i]
			}
			if strings.ContainsAny(line, "|<>") {
				continue // a shell pipeline or redirection around the command
			}
			words := shellWords(t, line)
			if len(words) == 0 || words[0] != "hiecbot" {
				t.Errorf("%s: example %q does not start with hiecbot", cmd.name, line)
				continue
			}
			name := strings.Fields(cmd.name)
			args := words[1:]
			if len(args) < len(name) || strings.Join(args[:len(name)], " ") != cmd.name {
				t.Errorf("%s: example %q runs another command", cmd.name, line)
				continue
			}
			cl := &call{CLI: &CLI{}}
			if _, _, err := cl.parse(lookup(cmd.name), args[len(name):]); err != nil {
				t.Errorf("%s: example %q does not parse: %v", cmd.name, line, err)
			}
		}
	}
}

// shellWords splits a command line as a POSIX shell would for the simple
// quoting the examples use.
func shellWords(t *testing.T, s string) []string {
	t.Helper()
	var words []string
	var cur strings.Builder
	inWord, quote := false, rune(0)
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '"' || r == '\'':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		t.Fatalf("unclosed quote in %q", s)
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}
