package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// ErrDamaged means the log file is not a whole, consistent question log:
// it was truncated, overwritten or corrupted. The error names the file and
// says what to do; the store never crashes on such a file.
var ErrDamaged = errors.New("the question log is damaged")

// damagedAdvice is what every ErrDamaged error tells the operator.
const damagedAdvice = "restore it from a backup (see \"Restoring the question log\" in README.md), or run `hiecbot store check` to see what is wrong"

func damaged(path, format string, args ...any) error {
	return fmt.Errorf("open store %s: %w: %s; %s", path, ErrDamaged, fmt.Sprintf(format, args...), damagedAdvice)
}

// panicDamage describes a panic or a memory fault bbolt hit on a damaged
// file.
func panicDamage(path string, p any) error {
	what := fmt.Sprint(p)
	if re, ok := p.(interface{ Addr() uintptr }); ok && re.Addr() != 0 || strings.Contains(what, "invalid memory address") {
		what = "a page lies beyond the end of the file (was it truncated?)"
	}
	return fmt.Errorf("%w: reading %s failed: %s; %s", ErrDamaged, path, what, damagedAdvice)
}

// The bbolt file format, as far as the checks before mapping need it:
// every page starts with a 16-byte header (id uint64, flags uint16,
// count uint16, overflow uint32); pages 0 and 1 are meta pages whose
// body is magic, version, page size, flags (uint32 each), the root
// bucket (root page, sequence), the freelist page, the high-water page
// id and the transaction id (uint64 each), then an FNV-64a checksum of
// everything before it. Integers are in the machine's byte order.
const (
	boltMagic        = 0xED0CDAED
	boltVersion      = 2
	pageHeaderSize   = 16
	metaBodySize     = 64
	metaSummedSize   = 56
	pageFlagBranch   = 0x01
	pageFlagLeaf     = 0x02
	pageFlagFreelist = 0x10
	noFreelist       = 0xffffffffffffffff
	minPageSize      = 1024
	maxPageSize      = 1 << 24
)

type metaPage struct {
	pageSize           uint32
	root, freelist, hw uint64
	txid               uint64
}

// readMeta decodes the meta page at off; ok is false when it is not a
// valid meta page (bad magic, version or checksum).
func readMeta(f io.ReaderAt, off int64) (metaPage, bool) {
	var buf [pageHeaderSize + metaBodySize]byte
	if _, err := f.ReadAt(buf[:], off); err != nil {
		return metaPage{}, false
	}
	b := buf[pageHeaderSize:]
	ne := binary.NativeEndian
	h := fnv.New64a()
	h.Write(b[:metaSummedSize])
	if ne.Uint32(b[0:]) != boltMagic || ne.Uint32(b[4:]) != boltVersion || ne.Uint64(b[56:]) != h.Sum64() {
		return metaPage{}, false
	}
	return metaPage{
		pageSize: ne.Uint32(b[8:]),
		root:     ne.Uint64(b[16:]),
		freelist: ne.Uint64(b[32:]),
		hw:       ne.Uint64(b[40:]),
		txid:     ne.Uint64(b[48:]),
	}, true
}

// preflight checks an existing log file before bbolt maps it, so that a
// truncated or overwritten file is a clear error rather than a SIGBUS or
// a panic inside bbolt: the file must not be empty, one of its meta pages
// must be valid, the file must be as long as that meta page says, and the
// root and freelist pages it points to must be what it says they are.
func preflight(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open store %s: %w", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("open store %s: %w", path, err)
	}
	size := fi.Size()
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("open store %s: not a regular file (%s): point storage.path at the question log file", path, fi.Mode().Type())
	}
	if size == 0 {
		return fmt.Errorf("open store %s: %w: the file is empty (0 bytes). It is not re-created, so question ids cannot restart at Q-0001: restore it from a backup (see \"Restoring the question log\" in README.md), or delete the file to start a new, empty log on purpose", path, ErrDamaged)
	}
	if size < 2*minPageSize {
		return damaged(path, "the file is %d bytes, too short to be a question log (truncated?)", size)
	}
	m, pageSize, err := latestMeta(path, f, size)
	if err != nil {
		return err
	}
	if want := int64(m.hw) * pageSize; m.hw < 2 || size < want || want/pageSize != int64(m.hw) {
		return damaged(path, "the file is %d bytes but its header says it holds %d pages of %d bytes (%d bytes): it was truncated", size, m.hw, pageSize, want)
	}
	checkPage := func(what string, id uint64, flags ...uint16) error {
		if id < 2 || id >= m.hw {
			return damaged(path, "its %s page %d is outside the file's %d pages", what, id, m.hw)
		}
		var h [pageHeaderSize]byte
		if _, err := f.ReadAt(h[:], int64(id)*pageSize); err != nil {
			return damaged(path, "cannot read its %s page %d: %v", what, id, err)
		}
		gotID, gotFlags := binary.NativeEndian.Uint64(h[0:]), binary.NativeEndian.Uint16(h[8:])
		okFlags := false
		for _, fl := range flags {
			okFlags = okFlags || gotFlags == fl
		}
		if gotID != id || !okFlags {
			return damaged(path, "its %s page %d has a corrupt header (id %d, flags %#x)", what, id, gotID, gotFlags)
		}
		return nil
	}
	if err := checkPage("root", m.root, pageFlagBranch, pageFlagLeaf); err != nil {
		return err
	}
	if m.freelist != noFreelist {
		if err := checkPage("freelist", m.freelist, pageFlagFreelist); err != nil {
			return err
		}
		// Its count of free pages must fit in it: bbolt allocates that
		// many before it reads them.
		var h [pageHeaderSize + 8]byte
		if _, err := f.ReadAt(h[:], int64(m.freelist)*pageSize); err != nil {
			return damaged(path, "cannot read its freelist page %d: %v", m.freelist, err)
		}
		count, overflow := uint64(binary.NativeEndian.Uint16(h[10:])), uint64(binary.NativeEndian.Uint32(h[12:]))
		extra := uint64(0)
		if count == 0xFFFF { // the count is in the first element
			count, extra = binary.NativeEndian.Uint64(h[pageHeaderSize:]), 1
		}
		room := (overflow + 1) * uint64(pageSize)
		if m.freelist+overflow >= m.hw || overflow >= m.hw || count > (room-pageHeaderSize)/8-extra {
			return damaged(path, "its freelist page %d claims %d free pages, more than it or the file can hold", m.freelist, count)
		}
	}
	return nil
}

