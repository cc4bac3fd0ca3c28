package config

import (
	"fmt"
	"sort"
	"strings"
)

// Problem is one mistake in the configuration: where it is, which key,
// what is wrong and what is allowed.
type Problem struct {
	File string // the config file; "" when the problem is in the environment or defaults
	Line int    // 0 when the value did not come from a line of the file
	Key  string // "reminders.deadlines[1].due"; "" at the top level
	Msg  string
}

func (p Problem) Error() string {
	var b strings.Builder
	switch {
	case p.File != "" && p.Line > 0:
		fmt.Fprintf(&b, "%s:%d: ", p.File, p.Line)
	case p.File != "":
		fmt.Fprintf(&b, "%s: ", p.File)
	}
	if p.Key != "" {
		b.WriteString(p.Key + ": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// Errors is every problem Load found in one pass, in the order of the
// file's lines.
type Errors []Problem

func (e Errors) Error() string {
	if len(e) == 1 {
		return e[0].Error()
	}
	lines := make([]string, len(e))
	for i, p := range e {
		lines[i] = "  " + p.Error()
	}
	return fmt.Sprintf("%d problems in the configuration:\n%s", len(e), strings.Join(lines, "\n"))
}

// problems collects Problems while a file is checked; lines maps each key
// path the file sets to its line.
type problems struct {
	file  string
	lines map[string]int
	list  Errors
}

func newProblems(file string) *problems {
	return &problems{file: file, lines: map[string]int{}}
}

// add records a problem at a known line.
func (ps *problems) add(line int, key, format string, args ...any) {
	ps.list = append(ps.list, Problem{File: ps.file, Line: line, Key: key, Msg: fmt.Sprintf(format, args...)})
}

// at records a problem with key, at the line the file set it on (none
// when it came from the defaults or the environment).
func (ps *problems) at(key, format string, args ...any) {
	ps.add(ps.lineOf(key), key, format, args...)
}

// lineOf is the line of key, or of the nearest enclosing key the file
// sets ("reminders.deadlines[0]" for its missing "due").
func (ps *problems) lineOf(key string) int {
	for key != "" {
		if l, ok := ps.lines[key]; ok {
			return l
		}
		i := strings.LastIndexAny(key, ".[")
		if i < 0 {
			return 0
		}
		key = key[:i]
	}
	return 0
}

// err returns the problems sorted by line, or nil.
func (ps *problems) err() error {
	if len(ps.list) == 0 {
		return nil
	}
	sort.SliceStable(ps.list, func(i, j int) bool { return ps.list[i].Line < ps.list[j].Line })
	return ps.list
}
