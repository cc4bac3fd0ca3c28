package admin

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// nobody is the uid and gid the tests play another local user with.
const nobody = 65534

func needRoot(t *testing.T) {
	t.Helper()
	if os.Getuid() != 0 {
		t.Skip("plays another local user with setuid and chown, which needs root (CI runs as root); skipped")
	}
}

const peerEnv = "HIECBOT_ADMIN_PEER_SOCKET"

// TestPeerHelper is the child of TestServerRefusesAnotherUID: run as
// another user, it sends a request to the socket and prints what came
// back.
func TestPeerHelper(t *testing.T) {
	path := os.Getenv(peerEnv)
	if path == "" {
		t.Skip("child process of TestServerRefusesAnotherUID")
	}
	c, err := net.Dial("unix", path)
	if err != nil {
		fmt.Println("dial failed:", err)
		os.Exit(0)
	}
	c.SetDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprintf(c, "GET /questions HTTP/1.1\r\nHost: hiecbot\r\n\r\n")
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		fmt.Println("refused:", err)
	} else {
		fmt.Println("answered:", strings.TrimSpace(line))
	}
	os.Exit(0)
}

// TestServerRefusesAnotherUID connects as another user (SO_PEERCRED tells
// the server who): the connection is closed unanswered. The socket is in
// an open folder here on purpose, so only the uid check stands between.
func TestServerRefusesAnotherUID(t *testing.T) {
	needRoot(t)
	dir := shortDir(t)
	os.Chmod(dir, 0o755)
	path := filepath.Join(dir, "s")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(path, 0o777)
	var served atomic.Int32
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		io.WriteString(w, "[]")
	})}
	go srv.Serve(&peerListener{Listener: ln, log: slog.New(slog.DiscardHandler)})
	defer srv.Close()

	// The test binary, where another user may run it.
	bin := filepath.Join(shortDir(t), "admin.test")
	data, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(filepath.Dir(bin), 0o755)
	run := func(uid uint32) string {
		cmd := exec.Command(bin, "-test.run=^TestPeerHelper$", "-test.count=1")
		cmd.Env = append(os.Environ(), peerEnv+"="+path)
		cmd.Dir = "/"
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: uid}}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("child as uid %d: %v\n%s", uid, err, out)
		}
		return string(out)
	}
	if out := run(nobody); !strings.Contains(out, "refused") {
		t.Errorf("another user's request was answered: %s", out)
	}
	if served.Load() != 0 {
		t.Errorf("the handler ran %d times for another user", served.Load())
	}
	if out := run(0); !strings.Contains(out, "answered: HTTP/1.1 200") {
		t.Errorf("our own user was refused: %s", out)
	}
}

// TestRefusesWhatAnotherUserOwns: the CLI refuses a socket another user
// owns, and serve refuses a socket folder another user owns.
func TestRefusesWhatAnotherUserOwns(t *testing.T) {
	needRoot(t)
	f := newFixture(t)
	f.serve(t)
	if err := os.Lchown(f.path, nobody, nobody); err != nil {
		t.Fatal(err)
	}
	if _, err := Dial(f.path); !errors.Is(err, ErrUntrusted) || !strings.Contains(err.Error(), "belongs to uid 65534") {
		t.Errorf("Dial to a socket another user owns: %v", err)
	}

	dir := shortDir(t)
	path := SocketPath(filepath.Join(dir, "q.db"))
	os.Mkdir(filepath.Dir(path), 0o700)
	os.Chown(filepath.Dir(path), nobody, nobody)
	if _, err := Listen(path, http.NotFoundHandler(), nil); !errors.Is(err, ErrUntrusted) || !strings.Contains(err.Error(), "belongs to uid 65534") {
		t.Errorf("Listen in a folder another user owns: %v", err)
	}
}
