package safefile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func writeString(s string) func(io.Writer) error {
	return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
}

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.bin")
	failed := errors.New("encoder failed")
	tests := []struct {
		name    string
		path    string
		write   func(io.Writer) error
		wantErr error
		want    string
	}{
		{"new file", path, writeString("one"), nil, "one"},
		{"replaces", path, writeString("two"), nil, "two"},
		{"failed write keeps the old file", path, func(w io.Writer) error { w.Write([]byte("partial")); return failed }, failed, "two"},
		{"directory", dir, writeString(""), ErrNotRegular, "two"},
		{"missing directory", filepath.Join(dir, "no", "x.bin"), writeString(""), os.ErrNotExist, "two"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Write(tt.path, tt.write)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Write error %v, want %v", err, tt.wantErr)
			}
			if got, _ := os.ReadFile(path); string(got) != tt.want {
				t.Errorf("file holds %q, want %q", got, tt.want)
			}
			if names := entries(t, dir); !slices.Equal(names, []string{"x.bin"}) {
				t.Errorf("directory holds %v, want only x.bin", names)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	if err := Check(filepath.Join(dir, "new")); err != nil {
		t.Errorf("Check of a new file: %v", err)
	}
	if err := Check(dir); !errors.Is(err, ErrNotRegular) {
		t.Errorf("Check of a directory: %v, want ErrNotRegular", err)
	}
}
