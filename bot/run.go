package bot

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os/user"
	"regexp"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/hiec/hiecbot/bot/store"
	"github.com/hiec/hiecbot/config"
	"github.com/hiec/hiecbot/knowledge"
)

// Exit statuses of hiecbot, documented in the README and in `hiecbot help`.
const (
	ExitOK         = 0 // done
	ExitFailure    = 1 // something outside the caller's control failed
	ExitUsage      = 2 // a mistake in the command, its input or the config; nothing changed
	ExitNotCovered = 3 // ask answered, but the sources do not cover a question
)

// ErrNotCovered is returned by `ask` after printing its answers when the
// sources did not cover at least one question; it exits with status 3.
var ErrNotCovered = errors.New("the sources do not cover the question; in Slack or `hiecbot chat` it would be passed to the National Steering Group")

// UsageError is a mistake in how hiecbot was called or what it was given;
// it exits with status 2.
type UsageError struct{ Err error }

func (e UsageError) Error() string { return e.Err.Error() }
func (e UsageError) Unwrap() error { return e.Err }

func usagef(format string, args ...any) error { return UsageError{fmt.Errorf(format, args...)} }

// ExitCode is the process exit status for what Run returned.
func ExitCode(err error) int {
	var ue UsageError
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, ErrNotCovered):
		return ExitNotCovered
	case errors.As(err, &ue), errors.Is(err, knowledge.ErrEmptyQuestion):
		return ExitUsage
	}
	return ExitFailure
}

// CLI is hiecbot's command line with its surroundings passed in, so tests
// can drive it. Main fills it in and wires Serve.
type CLI struct {
	Getenv         func(string) string
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Serve runs the bot in Slack with cfg; main wires it. Run has
	// checked the Slack credentials before calling it.
	Serve func(ctx context.Context, cfg *config.Config, log *slog.Logger) error
	// Username is the operating system's name for the user running
	// hiecbot, the default of --by; nil means os/user, "" none.
	Username func() string
	// BuildInfo reports how the binary was built; nil means
	// debug.ReadBuildInfo.
	BuildInfo func() (*debug.BuildInfo, bool)
}

// call is one run of a command: the CLI, its context and every flag any
// command defines (each command registers only its own).
type call struct {
	*CLI
	ctx        context.Context
	cmd        *command
	configPath string
	cfg        *config.Config // once loaded
	failed     bool
	json       bool
	explain    bool
	status     string
	since      string
	until      string
	by         string
	format     string
	out        string
	at         string
	cite       string
	question   string
	answer     string
	yes        bool
}

// command is one hiecbot command or `questions` subcommand.
type command struct {
	name     string // "ask", "questions list"
	synopsis string // what follows the name in the usage line
	summary  string // one line
	detail   string // what else a user needs to know
	example  string
	flags    func(fs *flag.FlagSet, c *call)
	fixed    int  // positional arguments before any text
	text     bool // further positional words are joined into one text
	// noText, when set, reports whether this call takes no text after
	// all (questions answer --cite).
	noText func(c *call) bool
	run    func(c *call, pos []string) error
}

func (cmd *command) usageLine() string {
	return strings.TrimSpace("hiecbot " + cmd.name + " " + cmd.synopsis)
}

// Run runs hiecbot with args (without the program name).
func (c *CLI) Run(ctx context.Context, args []string) error {
	if c.Getenv == nil {
		c.Getenv = func(string) string { return "" }
	}
	if c.Stdin == nil {
		c.Stdin = strings.NewReader("")
	}
	cl := &call{CLI: c, ctx: ctx}
	// --config may come before the command.
	for len(args) > 0 {
		if v, ok := strings.CutPrefix(args[0], "--config="); ok {
			cl.configPath, args = v, args[1:]
		} else if v, ok := strings.CutPrefix(args[0], "-config="); ok {
			cl.configPath, args = v, args[1:]
		} else if (args[0] == "--config" || args[0] == "-config") && len(args) > 1 {
			cl.configPath, args = args[1], args[2:]
		} else {
			break
		}
	}
	if len(args) == 0 {
		return usagef("no command given\n\n%s", overview())
	}
	name, args := args[0], args[1:]
	switch name {
	case "-h", "-help", "--help":
		fmt.Fprint(c.Stdout, overview())
		return nil
	}
	if len(subNames(name)) > 0 {
		return cl.group(name, args)
	}
	cmd := lookup(name)
	if cmd == nil || strings.Contains(name, " ") {
		return usagef("unknown command %q%s\nrun \"hiecbot help\" for the commands", name, suggest(name, topNames()))
	}
	return cl.exec(cmd, args)
}

