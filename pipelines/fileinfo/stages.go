package fileinfo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"syscall"
	"unicode/utf8"

	"github.com/async-pipeline/async-pipeline-go/pipeline"
)

// sniffLen is the number of leading bytes that classify reads, the most
// that http.DetectContentType considers.
const sniffLen = 512

// readSize is the buffer size of the hash stage. The stage checks its
// context between reads of this size.
const readSize = 64 << 10

// statFile checks that path names a regular file and records its size.
func statFile(_ context.Context, path string) (Record, error) {
	info, err := os.Stat(path)
	if err != nil {
		return Record{}, markPermanent(err)
	}
	if err := checkRegular(path, info); err != nil {
		return Record{}, err
	}
	return Record{Path: path, Size: info.Size()}, nil
}

// hashFile streams the file through SHA-256 and counts its lines.
func hashFile(ctx context.Context, rec Record) (Record, error) {
	f, err := openRegular(rec.Path)
	if err != nil {
		return Record{}, err
	}
	defer f.Close()

	sum, size, lines, err := digest(ctx, f)
	if err != nil {
		return Record{}, markPermanent(fmt.Errorf("hash %s: %w", rec.Path, err))
	}
	rec.SHA256, rec.Size, rec.Lines = sum, size, lines
	return rec, nil
}

// classifyFile sniffs the content type and text hint from the file's first
// bytes.
func classifyFile(_ context.Context, rec Record) (Record, error) {
	f, err := openRegular(rec.Path)
	if err != nil {
		return Record{}, err
	}
	defer f.Close()

	sample := make([]byte, sniffLen)
	n, err := io.ReadFull(f, sample)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return Record{}, markPermanent(fmt.Errorf("classify %s: %w", rec.Path, err))
	}
	sample = sample[:n]
	rec.ContentType = http.DetectContentType(sample)
	rec.Text = isText(sample, n == sniffLen)
	return rec, nil
}

// openRegular opens path for reading after checking that it is still a
// regular file, which it may no longer be when it changed after stat.
// Checking first avoids blocking on opening a named pipe.
func openRegular(path string) (*os.File, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, markPermanent(err)
	}
	if err := checkRegular(path, info); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, markPermanent(err)
	}
	return f, nil
}

// checkRegular returns a permanent error matching ErrNotRegular and naming
// path unless info describes a regular file.
func checkRegular(path string, info fs.FileInfo) error {
	mode := info.Mode()
	if mode.IsRegular() {
		return nil
	}
	return pipeline.Permanent(&fs.PathError{Op: "stat", Path: path,
		Err: fmt.Errorf("%w: %s", ErrNotRegular, describeType(mode))})
}

// describeType names the file type in mode for an error message.
func describeType(mode fs.FileMode) string {
	switch {
	case mode.IsDir():
		return "directory"
	case mode&fs.ModeNamedPipe != 0:
		return "named pipe"
	case mode&fs.ModeSocket != 0:
		return "socket"
	case mode&fs.ModeCharDevice != 0:
		return "character device"
	case mode&fs.ModeDevice != 0:
		return "device"
	}
	return "file of type " + mode.Type().String()
}

// markPermanent marks errors that a retry cannot fix as permanent. These
// are a missing file, a permission error and a path that is not a regular
// file, is too long, loops through symbolic links or runs through a file
// that is not a directory. Other errors, such as too many open files, stay
// retryable.
func markPermanent(err error) error {
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) ||
		errors.Is(err, ErrNotRegular) || errors.Is(err, syscall.ENAMETOOLONG) ||
		errors.Is(err, syscall.ELOOP) || errors.Is(err, syscall.ENOTDIR) {
		return pipeline.Permanent(err)
	}
	return err
}

// digest reads r to the end and returns the hex SHA-256 of its bytes, their
// number and their line count. It returns ctx's error when ctx is done
// before a read.
func digest(ctx context.Context, r io.Reader) (sum string, size, lines int64, err error) {
	h := sha256.New()
	buf := make([]byte, readSize)
	var last byte
	for {
		if err := ctx.Err(); err != nil {
			return "", 0, 0, err
		}
		n, err := r.Read(buf)
		if n > 0 {
			h.Write(buf[:n])
			size += int64(n)
			lines += int64(bytes.Count(buf[:n], []byte{'\n'}))
			last = buf[n-1]
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", 0, 0, err
		}
	}
	if size > 0 && last != '\n' {
		lines++ // a last line without a newline
	}
	return hex.EncodeToString(h.Sum(nil)), size, lines, nil
}

// isText reports whether sample is valid UTF-8 without NUL bytes. When the
// sample was cut from a longer file, a multi-byte character split by the cut
// is ignored.
func isText(sample []byte, cut bool) bool {
	if bytes.IndexByte(sample, 0) >= 0 {
		return false
	}
	if cut {
		sample = trimSplitRune(sample)
	}
	return utf8.Valid(sample)
}

// trimSplitRune drops an incomplete multi-byte character at the end of b.
func trimSplitRune(b []byte) []byte {
	for i := 1; i < utf8.UTFMax && i <= len(b); i++ {
		tail := b[len(b)-i:]
		if !utf8.RuneStart(tail[0]) {
			continue
		}
		if !utf8.FullRune(tail) {
			return b[:len(b)-i]
		}
		return b
	}
	return b
}
