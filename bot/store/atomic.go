package store

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// WriteFile is the one writer of export files: it writes through a
// temporary file in path's folder, syncs it and renames it into place, so
// a reader sees the old file or the whole new one, and a failed export
// leaves nothing behind. The file gets perm.
func WriteFile(path string, perm os.FileMode, write func(io.Writer) error) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
			err = fmt.Errorf("write %s: %w", path, err)
		}
	}()
	if err = write(tmp); err != nil {
		return err
	}
	if err = tmp.Chmod(perm); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	// The rename is durable once the folder is synced; a folder that
	// cannot be opened for that (some filesystems) still has the file.
	if d, derr := os.Open(filepath.Dir(path)); derr == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// AdminDir is the folder beside the store at path where a running bot
// serves its admin socket.
func AdminDir(path string) string { return path + ".admin" }

// ErrStoreFile means an output file named is one of the store's own
// files: writing there would replace the question log or its trail.
var ErrStoreFile = errors.New("it is one of the question log's own files")

// NotStoreFile returns an error when target names the store at
// storePath, its audit head file, or anything in its admin folder (or
// the folder itself), however the path is written (relative, through a
// link); otherwise nil. Every command that writes a file a user names
// (an export, a backup) asks it first.
func NotStoreFile(storePath, target string) error {
	own := []string{storePath, HeadFile(storePath), AdminDir(storePath)}
	// abs resolves p as the system would: links first, then "..", so
	// "link/../x" is x beside link's target, not beside link. What does
	// not exist yet is resolved from its longest existing beginning.
	abs := func(p string) string {
		if !filepath.IsAbs(p) {
			if wd, err := os.Getwd(); err == nil {
				p = wd + string(filepath.Separator) + p // not Join: it would clean ".." first
			}
		}
		rest := ""
		for q := p; ; {
			if r, err := filepath.EvalSymlinks(q); err == nil {
				return filepath.Join(r, rest)
			}
			i := strings.LastIndexByte(q, filepath.Separator)
			if i <= 0 {
				return filepath.Clean(p)
			}
			q, rest = q[:i], filepath.Join(q[i+1:], rest)
		}
	}
	t := abs(target)
	ti, terr := os.Stat(target)
	for i, p := range own {
		pa := abs(p)
		inside := i == 2 && strings.HasPrefix(t, pa+string(filepath.Separator))
		same := t == pa
		if pi, err := os.Stat(p); err == nil && terr == nil && os.SameFile(pi, ti) {
			same = true
		}
		if same || inside {
			return fmt.Errorf("%s: %w (%s); name another file", target, ErrStoreFile, p)
		}
	}
	return nil
}