// group runs a subcommand of group ("questions list", "config check").
func (cl *call) group(group string, args []string) error {
	if len(args) == 0 {
		return usagef("%s needs a subcommand\n\n%s", group, groupHelp(group))
	}
	sub, args := args[0], args[1:]
	if isHelpFlag(sub) {
		fmt.Fprint(cl.Stdout, groupHelp(group))
		return nil
	}
	cmd := lookup(group + " " + sub)
	if cmd == nil {
		return usagef("unknown %s subcommand %q%s\n\n%s", group, sub, suggest(sub, subNames(group)), groupHelp(group))
	}
	return cl.exec(cmd, args)
}

func (cl *call) exec(cmd *command, args []string) error {
	pos, help, err := cl.parse(cmd, args)
	if err != nil {
		return err
	}
	if help != "" {
		fmt.Fprint(cl.Stdout, help)
		return nil
	}
	err = cmd.run(cl, pos)
	if cl.cfg != nil {
		// Whatever failed, its message never shows a secret.
		err = cl.cfg.Redactor().Error(err)
	}
	return err
}

// parse reads a command's flags and arguments into cl and returns the
// positional arguments (text joined into one), or the command's help
// when it was asked for.
func (cl *call) parse(cmd *command, args []string) (pos []string, help string, err error) {
	cl.cmd = cmd
	fs := flag.NewFlagSet("hiecbot "+cmd.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if cmd.flags != nil {
		cmd.flags(fs, cl)
	}
	if cmd.name != "help" && cmd.name != "version" {
		fs.StringVar(&cl.configPath, "config", cl.configPath, "read the configuration from `FILE` (default: "+config.DefaultFile+" in this folder when present)")
	}
	pos, err = parseArgs(fs, cmd, args)
	if errors.Is(err, flag.ErrHelp) {
		return nil, commandHelp(cmd, fs), nil
	}
	if err != nil {
		return nil, "", err
	}
	if cmd.text {
		if len(pos) > cmd.fixed {
			pos = append(pos[:cmd.fixed:cmd.fixed], strings.Join(pos[cmd.fixed:], " "))
		}
	}
	want := cmd.fixed
	if cmd.text && cmd.name != "ask" && (cmd.noText == nil || !cmd.noText(cl)) {
		want++
	}
	if cmd.name != "ask" && cmd.name != "help" && len(pos) != want {
		return nil, "", usagef("%s takes %s, got %d\nusage: %s\nsee: hiecbot help %s", cmd.name, plural(want, "no arguments", "argument"), len(pos), cmd.usageLine(), cmd.name)
	}
	return pos, "", nil
}

func plural(n int, none, one string) string {
	switch n {
	case 0:
		return none
	case 1:
		return "1 " + one
	}
	return fmt.Sprintf("%d %ss", n, one)
}

func isHelpFlag(s string) bool { return s == "-h" || s == "-help" || s == "--help" }

var flagLike = regexp.MustCompile(`^--?[A-Za-z][A-Za-z0-9_-]*(=.*)?$`)

// parseArgs reads flags anywhere among the positional arguments. A word
// starting with - that is not one of the command's flags is text when the
// command takes text and the text has begun or the word does not look
// like a flag ("-5 days"); "--" ends the flags.
func parseArgs(fs *flag.FlagSet, cmd *command, args []string) ([]string, error) {
	var pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(pos, args[i+1:]...), nil
		}
		if len(a) < 2 || a[0] != '-' {
			pos = append(pos, a)
			continue
		}
		textBegun := cmd.text && len(pos) > cmd.fixed
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		f := fs.Lookup(name)
		if f == nil && isHelpFlag(a) && !textBegun {
			return nil, flag.ErrHelp
		}
		if f == nil || !flagLike.MatchString(a) {
			if cmd.text && len(pos) >= cmd.fixed && (textBegun || !flagLike.MatchString(a)) {
				pos = append(pos, a)
				continue
			}
			hint := ""
			if cmd.text {
				hint = "; put -- before text that starts with -"
			}
			return nil, usagef("%s has no flag %s%s\nusage: %s\nsee: hiecbot help %s", cmd.name, strings.SplitN(a, "=", 2)[0], hint, cmd.usageLine(), cmd.name)
		}
		if bf, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && bf.IsBoolFlag() {
			if !hasValue {
				value = "true"
			}
		} else if !hasValue {
			if i+1 == len(args) {
				return nil, usagef("%s needs a value\nusage: %s", a, cmd.usageLine())
			}
			i++
			value = args[i]
		}
		if err := fs.Set(name, value); err != nil {
			return nil, usagef("%s %q: %v", a, value, err)
		}
	}
	return pos, nil
}

