package assets

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// LessonExt is the extension of lesson files.
const LessonExt = ".lesson"

// Limits on lesson files.
const (
	// MaxLessonSteps is the most steps a lesson may have.
	MaxLessonSteps = 20
	// MaxCaptionLines is the most caption lines a step may have.
	MaxCaptionLines = 4
	// MaxLessonFrames bounds a step's frames, the control steps its GIF shows.
	MaxLessonFrames = 2000
	// MaxLessonLearn bounds a step's learn, the experience gathered before it is shown.
	MaxLessonLearn = time.Hour
	// maxLessonLine is the longest line a lesson file may have, in bytes.
	maxLessonLine = 512
)

// Lesson is a guided tour of Foresight for a class: a title and the steps shown one after
// the other, each with its caption and what runs while it is shown.
type Lesson struct {
	Name  string       `json:"name"`
	Title string       `json:"title"`
	Steps []LessonStep `json:"steps"`
}

// LessonStep is one step of a lesson. A step runs the same sessions as the step before it,
// which keep learning, unless it changes Env, Agents, Seed or Obs; Speed, Imagine,
// Candidates and Plots carry on until changed too, while Learn and Frames are the lesson's
// defaults unless the step sets its own.
type LessonStep struct {
	Title string `json:"title"`
	// Caption is what the step says, one entry per line; Look says what to look at.
	Caption []string `json:"caption"`
	Look    string   `json:"look,omitempty"`
	// Env, Agents, Seed and Obs say what runs: an environment id, one agent or the two or
	// three of a race, the seed, and the observation (empty for the state).
	Env    string   `json:"env"`
	Agents []string `json:"agents"`
	Seed   uint64   `json:"seed"`
	Obs    string   `json:"obs,omitempty"`
	// Speed is the pace, as foresight watch --speed takes it.
	Speed string `json:"speed"`
	// Imagine, Candidates and Plots show the imagined future, the planner's candidates and
	// the plots.
	Imagine    bool `json:"imagine"`
	Candidates bool `json:"candidates"`
	Plots      bool `json:"plots"`
	// Learn is the experience the learners gather, at full speed, before the step is shown.
	Learn time.Duration `json:"learn,omitempty"`
	// Frames is the number of control steps the step's GIF shows.
	Frames int `json:"frames"`
	// Lines holds the line of the file that set each key in force for the step, for errors
	// that only the caller can find, such as an unknown environment.
	Lines map[string]int `json:"lines"`
}

// LessonNames returns the names of the lessons shipped in the package, sorted.
func LessonNames() []string { return names("lessons", LessonExt) }

// LoadLesson returns the shipped lesson called name. It returns an error naming the known
// lessons if there is none of that name.
func LoadLesson(name string) (*Lesson, error) {
	return load("lesson", "lessons", LessonExt, name, ParseLesson)
}

// ParseLesson reads a lesson file (README.md describes the format) from r; name is what
// errors and the Lesson call it. It returns an error naming the file and the line for an
// unknown key, a value out of range or a line too long, and an error naming the file for a
// lesson without a title or steps, or whose first step does not say what runs.
func ParseLesson(name string, r io.Reader) (*Lesson, error) {
	l := &Lesson{Name: name}
	p := lessonParser{lesson: l, next: LessonStep{Speed: "1", Imagine: true, Plots: true, Frames: 100, Lines: map[string]int{}}}
	err := scanLines("lesson", name, r, maxLessonLine, func(line int, text string) error {
		key, value, ok := strings.Cut(text, ":")
		if !ok {
			return errors.New("want key: value")
		}
		return p.set(strings.TrimSpace(key), strings.TrimSpace(value), line)
	})
	if err != nil {
		return nil, err
	}
	if err := p.finish(); err != nil {
		return nil, fmt.Errorf("assets: lesson %s: %w", name, err)
	}
	return l, nil
}

// lessonParser builds a lesson key by key: next is the step being read, or before the first
// step the defaults every step starts from.
type lessonParser struct {
	lesson   *Lesson
	next     LessonStep
	defaults LessonStep // what the keys before the first step set
	started  bool       // next is a step, not the defaults
}

