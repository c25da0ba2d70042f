package assets

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestShippedLessonsLoad checks that every shipped lesson parses, with steps that say what
// runs and what to read.
func TestShippedLessonsLoad(t *testing.T) {
	names := LessonNames()
	if !slices.Contains(names, "world-models") {
		t.Fatalf("LessonNames() = %v, want world-models among them", names)
	}
	for _, name := range names {
		l, err := LoadLesson(name)
		if err != nil {
			t.Fatal(err)
		}
		if l.Name != name || l.Title == "" || len(l.Steps) == 0 {
			t.Errorf("lesson %s: %+v", name, l)
		}
	}
}

// TestLoadLessonUnknown checks that an unknown lesson's error lists the shipped ones.
func TestLoadLessonUnknown(t *testing.T) {
	_, err := LoadLesson("nope")
	if err == nil || !strings.Contains(err.Error(), "world-models") {
		t.Errorf("LoadLesson(nope) = %v, want an error listing world-models", err)
	}
}

// TestParseLesson checks what a step inherits from the defaults and the step before it, and
// what it does not.
func TestParseLesson(t *testing.T) {
	src := `# a comment
title: Two steps
env: Pendulum-v0
seed: 3
frames: 70

step: First
agents: random
imagine: off
learn: 30s
frames: 50
caption: one
caption: two
look: here

step: Second
agents: jepa, pets
candidates: on
caption: three
`
	l, err := ParseLesson("two", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	if l.Title != "Two steps" || len(l.Steps) != 2 {
		t.Fatalf("lesson %+v, want the title and two steps", l)
	}
	a, b := l.Steps[0], l.Steps[1]
	if a.Title != "First" || a.Env != "Pendulum-v0" || a.Seed != 3 || !slices.Equal(a.Agents, []string{"random"}) ||
		a.Imagine || a.Candidates || !a.Plots || a.Speed != "1" || a.Learn != 30*time.Second || a.Frames != 50 ||
		!slices.Equal(a.Caption, []string{"one", "two"}) || a.Look != "here" {
		t.Errorf("first step %+v", a)
	}
	if b.Title != "Second" || b.Env != "Pendulum-v0" || b.Seed != 3 || !slices.Equal(b.Agents, []string{"jepa", "pets"}) ||
		b.Imagine || !b.Candidates || b.Learn != 0 || b.Frames != 70 || b.Look != "" ||
		!slices.Equal(b.Caption, []string{"three"}) {
		t.Errorf("second step %+v: want env, seed and imagine carried on, learn and look not, the default frames", b)
	}
	if b.Lines["env"] != 3 || b.Lines["agents"] != 17 || b.Lines["imagine"] != 9 || b.Lines["step"] != 16 || b.Lines["frames"] != 5 {
		t.Errorf("second step's lines %v: want env 3, agents 17, imagine 9, step 16, frames 5", b.Lines)
	}
}

// TestParseLessonErrors checks that broken lesson files are refused with one line naming
// the file and, where there is one, the line at fault.
func TestParseLessonErrors(t *testing.T) {
	const head = "title: T\nenv: Pendulum-v0\nagents: random\n"
	tests := []struct {
		name, src, want string
	}{
		{"no title", "step: s\nenv: E\nagents: a\ncaption: c\n", "lesson bad: no title"},
		{"no steps", head, "lesson bad: no steps"},
		{"no colon", head + "step s\n", "line 4: want key: value"},
		{"unknown key", head + "step: s\ncolour: red\n", `line 5: unknown key "colour"`},
		{"empty value", head + "step: s\ncaption:\n", "line 5: caption has no value"},
		{"caption first", head + "caption: c\n", "line 4: caption before the first step"},
		{"title twice", head + "title: again\n", "line 4: title goes once"},
		{"bad switch", head + "step: s\nimagine: yes\n", `line 5: imagine: "yes": want on or off`},
		{"bad seed", head + "step: s\nseed: -1\n", "line 5: seed:"},
		{"bad learn", head + "step: s\nlearn: 3h\n", "line 5: learn: learn 3h0m0s: want 0 to 1h0m0s"},
		{"bad frames", head + "step: s\nframes: 0\n", "line 5: frames: frames 0: want 1 to 2000"},
		{"too many captions", head + "step: s\ncaption: 1\ncaption: 2\ncaption: 3\ncaption: 4\ncaption: 5\n", "line 9: more than 4 caption lines"},
		{"step without caption", head + "step: s\nstep: t\ncaption: c\n", `line 5: step "s" (line 4) has no caption`},
		{"last step without caption", head + "step: s\n", `lesson bad: step "s" (line 4) has no caption`},
		{"no env", "title: T\nstep: s\nagents: a\ncaption: c\n", `step "s" (line 2) says no env`},
		{"long line", head + "step: s\ncaption: " + strings.Repeat("x", 600) + "\n", "line 5: longer than 512 bytes"},
		{"a byte too long", head + "step: s\ncaption: " + strings.Repeat("x", 504) + "\n", "line 5: longer than 512 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseLesson("bad", strings.NewReader(tt.src))
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("ParseLesson = %v, want one line containing %q", err, tt.want)
			}
		})
	}
}

// TestParseLessonLongestLine checks that a line of exactly 512 bytes, the limit, is read.
func TestParseLessonLongestLine(t *testing.T) {
	caption := "caption: " + strings.Repeat("x", 512-len("caption: "))
	src := "title: T\nenv: Pendulum-v0\nagents: zero\nstep: s\n" + caption + "\r\n"
	if _, err := ParseLesson("long", strings.NewReader(src)); err != nil {
		t.Errorf("a line of 512 bytes: %v", err)
	}
}

// FuzzParseLesson feeds ParseLesson arbitrary files: it must not panic, its errors are one
// line, and a lesson it accepts keeps every limit.
func FuzzParseLesson(f *testing.F) {
	for _, name := range LessonNames() {
		data, err := files.ReadFile("lessons/" + name + LessonExt)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("title: t\nenv: e\nagents: a,b\nstep: s\ncaption: c\nframes: 7\nlearn: 1m\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := ParseLesson("fuzz", bytes.NewReader(data))
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error of more than one line: %q", err)
			}
			return
		}
		if l.Title == "" || len(l.Steps) == 0 || len(l.Steps) > MaxLessonSteps {
			t.Errorf("accepted a lesson titled %q with %d steps", l.Title, len(l.Steps))
		}
		for _, s := range l.Steps {
			if s.Env == "" || len(s.Agents) == 0 || len(s.Caption) == 0 || len(s.Caption) > MaxCaptionLines ||
				s.Frames < 1 || s.Frames > MaxLessonFrames || s.Learn < 0 || s.Learn > MaxLessonLearn {
				t.Errorf("accepted step %+v", s)
			}
		}
	})
}
