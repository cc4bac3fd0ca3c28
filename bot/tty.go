package bot

import (
	"fmt"
	"os"

	"golang.org/x/term"
)

// terminal returns stdin's file descriptor when stdin and stdout are both
// a terminal a person types at.
func (cl *call) terminal() (int, bool) {
	in, ok := cl.Stdin.(*os.File)
	if !ok {
		return 0, false
	}
	out, ok := cl.Stdout.(*os.File)
	if !ok || !term.IsTerminal(int(in.Fd())) || !term.IsTerminal(int(out.Fd())) {
		return 0, false
	}
	return int(in.Fd()), true
}

// makeRaw puts the terminal in raw mode for line editing; the returned
// func restores it.
func makeRaw(fd int) (func(), error) {
	old, err := term.MakeRaw(fd)
	if err != nil {
		return nil, fmt.Errorf("chat: set up the terminal: %w", err)
	}
	return func() { _ = term.Restore(fd, old) }, nil
}