// username is the default of --by: the operating system's user name,
// then "NSG".
func (cl *call) username() string {
	name := ""
	if cl.Username != nil {
		name = cl.Username()
	} else if u, err := user.Current(); err == nil {
		name = u.Username
	}
	if strings.TrimSpace(name) == "" {
		return "NSG"
	}
	return name
}

// suggest returns "; did you mean X?" for the closest name, if any is
// close enough to be a slip of the fingers.
func suggest(typed string, names []string) string {
	best, bestD := "", 3
	for _, n := range names {
		d := distance(strings.ToLower(typed), n)
		if strings.HasPrefix(n, strings.ToLower(typed)) && len(typed) >= 2 {
			d = 1
		}
		if d < bestD {
			best, bestD = n, d
		}
	}
	if best == "" || bestD > len(typed)/2+1 {
		return ""
	}
	return fmt.Sprintf("; did you mean %q?", best)
}

// distance is the Damerau-Levenshtein (optimal string alignment) distance.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

func lookup(name string) *command {
	for i := range commands {
		if commands[i].name == name {
			return &commands[i]
		}
	}
	return nil
}

func topNames() []string {
	var names []string
	seen := map[string]bool{}
	for _, c := range commands {
		n, _, _ := strings.Cut(c.name, " ")
		if !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	return names
}

func subNames(group string) []string {
	var names []string
	for _, c := range commands {
		if sub, ok := strings.CutPrefix(c.name, group+" "); ok {
			names = append(names, sub)
		}
	}
	return names
}

// overview is `hiecbot help`.
func overview() string {
	var b strings.Builder
	b.WriteString("hiecbot answers questions about the HIEC guide \"Breakthrough to real change in local healthcare\",\nlogs them for the National Steering Group and reminds everyone of the deadlines.\n\nCommands:\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-20s %s\n", c.name, c.summary)
	}
	b.WriteString(`
Every command takes --config FILE (default: hiecbot.yaml in this folder when present).
Run "hiecbot help COMMAND" or "hiecbot COMMAND --help" for its flags and an example.

Exit status: 0 done; 1 failed; 2 a mistake in the command, its input or the config
(nothing changed); 3 ask answered, but the sources do not cover a question.
`)
	return b.String()
}

var groupSummaries = map[string]string{
	"questions": "the NSG's tools over the question log. They work beside a running\n`hiecbot serve` (through its admin socket) or on the file alone.",
	"config":    "the configuration file.",
}

func groupHelp(group string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "hiecbot %s: %s\n\nSubcommands:\n", group, groupSummaries[group])
	for _, c := range commands {
		if sub, ok := strings.CutPrefix(c.name, group+" "); ok {
			fmt.Fprintf(&b, "  %-10s %s\n", sub, c.summary)
		}
	}
	fmt.Fprintf(&b, "\nRun \"hiecbot help %s SUBCOMMAND\" for its flags and an example.\n", group)
	return b.String()
}