// latestMeta finds the log's page size and the meta page bbolt will use
// (the valid one of the later transaction), from the file of size bytes;
// an error says, as damage, why there is none.
func latestMeta(path string, f io.ReaderAt, size int64) (metaPage, int64, error) {
	m0, ok0 := readMeta(f, 0)
	pageSize := int64(m0.pageSize)
	if !ok0 {
		// Page 0 is damaged: find page 1 by trying each page size.
		for ps := int64(minPageSize); ps <= maxPageSize && ps < size; ps *= 2 {
			if m, ok := readMeta(f, ps); ok && int64(m.pageSize) == ps {
				pageSize = ps
				break
			}
		}
		if pageSize == 0 {
			return metaPage{}, 0, damaged(path, "neither of its two header (meta) pages is valid, so it is not a question log or it was overwritten")
		}
	}
	if pageSize < minPageSize || pageSize > maxPageSize || pageSize&(pageSize-1) != 0 {
		return metaPage{}, 0, damaged(path, "its header gives an impossible page size %d", pageSize)
	}
	m1, ok1 := readMeta(f, pageSize)
	m, ok := m0, ok0
	if ok1 && (!ok0 || m1.txid > m0.txid) {
		m, ok = m1, true
	}
	if !ok || int64(m.pageSize) != pageSize {
		return metaPage{}, 0, damaged(path, "its header (meta) pages are not valid")
	}
	return m, pageSize, nil
}

// createNew makes a new, empty bbolt file at path without ever leaving an
// empty file there: it is initialised under a temporary name and linked
// into place, so a crash during creation leaves no file or a whole one,
// and an empty file at path always means damage.
func createNew(path string) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".new-*")
	if err != nil {
		return fmt.Errorf("create store %s: %w", path, err)
	}
	name := tmp.Name()
	tmp.Close()
	defer os.Remove(name)
	if err := os.Chmod(name, 0o600); err != nil {
		return fmt.Errorf("create store %s: %w", path, err)
	}
	db, err := bolt.Open(name, 0o600, &bolt.Options{FreelistType: bolt.FreelistMapType})
	if err != nil {
		return fmt.Errorf("create store %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("create store %s: %w", path, err)
	}
	// Link fails if another process created the file meanwhile; its file
	// is then used.
	if err := os.Link(name, path); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("create store %s: %w", path, err)
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync folder %s: %w", dir, err)
	}
	return nil
}

// safeDB is a bbolt database whose transactions turn bbolt's panics and
// memory faults on a damaged file (a page that is not what it should be,
// a read past the end of a file truncated under it) into ErrDamaged
// errors, so the bot reports the damage instead of dying with a stack
// trace.
type safeDB struct {
	*bolt.DB
	path  string
	group *groupCommit // see Batch
}

// guard turns a panic or a fault in fn into an ErrDamaged error.
func (d safeDB) guard(fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if p := recover(); p != nil {
			err = panicDamage(d.path, p)
		}
	}()
	return fn()
}

// View is bolt.DB.View, guarded.
func (d safeDB) View(fn func(*bolt.Tx) error) error {
	return d.guard(func() error { return d.DB.View(fn) })
}

