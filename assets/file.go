package assets

import (
	"bufio"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"path"
	"slices"
	"strconv"
	"strings"
)

//go:embed tracks/*.track shapes/*.shape lessons/*.lesson mazes/*.maze
var files embed.FS

// maxLine is the longest line a data file may have, in bytes.
const maxLine = 256

// names returns the names of the files with extension ext in dir, without it, sorted.
func names(dir, ext string) []string {
	entries, _ := files.ReadDir(dir)
	var out []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ext) {
			out = append(out, strings.TrimSuffix(e.Name(), ext))
		}
	}
	slices.Sort(out)
	return out
}

// load parses the shipped file called name in dir, a kind of asset, with parse; an unknown
// name gives an error that lists the known ones.
func load[T any](kind, dir, ext, name string, parse func(string, io.Reader) (T, error)) (T, error) {
	var zero T
	var f fs.File
	err := fs.ErrNotExist
	if !strings.ContainsAny(name, "/\\") {
		f, err = files.Open(path.Join(dir, name+ext))
	}
	if errors.Is(err, fs.ErrNotExist) {
		return zero, fmt.Errorf("assets: no %s %.40q (known: %s)", kind, name, strings.Join(names(dir, ext), ", "))
	}
	if err != nil {
		return zero, fmt.Errorf("assets: %s %s: %w", kind, name, err)
	}
	defer f.Close()
	return parse(name, f)
}

// parseLines reads a file of directives, one per line, each a word followed by finite
// numbers; blank lines and lines starting with # are skipped. It calls handle on each
// directive and returns the first error, its own or handle's, as one line naming the kind
// of file, its name and the line.
func parseLines(kind, name string, r io.Reader, handle func(directive string, values []float64) error) error {
	return scanLines(kind, name, r, maxLine, func(_ int, text string) error {
		fields := strings.Fields(text)
		values, err := parseNumbers(fields[1:])
		if err != nil {
			return err
		}
		return handle(fields[0], values)
	})
}

// scanLines calls each with the number and the text, trimmed, of every line of r that is
// neither blank nor a comment (starting with #), and returns the first error, its own or
// each's, as one line naming the kind of file, its name and the line; a line longer than
// limit bytes is an error.
func scanLines(kind, name string, r io.Reader, limit int, each func(line int, text string) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, limit+2), limit+2) // room for the line ending, then len checks
	line := 0
	for sc.Scan() {
		line++
		if len(strings.TrimSuffix(sc.Text(), "\r")) > limit {
			return fmt.Errorf("assets: %s %s line %d: longer than %d bytes", kind, name, line, limit)
		}
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		if err := each(line, text); err != nil {
			return fmt.Errorf("assets: %s %s line %d: %w", kind, name, line, err)
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return fmt.Errorf("assets: %s %s line %d: longer than %d bytes", kind, name, line+1, limit)
		}
		return fmt.Errorf("assets: %s %s: %w", kind, name, err)
	}
	return nil
}

// parseNumbers returns the finite numbers fields hold, or an error naming the first that is
// not one.
func parseNumbers(fields []string) ([]float64, error) {
	out := make([]float64, len(fields))
	for i, f := range fields {
		v, err := strconv.ParseFloat(f, 64)
		if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
			return nil, fmt.Errorf("%.20q is not a finite number", f)
		}
		out[i] = v
	}
	return out, nil
}