// commandHelp is `hiecbot help CMD` and `hiecbot CMD --help`: what it
// does, only its flags, and an example.
func commandHelp(cmd *command, fs *flag.FlagSet) string {
	var b strings.Builder
	fmt.Fprintf(&b, "hiecbot %s: %s\n\nUsage:\n  %s\n", cmd.name, cmd.summary, cmd.usageLine())
	if cmd.detail != "" {
		fmt.Fprintf(&b, "\n%s\n", strings.TrimSpace(cmd.detail))
	}
	var flags []*flag.Flag
	fs.VisitAll(func(f *flag.Flag) { flags = append(flags, f) })
	sort.SliceStable(flags, func(i, j int) bool { return flags[j].Name == "config" && flags[i].Name != "config" })
	if len(flags) > 0 {
		b.WriteString("\nFlags:\n")
		for _, f := range flags {
			arg, usage := flag.UnquoteUsage(f)
			left := "--" + f.Name
			if arg != "" {
				left += " " + arg
			}
			fmt.Fprintf(&b, "  %-18s %s\n", left, usage)
		}
	}
	fmt.Fprintf(&b, "\nExample:\n  %s\n", strings.ReplaceAll(cmd.example, "\n", "\n  "))
	return b.String()
}

func runHelp(cl *call, pos []string) error {
	topic := strings.Join(strings.Fields(strings.Join(pos, " ")), " ")
	if topic == "" {
		fmt.Fprint(cl.Stdout, overview())
		return nil
	}
	if len(subNames(topic)) > 0 {
		fmt.Fprint(cl.Stdout, groupHelp(topic))
		return nil
	}
	cmd := lookup(topic)
	if cmd == nil {
		names := topNames()
		for _, c := range commands {
			names = append(names, c.name)
		}
		return usagef("no help for %q%s\n\n%s", topic, suggest(topic, names), overview())
	}
	fs := flag.NewFlagSet(cmd.name, flag.ContinueOnError)
	if cmd.flags != nil {
		cmd.flags(fs, &call{CLI: cl.CLI})
	}
	if cmd.name != "help" && cmd.name != "version" {
		fs.String("config", "", "read the configuration from `FILE` (default: "+config.DefaultFile+" in this folder when present)")
	}
	fmt.Fprint(cl.Stdout, commandHelp(cmd, fs))
	return nil
}

func runVersion(cl *call, _ []string) error {
	read := cl.BuildInfo
	if read == nil {
		read = debug.ReadBuildInfo
	}
	fmt.Fprintln(cl.Stdout, versionText(read()))
	return nil
}

// versionText is "hiecbot VERSION (revision REV, TIME[, modified]) GO".
func versionText(bi *debug.BuildInfo, ok bool) string {
	if !ok || bi == nil {
		return "hiecbot (version unknown: built without module information)"
	}
	version := bi.Main.Version
	if version == "" {
		version = "(devel)"
	}
	var rev, at, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = ", modified"
			}
		}
	}
	vcs := "no VCS revision recorded: build it inside the git checkout with `go build -buildvcs=true`"
	if rev != "" {
		vcs = "revision " + rev
		if at != "" {
			vcs += ", " + at
		}
		vcs += modified
	}
	return fmt.Sprintf("hiecbot %s (%s) %s", version, vcs, bi.GoVersion)
}

// configFlag and the other small helpers register a flag on fs.
func jsonFlag(what string) func(fs *flag.FlagSet, c *call) {
	return func(fs *flag.FlagSet, c *call) { fs.BoolVar(&c.json, "json", false, what) }
}

func filterFlags(fs *flag.FlagSet, c *call) {
	fs.StringVar(&c.status, "status", "", "only questions with this `STATUS`: "+strings.Join(statusNames(), ", ")+" (several: comma-separated)")
	fs.StringVar(&c.since, "since", "", "only questions asked at or after `DATE` (YYYY-MM-DD or YYYY-MM-DD HH:MM in reminders.timezone, or RFC 3339)")
	fs.StringVar(&c.until, "until", "", "only questions asked before `DATE`")
}

func statusNames() []string {
	var names []string
	for _, s := range store.Statuses {
		names = append(names, string(s))
	}
	return names
}
