package store

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"sync"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// crashEnv names the database file TestCrashHelper writes to; it is set
// only in the child process TestCrashRecovery starts.
const crashEnv = "HIECBOT_STORE_CRASH_DB"

// TestCrashHelper is the child half of TestCrashRecovery: it logs questions
// from several goroutines until it is killed, printing each id to stdout
// once Log has acknowledged it.
func TestCrashHelper(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		t.Skip("child process of TestCrashRecovery")
	}
	s, err := Open(path, Options{Timeout: 10 * time.Second})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	deadline := time.Now().Add(time.Minute) // the parent kills us long before
	var out sync.Mutex
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := 0; time.Now().Before(deadline); i++ {
				q := sampleQuestion(i)
				q.Question = fmt.Sprintf("crash pid %d g%d i%d", os.Getpid(), g, i)
				if err := s.Log(context.Background(), q); err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(2)
				}
				out.Lock()
				os.Stdout.WriteString(q.ID + " " + q.Question + "\n")
				out.Unlock()
			}
		})
	}
	wg.Wait()
	os.Exit(3)
}

var ackLine = regexp.MustCompile(`^(Q-\d{4,}) (crash pid \d+ g\d+ i\d+)$`)

// TestCrashRecovery kills a writer mid-stream with SIGKILL, several times
// over the same file, and checks the file is consistent and holds every
// question whose Log call returned.
func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	path := testPath(t)
	acked := map[string]string{}
	for round, killAfter := range []int{150, 400, 60} {
		var stderr bytes.Buffer
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelper$", "-test.count=1", "-test.timeout=2m")
		cmd.Env = append(os.Environ(), crashEnv+"="+path)
		cmd.Stderr = &stderr
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		killed, n := false, 0
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			m := ackLine.FindStringSubmatch(sc.Text())
			if m == nil {
				continue // test framework output, or a line cut short
			}
			if prev, dup := acked[m[1]]; dup {
				t.Fatalf("round %d: id %s acknowledged twice (%q and %q)", round, m[1], prev, m[2])
			}
			acked[m[1]] = m[2]
			if n++; n == killAfter {
				if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
					t.Fatal(err)
				}
				killed = true
			}
			// Keep reading: lines already in the pipe were acknowledged
			// before the kill.
		}
		err = cmd.Wait()
		if !killed {
			t.Fatalf("round %d: child ended after %d acknowledgements without being killed: %v\n%s", round, n, err, stderr.Bytes())
		}
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
			t.Fatalf("round %d: child exit %v; want killed by SIGKILL\n%s", round, err, stderr.Bytes())
		}

		s, err := Open(path, Options{Timeout: 5 * time.Second})
		if err != nil {
			t.Fatalf("round %d: reopen after kill: %v", round, err)
		}
		err = s.db.View(func(tx *bolt.Tx) error {
			for err := range tx.Check() {
				t.Errorf("round %d: consistency check: %v", round, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for id, text := range acked {
			q, err := s.Get(id)
			if err != nil {
				t.Errorf("round %d: acknowledged %s lost: %v", round, id, err)
				continue
			}
			if q.Question != text {
				t.Errorf("round %d: %s holds %q; acknowledged %q", round, id, q.Question, text)
			}
		}
		total, err := s.Count(Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if total < len(acked) {
			t.Errorf("round %d: %d questions on disk; %d acknowledged", round, total, len(acked))
		}
		t.Logf("round %d: killed after %d acknowledgements; %d acknowledged in all, %d on disk", round, n, len(acked), total)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
