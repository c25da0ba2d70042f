package main

import (
	"bytes"
	"context"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/foresight-sim/foresight/internal/slowtest"
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

// TestWebPageSlow builds the web page, serves it, and drives it in headless Chromium, as a
// person opening it would: the page loads, the agent runs (the title the page keeps shows
// its episodes advancing), and the canvas draws the scene in its colours (checkShot). It
// needs Chromium (scripts/setup.sh installs it) and is skipped without it.
func TestWebPageSlow(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the web page and drives a browser")
	}
	slowtest.SkipUnderRace(t)
	browser := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			browser = p
			break
		}
	}
	if browser == "" {
		t.Skip("no Chromium to drive (scripts/setup.sh installs it)")
	}
	dir := buildWebPage(t)
	h, err := webHandler(dir)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(browser), chromedp.NoSandbox,
		chromedp.WindowSize(640, 360), chromedp.Flag("enable-unsafe-swiftshader", true), chromedp.Flag("use-angle", "swiftshader"))
	alloc, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/?env=Pendulum-v0&agents=random&speed=max")); err != nil {
		t.Fatalf("loading the page: %v", err)
	}
	var title string
	for episode := 0; episode < 3; {
		if err := chromedp.Do(ctx, chromedp.Sleep(time.Second)); err != nil {
			t.Fatalf("the page never showed 3 episodes of the random agent; its title was %q: %v", title, err)
		}
		var err error
		if title, err = chromedp.Run(ctx, chromedp.Title()); err != nil {
			t.Fatal(err)
		}
		if _, after, ok := strings.Cut(title, "episode "); ok {
			episode, _ = strconv.Atoi(after)
		}
	}
	if !strings.HasPrefix(title, "Foresight · Pendulum-v0 · random · experience") {
		t.Errorf("title %q", title)
	}
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatal(err)
	}
	checkShot(t, img)
}

// buildWebPage builds the web page as scripts/web.sh does into a temporary folder.
func buildWebPage(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(dir, "foresight.wasm"), "../foresight-web")
	build.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the page: %v\n%s", err, out)
	}
	root, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range [][2]string{
		{filepath.Join(strings.TrimSpace(string(root)), "lib", "wasm", "wasm_exec.js"), "wasm_exec.js"},
		{filepath.Join("..", "foresight-web", "index.html"), "index.html"},
	} {
		data, err := os.ReadFile(f[0])
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f[1]), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