// set applies one key's value read at line.
func (p *lessonParser) set(key, value string, line int) error {
	if value == "" {
		return fmt.Errorf("%s has no value", key)
	}
	s := &p.next
	var err error
	switch key {
	case "title":
		if p.started || p.lesson.Title != "" {
			return errors.New("title goes once, before the first step")
		}
		p.lesson.Title = value
		return nil
	case "step":
		return p.startStep(value, line)
	case "caption":
		if !p.started {
			return errors.New("caption before the first step")
		}
		if len(s.Caption) == MaxCaptionLines {
			return fmt.Errorf("more than %d caption lines", MaxCaptionLines)
		}
		s.Caption = append(s.Caption, value)
		return nil
	case "look":
		if !p.started {
			return errors.New("look before the first step")
		}
		s.Look = value
		return nil
	case "env":
		s.Env = value
	case "agents":
		s.Agents = strings.Fields(strings.ReplaceAll(value, ",", " "))
	case "seed":
		s.Seed, err = strconv.ParseUint(value, 10, 64)
	case "obs":
		s.Obs = value
	case "speed":
		s.Speed = value
	case "imagine":
		s.Imagine, err = onOff(value)
	case "candidates":
		s.Candidates, err = onOff(value)
	case "plots":
		s.Plots, err = onOff(value)
	case "learn":
		s.Learn, err = time.ParseDuration(value)
		if err == nil && (s.Learn < 0 || s.Learn > MaxLessonLearn) {
			err = fmt.Errorf("learn %v: want 0 to %v", s.Learn, MaxLessonLearn)
		}
	case "frames":
		s.Frames, err = strconv.Atoi(value)
		if err == nil && (s.Frames < 1 || s.Frames > MaxLessonFrames) {
			err = fmt.Errorf("frames %d: want 1 to %d", s.Frames, MaxLessonFrames)
		}
	default:
		return fmt.Errorf("unknown key %.20q (want title, step, caption, look, env, agents, seed, obs, speed, imagine, candidates, plots, learn or frames)", key)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", key, err)
	}
	s.Lines[key] = line
	return nil
}

// onOff reads a switch.
func onOff(v string) (bool, error) {
	switch v {
	case "on":
		return true, nil
	case "off":
		return false, nil
	}
	return false, fmt.Errorf("%.20q: want on or off", v)
}

// startStep ends the step being read and starts the next, which inherits what runs and the
// settings that carry on.
func (p *lessonParser) startStep(title string, line int) error {
	if p.started {
		if err := p.end(); err != nil {
			return err
		}
	} else {
		p.defaults = p.next
	}
	if len(p.lesson.Steps) == MaxLessonSteps {
		return fmt.Errorf("more than %d steps", MaxLessonSteps)
	}
	prev, def := p.next, p.defaults
	p.next = LessonStep{Title: title, Env: prev.Env, Agents: prev.Agents, Seed: prev.Seed, Obs: prev.Obs,
		Speed: prev.Speed, Imagine: prev.Imagine, Candidates: prev.Candidates, Plots: prev.Plots,
		Frames: def.Frames, Learn: def.Learn, Lines: map[string]int{"step": line}}
	for _, k := range []string{"env", "agents", "seed", "obs", "speed", "imagine", "candidates", "plots"} {
		if l, ok := prev.Lines[k]; ok {
			p.next.Lines[k] = l
		}
	}
	for _, k := range []string{"frames", "learn"} {
		if l, ok := def.Lines[k]; ok {
			p.next.Lines[k] = l
		}
	}
	p.started = true
	return nil
}

// end checks the step being read and adds it to the lesson.
func (p *lessonParser) end() error {
	s := p.next
	switch {
	case s.Env == "":
		return fmt.Errorf("step %q (line %d) says no env", s.Title, s.Lines["step"])
	case len(s.Agents) == 0:
		return fmt.Errorf("step %q (line %d) says no agents", s.Title, s.Lines["step"])
	case len(s.Caption) == 0:
		return fmt.Errorf("step %q (line %d) has no caption", s.Title, s.Lines["step"])
	}
	p.lesson.Steps = append(p.lesson.Steps, s)
	return nil
}

// finish ends the last step and checks the lesson as a whole.
func (p *lessonParser) finish() error {
	if p.lesson.Title == "" {
		return errors.New("no title")
	}
	if !p.started {
		return errors.New("no steps")
	}
	return p.end()
}
