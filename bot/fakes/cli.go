package fakes

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
)

// Program is hiecbot's command line as main's run takes it: the
// arguments, the environment and the standard streams.
type Program func(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error

// Result is what one run of the command line printed and returned.
type Result struct {
	Stdout, Stderr string
	Err            error
}

// User is the user name the environment Run gives a program carries.
const User = "nsg-officer"

// Run runs program with args: with --config dir/hiecbot.yaml first when
// dir is not "", stdin as its standard input, and an environment holding
// only USER (User). The bot's tests and main's share it, so the command
// line is driven one way everywhere.
func Run(t testing.TB, program Program, dir, stdin string, args ...string) Result {
	t.Helper()
	var out, errOut bytes.Buffer
	getenv := func(k string) string {
		if k == "USER" {
			return User
		}
		return ""
	}
	if dir != "" {
		args = append([]string{"--config", filepath.Join(dir, "hiecbot.yaml")}, args...)
	}
	err := program(context.Background(), args, getenv, strings.NewReader(stdin), &out, &errOut)
	return Result{out.String(), errOut.String(), err}
}
