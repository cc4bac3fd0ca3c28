// Package admin is the running bot's admin socket: an HTTP-over-Unix-socket
// server and its client, so that `hiecbot questions …`, `hiecbot reminders`,
// `hiecbot backup` and `hiecbot store check` work while `hiecbot serve`
// holds the store file (bbolt locks it), and answers given through it reach
// the live index and the asker at once.
//
// The socket is trusted only between processes of the same user: it lives
// in a folder of its own (mode 0700, owned by the bot's user), the server
// serves only peers of its own uid (SO_PEERCRED), and the client refuses a
// socket, a folder or a server that is not its user's. Every read and write
// has a timeout.
//
// It owns the socket and its wire format; it must not import the Slack
// adapter or know about the knowledge index.
package admin

import (
	"errors"
	"fmt"
	"github.com/hiec/hiecbot/bot/store"
	"net"
	"os"
	"path/filepath"
	"sync/atomic"
	"syscall"
)

// maxSocketPath is the longest Unix socket path Linux accepts: sun_path
// holds 108 bytes, one of them the terminating NUL.
const maxSocketPath = 107

// Dir is the admin socket's folder for the store at storePath.
func Dir(storePath string) string { return store.AdminDir(storePath) }

// SocketPath is the admin socket of the bot whose store is at storePath.
func SocketPath(storePath string) string { return filepath.Join(Dir(storePath), "socket") }

// ErrUntrusted means the socket, its folder or the process serving it
// belongs to another user, or is not a hiecbot admin socket.
var ErrUntrusted = errors.New("untrusted admin socket")

// ErrNotRunning means no bot serves the socket.
var ErrNotRunning = errors.New("no running bot serves this store")

// peerUIDHook, when set, replaces peerUID: tests use it to play another
// user.
var peerUIDHook atomic.Pointer[func(net.Conn) (int, error)]

func peerUIDOf(c net.Conn) (int, error) {
	if h := peerUIDHook.Load(); h != nil {
		return (*h)(c)
	}
	return peerUID(c)
}

// owner returns the uid owning fi.
func owner(fi os.FileInfo) (int, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return int(st.Uid), true
}

// checkDir checks that dir is a real folder (not a link) owned by this
// user and closed to everyone else.
func checkDir(dir string) error {
	fi, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%w: %s is not a folder (%s); remove it", ErrUntrusted, dir, fi.Mode().Type())
	}
	if uid, ok := owner(fi); ok && uid != os.Getuid() {
		return fmt.Errorf("%w: the folder %s belongs to uid %d, not to this user (uid %d): another local user may have made it to intercept the NSG's commands; remove it", ErrUntrusted, dir, uid, os.Getuid())
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("%w: the folder %s has mode %v, open to other users; it must be 0700 (chmod 700 %s)", ErrUntrusted, dir, fi.Mode().Perm(), dir)
	}
	return nil
}

// checkSocket checks that path is a socket owned by this user.
func checkSocket(path string) error {
	fi, err := os.Lstat(path)
	if err != nil {
		return err
	}
	if fi.Mode().Type() != os.ModeSocket {
		return fmt.Errorf("%w: %s is not a socket (%s)", ErrUntrusted, path, fi.Mode().Type())
	}
	if uid, ok := owner(fi); ok && uid != os.Getuid() {
		return fmt.Errorf("%w: the socket %s belongs to uid %d, not to this user (uid %d)", ErrUntrusted, path, uid, os.Getuid())
	}
	return nil
}