// Update is bolt.DB.Update, guarded.
func (d safeDB) Update(fn func(*bolt.Tx) error) error {
	return d.guard(func() error { return d.DB.Update(fn) })
}

// openGuarded is bolt.Open with its panics on a damaged file (which
// preflight does not catch: a corrupt freelist, say) turned into
// ErrDamaged. The file bbolt opened is closed then, releasing its lock.
func openGuarded(path string, bo *bolt.Options) (db *bolt.DB, err error) {
	var f *os.File
	bo.OpenFile = func(name string, flag int, mode os.FileMode) (*os.File, error) {
		var err error
		f, err = os.OpenFile(name, flag, mode)
		return f, err
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if p := recover(); p != nil {
			if f != nil {
				f.Close()
			}
			db, err = nil, fmt.Errorf("open store %s: %w", path, panicDamage(path, p))
		}
	}()
	return bolt.Open(path, 0o600, bo)
}

// walkFile reads, from the file and not through the map, every page of
// the log's tree reachable from its current meta page (the pages bbolt's
// check reads), and makes sure each element's key and value lie inside
// its page and each child page inside the file. bbolt's check runs in a
// goroutine of its own, where a read outside the map is a fault no guard
// can catch; a page this walk finds bad is reported as damage instead.
// The caller holds the log still (a read-only open, or the write lock).
func walkFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("check %s: %w", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("check %s: %w", path, err)
	}
	m, ps, err := latestMeta(path, f, fi.Size())
	if err != nil {
		return err
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: the consistency check found %s; %s", ErrDamaged, fmt.Sprintf(format, args...), damagedAdvice)
	}
	seen := map[uint64]bool{}
	var visit func(id uint64, what string) error
	// elements checks the elements of the page held in p (a page read
	// from the file, or a bucket's inline page) and visits what they
	// point to.
	var elements func(p []byte, where string) error
	elements = func(p []byte, where string) error {
		if len(p) < pageHeaderSize {
			return bad("%s too short for a page", where)
		}
		flags, count := binary.NativeEndian.Uint16(p[8:]), int(binary.NativeEndian.Uint16(p[10:]))
		if flags != pageFlagBranch && flags != pageFlagLeaf {
			return bad("%s has the flags %#x of no tree page", where, flags)
		}
		for i := range count {
			at := pageHeaderSize + i*16
			if at+16 > len(p) {
				return bad("%s: element %d lies outside the page", where, i)
			}
			e := p[at : at+16]
			if flags == pageFlagBranch {
				pos, ksize := int(binary.NativeEndian.Uint32(e[0:])), int(binary.NativeEndian.Uint32(e[4:]))
				if at+pos+ksize > len(p) || at+pos < 0 {
					return bad("%s: element %d's key lies outside the page", where, i)
				}
				if err := visit(binary.NativeEndian.Uint64(e[8:]), where+" child"); err != nil {
					return err
				}
				continue
			}
			eflags := binary.NativeEndian.Uint32(e[0:])
			pos, ksize, vsize := int(binary.NativeEndian.Uint32(e[4:])), int(binary.NativeEndian.Uint32(e[8:])), int(binary.NativeEndian.Uint32(e[12:]))
			if at+pos+ksize+vsize > len(p) || at+pos < 0 {
				return bad("%s: element %d's key or value lies outside the page", where, i)
			}
			if eflags&1 == 0 { // not a bucket
				continue
			}
			v := p[at+pos+ksize : at+pos+ksize+vsize]
			if len(v) < 16 {
				return bad("%s: element %d is a bucket without its header", where, i)
			}
			if root := binary.NativeEndian.Uint64(v); root != 0 {
				if err := visit(root, where+" bucket"); err != nil {
					return err
				}
			} else if err := elements(v[16:], where+" inline bucket"); err != nil {
				return err
			}
		}
		return nil
	}
	visit = func(id uint64, what string) error {
		if id < 2 || id >= m.hw {
			return bad("a %s page %d outside the file's %d pages", what, id, m.hw)
		}
		if seen[id] {
			return bad("page %d reached twice", id)
		}
		seen[id] = true
		var h [pageHeaderSize]byte
		if _, err := f.ReadAt(h[:], int64(id)*ps); err != nil {
			return bad("page %d unreadable: %v", id, err)
		}
		if got := binary.NativeEndian.Uint64(h[0:]); got != id {
			return bad("page %d holding the header of page %d", id, got)
		}
		overflow := uint64(binary.NativeEndian.Uint32(h[12:]))
		if id+overflow >= m.hw {
			return bad("page %d running past the end of the file", id)
		}
		p := make([]byte, int64(overflow+1)*ps)
		if _, err := f.ReadAt(p, int64(id)*ps); err != nil {
			return bad("page %d unreadable: %v", id, err)
		}
		return elements(p, fmt.Sprintf("page %d", id))
	}
	return visit(m.root, "root")
}
