package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

// TestWebHandler checks that foresight web serves a built page, the WebAssembly with its
// media type, and refuses a folder that lacks a file of the page, saying how to build it.
func TestWebHandler(t *testing.T) {
	dir := t.TempDir()
	if _, err := webHandler(dir); err == nil || err.Error() != dir+" has no index.html: build the page with scripts/web.sh" {
		t.Errorf("an empty folder: %v", err)
	}
	for _, name := range webFiles {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("content of "+name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	h, err := webHandler(dir)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/foresight.wasm")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/wasm" || string(body) != "content of foresight.wasm" {
		t.Errorf("GET /foresight.wasm: %d, %q, %q", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
}

// TestWebErrors checks foresight web's bad command lines.
func TestWebErrors(t *testing.T) {
	dir := t.TempDir()
	for _, name := range webFiles {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	invoke("web", "--dir", t.TempDir()).check(t, exitFailure, "has no index.html: build the page with scripts/web.sh")
	invoke("web", "--dir", dir, "--addr", "nowhere:-1").check(t, exitUsage, "--addr:")
}
