package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"os"
	"path/filepath"
	"regexp"
	"sync/atomic"
)

// emptyHash is the sha256 of no bytes: Bazel never uploads it, but asks for it.
const emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

var hashPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

// errNotFound is a blob or action result the store does not hold.
var errNotFound = errors.New("not found")

// diskStore keeps content-addressed blobs under cas/ and action results under ac/, one
// file each, fanned out by the first two hex digits. Writes go to tmp/ and are renamed
// into place, so a reader never sees half a blob and a killed server leaves no torn one.
type diskStore struct {
	root    string
	counter atomic.Uint64 // names temporary files uniquely within this process
}

func openDiskStore(root string) (*diskStore, error) {
	for _, sub := range []string{"cas", "ac", "tmp"} {
		if err := os.MkdirAll(filepath.Join(root, sub), 0o755); err != nil {
			return nil, fmt.Errorf("creating the store: %w", err)
		}
	}
	// Left by a server killed in the middle of a write.
	leftovers, _ := filepath.Glob(filepath.Join(root, "tmp", "*"))
	for _, leftover := range leftovers {
		os.Remove(leftover)
	}
	return &diskStore{root: root}, nil
}

func checkHash(hash string) error {
	if !hashPattern.MatchString(hash) {
		return fmt.Errorf("%q is not a sha256 digest (64 lower-case hex digits)", hash)
	}
	return nil
}

func (s *diskStore) path(kind, hash string) string {
	return filepath.Join(s.root, kind, hash[:2], hash)
}

// hasBlob says whether the CAS holds hash with exactly size bytes.
func (s *diskStore) hasBlob(hash string, size int64) bool {
	if hash == emptyHash && size == 0 {
		return true
	}
	info, err := os.Stat(s.path("cas", hash))
	return err == nil && info.Size() == size
}

// openBlob opens a CAS blob for reading; errNotFound when it is absent.
func (s *diskStore) openBlob(hash string) (*os.File, error) {
	file, err := os.Open(s.path("cas", hash))
	if errors.Is(err, os.ErrNotExist) {
		return nil, errNotFound
	}
	return file, err
}

// readBlob returns a whole CAS blob.
func (s *diskStore) readBlob(hash string, size int64) ([]byte, error) {
	if hash == emptyHash && size == 0 {
		return []byte{}, nil
	}
	data, err := os.ReadFile(s.path("cas", hash))
	if errors.Is(err, os.ErrNotExist) || (err == nil && int64(len(data)) != size) {
		return nil, errNotFound
	}
	return data, err
}

// blobWriter streams a blob to a temporary file, hashing it on the way; commit checks the
// content against the digest it was announced with before it enters the CAS.
type blobWriter struct {
	store   *diskStore
	hash    string
	size    int64
	file    *os.File
	hasher  hash.Hash
	written int64
}

func (s *diskStore) newBlobWriter(hash string, size int64) (*blobWriter, error) {
	file, err := os.CreateTemp(filepath.Join(s.root, "tmp"), fmt.Sprintf("upload-%d-*", s.counter.Add(1)))
	if err != nil {
		return nil, err
	}
	return &blobWriter{store: s, hash: hash, size: size, file: file, hasher: sha256.New()}, nil
}

func (w *blobWriter) Write(data []byte) (int, error) {
	w.hasher.Write(data)
	n, err := w.file.Write(data)
	w.written += int64(n)
	return n, err
}

func (w *blobWriter) abort() {
	w.file.Close()
	os.Remove(w.file.Name())
}

func (w *blobWriter) commit() error {
	defer w.abort() // after the rename only the (closed) handle is left to drop
	if w.written != w.size {
		return fmt.Errorf("blob %s: received %d bytes, the digest says %d", w.hash, w.written, w.size)
	}
	if got := hex.EncodeToString(w.hasher.Sum(nil)); got != w.hash {
		return fmt.Errorf("blob uploaded as %s has sha256 %s", w.hash, got)
	}
	if err := w.file.Close(); err != nil {
		return err
	}
	return w.store.install(w.file.Name(), w.store.path("cas", w.hash))
}

// putBlob stores a whole blob after checking it against its digest.
func (s *diskStore) putBlob(hash string, data []byte) error {
	writer, err := s.newBlobWriter(hash, int64(len(data)))
	if err != nil {
		return err
	}
	if _, err := writer.Write(data); err != nil {
		writer.abort()
		return err
	}
	return writer.commit()
}

func (s *diskStore) install(temporary, final string) error {
	if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		return err
	}
	return os.Rename(temporary, final)
}

// getActionResult returns the serialized ActionResult stored under an action digest.
func (s *diskStore) getActionResult(hash string) ([]byte, error) {
	data, err := os.ReadFile(s.path("ac", hash))
	if errors.Is(err, os.ErrNotExist) {
		return nil, errNotFound
	}
	return data, err
}

func (s *diskStore) putActionResult(hash string, serialized []byte) error {
	file, err := os.CreateTemp(filepath.Join(s.root, "tmp"), fmt.Sprintf("ac-%d-*", s.counter.Add(1)))
	if err != nil {
		return err
	}
	defer os.Remove(file.Name())
	if _, err := file.Write(serialized); err != nil {
		file.Close()
		return err
	}
	if err := file.Close(); err != nil {
		return err
	}
	return s.install(file.Name(), s.path("ac", hash))
}
