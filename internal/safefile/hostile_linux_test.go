package safefile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// hostile lays out, in a fresh directory, a path of each kind that Write and Read must
// refuse or handle, and returns the directory.
func hostile(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o644))
	must(os.Mkdir(filepath.Join(dir, "dir"), 0o755))
	must(os.WriteFile(filepath.Join(dir, "private"), []byte("secret"), 0o600))
	must(os.MkdirAll(filepath.Join(dir, "elsewhere"), 0o755))
	must(os.WriteFile(filepath.Join(dir, "elsewhere", "target"), []byte("old"), 0o640))
	must(os.Symlink(filepath.Join("elsewhere", "target"), filepath.Join(dir, "link")))
	must(os.Symlink("missing", filepath.Join(dir, "dangling")))
	must(os.Symlink("fifo", filepath.Join(dir, "link-to-fifo")))
	must(os.Symlink("/dev/zero", filepath.Join(dir, "zero")))
	must(os.Symlink("link", filepath.Join(dir, "link-to-link")))
	must(os.WriteFile(filepath.Join(dir, "locked"), []byte("sealed"), 0o600))
	must(os.Chmod(filepath.Join(dir, "locked"), 0))
	must(os.WriteFile(filepath.Join(dir, "big"), make([]byte, 1000), 0o644))
	// A character device like /dev/null, made only where the test runs as root.
	if err := syscall.Mknod(filepath.Join(dir, "null"), syscall.S_IFCHR|0o666, 1<<8|3); err != nil {
		must(os.Symlink("/dev/null", filepath.Join(dir, "null")))
	}
	return dir
}

// snapshot records every entry under dir: its mode and, for regular files, its contents.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	got := map[string]string{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		fi, _ := os.Lstat(p)
		s := fi.Mode().String()
		if fi.Mode().IsRegular() {
			b, _ := os.ReadFile(p)
			s += " " + string(b)
		}
		got[p] = s
		return nil
	})
	return got
}

// bounded runs f and fails the test if it has not returned within a few seconds.
func bounded(t *testing.T, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { f(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("did not return within 5 s")
	}
}

func TestWriteHostilePaths(t *testing.T) {
	tests := []struct {
		name    string
		wantErr string // "" for a write that succeeds
		changed string // the one entry a successful write changes
		mode    fs.FileMode
	}{
		{"fifo", "is a FIFO, not a regular file", "", 0},
		{"null", "is a character device, not a regular file", "", 0},
		{"dir", "is a directory, not a regular file", "", 0},
		{"dangling", "is a symbolic link to a missing file, not a regular file", "", 0},
		{"link-to-fifo", "is a FIFO, not a regular file", "", 0},
		{"zero", "is a character device, not a regular file", "", 0},
		{"private", "", "private", 0o600},
		{"link", "", "elsewhere/target", 0o640},
		{"link-to-link", "", "elsewhere/target", 0o640},
		{"locked", "", "locked", 0}, // mode 0000 stays 0000
		{"new", "", "new", 0o644},   // 0666 less the umask of 022 set below
	}
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := hostile(t)
			before := snapshot(t, dir)
			var err error
			bounded(t, func() { err = Write(filepath.Join(dir, tt.name), writeString("new contents")) })
			after := snapshot(t, dir)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr || !errors.Is(err, ErrNotRegular) {
					t.Fatalf("Write error %v, want %q", err, tt.wantErr)
				}
				if !equalMaps(before, after) {
					t.Errorf("a refused write changed the directory:\nbefore %v\nafter  %v", before, after)
				}
				return
			}
			if err != nil {
				t.Fatalf("Write: %v", err)
			}
			target := filepath.Join(dir, tt.changed)
			fi, err := os.Lstat(target)
			if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm() != tt.mode {
				t.Fatalf("%s is %v (%v), want a regular file of mode %v", tt.changed, fi.Mode(), err, tt.mode)
			}
			after[target] = before[target] // everything else is as it was
			delete(after, target)
			delete(before, target)
			if !equalMaps(before, after) {
				t.Errorf("the write changed more than %s:\nbefore %v\nafter  %v", tt.changed, before, after)
			}
			if b, _ := os.ReadFile(target); string(b) != "new contents" {
				t.Errorf("%s holds %q", tt.changed, b)
			}
		})
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestRead(t *testing.T) {
	tests := []struct {
		name    string
		limit   int64
		want    string
		wantErr error
		msg     string
	}{
		{"private", 100, "secret", nil, ""},
		{"link", 100, "old", nil, ""},
		{"big", 1000, strings.Repeat("\x00", 1000), nil, ""},
		{"big", 999, "", ErrTooLarge, "file is too large: 1000 bytes, more than the 999 allowed"},
		{"fifo", 100, "", ErrNotRegular, "is a FIFO, not a regular file"},
		{"link-to-fifo", 100, "", ErrNotRegular, "is a FIFO, not a regular file"},
		{"zero", 1 << 40, "", ErrNotRegular, "is a character device, not a regular file"},
		{"null", 100, "", ErrNotRegular, "is a character device, not a regular file"},
		{"dir", 100, "", ErrNotRegular, "is a directory, not a regular file"},
		{"dangling", 100, "", fs.ErrNotExist, "no such file or directory"},
		{"new", 100, "", fs.ErrNotExist, "no such file or directory"},
	}
	dir := hostile(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []byte
			var err error
			bounded(t, func() { got, err = Read(filepath.Join(dir, tt.name), tt.limit) })
			if !errors.Is(err, tt.wantErr) || (err != nil && err.Error() != tt.msg) {
				t.Fatalf("Read error %v, want %q", err, tt.msg)
			}
			if string(got) != tt.want {
				t.Errorf("Read returned %q, want %q", got, tt.want)
			}
		})
	}
}

func TestOpenAppend(t *testing.T) {
	tests := []struct {
		name    string
		wantErr string
		changed string // the file the append lands in
		want    string // its contents after appending "+"
	}{
		{"fifo", "is a FIFO, not a regular file", "", ""},
		{"dangling", "is a symbolic link to a missing file, not a regular file", "", ""},
		{"null", "is a character device, not a regular file", "", ""},
		{"link", "", "elsewhere/target", "old+"},
		{"new", "", "new", "+"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := hostile(t)
			before := snapshot(t, dir)
			var f *os.File
			var err error
			bounded(t, func() { f, err = OpenAppend(filepath.Join(dir, tt.name)) })
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("OpenAppend error %v, want %q", err, tt.wantErr)
				}
				if after := snapshot(t, dir); !equalMaps(before, after) {
					t.Errorf("a refused append changed the directory")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			f.WriteString("+")
			f.Close()
			if got, _ := os.ReadFile(filepath.Join(dir, tt.changed)); string(got) != tt.want {
				t.Errorf("%s holds %q, want %q", tt.changed, got, tt.want)
			}
		})
	}
}
