package main

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/draw"
	"image/gif"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/foresight-sim/foresight/assets"
	"github.com/foresight-sim/foresight/cmd/internal/live"
	"github.com/foresight-sim/foresight/cmd/internal/show"
	"github.com/foresight-sim/foresight/internal/safefile"
	"github.com/foresight-sim/foresight/sim"
)

// maxLessonFile is the largest lesson file foresight lesson reads, in bytes.
const maxLessonFile = 1 << 20

var lessonCommand = command{
	name:     "lesson",
	args:     "[NAME | FILE.lesson] [--step K] [--size WxH] [--screenshot FILE --frames N | --gif FILE [--every N]]",
	summary:  "guided lessons for a class: list them, open one in the viewer step by step, or render it to a GIF with captions",
	operands: true,
	setup: func(fs *flag.FlagSet) action {
		c := lessonConfig{size: imageSize{1280, 720}, step: 1, every: 3}
		fs.IntVar(&c.step, "step", 1, "open at step `K`, counted from 1")
		fs.Var(&c.size, "size", "window or GIF size in pixels, `WxH`")
		pathVar(fs, &c.screenshot, "screenshot", "", "run --frames frames of the viewer, save the last one to `FILE` as PNG, and quit")
		fs.IntVar(&c.frames, "frames", 0, "number of frames to run with --screenshot")
		pathVar(fs, &c.gif, "gif", "", "render the lesson headless, from step --step on, into the GIF `FILE`, with its captions")
		fs.IntVar(&c.every, "every", 3, "with --gif, a frame every `N` control steps")
		return func(stdout, stderr io.Writer) error { return c.run(fs, stdout, stderr) }
	},
}

// lessonConfig holds the flags of foresight lesson.
type lessonConfig struct {
	step            int
	size            imageSize
	screenshot, gif string
	frames, every   int
}

// run lists the lessons, or shows the one the first argument names; flags may follow it.
func (c *lessonConfig) run(fs *flag.FlagSet, stdout, stderr io.Writer) error {
	if fs.NArg() == 0 {
		return listLessons(stdout)
	}
	name := fs.Arg(0)
	if err := fs.Parse(fs.Args()[1:]); err != nil {
		return usagef("%v (see foresight lesson -h)", err)
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %.40q (see foresight lesson -h)", fs.Arg(0))
	}
	l, err := loadLesson(name)
	if err != nil {
		return err
	}
	switch {
	case c.step < 1 || c.step > len(l.Steps):
		return usagef("--step %d: lesson %s has steps 1 to %d", c.step, l.Name, len(l.Steps))
	case (c.screenshot == "") != (c.frames == 0) || c.frames < 0:
		return usagef("--screenshot FILE and --frames N (N ≥ 1) go together")
	case c.gif != "" && c.screenshot != "":
		return usagef("--gif and --screenshot do not go together")
	case c.every < 1:
		return usagef("--every must be at least 1, not %d", c.every)
	}
	if c.gif != "" {
		return c.renderGIF(l, stdout, stderr)
	}
	return runViewer(live.Launch{Lesson: l, Step: c.step - 1, Speed: "1", Width: c.size.w, Height: c.size.h,
		Screenshot: c.screenshot, Frames: c.frames}, stdout, stderr)
}

// listLessons writes the shipped lessons, one per line, and how to write one.
func listLessons(stdout io.Writer) error {
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LESSON\tSTEPS\tTITLE")
	for _, name := range assets.LessonNames() {
		l, err := assets.LoadLesson(name)
		if err != nil {
			return internalError{err}
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\n", name, len(l.Steps), l.Title)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(stdout, "\nforesight lesson NAME opens one in the viewer; foresight lesson FILE.lesson opens your own (assets/README.md says how to write one).")
	return err
}

// loadLesson returns the shipped lesson called name or, for a name ending in .lesson, the
// lesson in that file, checked to run. It returns a usage error for an unknown lesson and
// an error naming the file and the line for a broken one.
func loadLesson(name string) (*assets.Lesson, error) {
	var l *assets.Lesson
	if strings.HasSuffix(name, assets.LessonExt) {
		data, err := safefile.Read(name, maxLessonFile)
		if err != nil {
			return nil, fmt.Errorf("lesson %s: %w", name, err)
		}
		if l, err = assets.ParseLesson(strings.TrimSuffix(filepath.Base(name), assets.LessonExt), bytes.NewReader(data)); err != nil {
			return nil, err
		}
	} else {
		var err error
		if l, err = assets.LoadLesson(name); err != nil {
			return nil, usageError{err}
		}
	}
	return l, live.CheckLesson(l)
}

// renderGIF plays the lesson headless from step c.step on, each step as long as its frames
// say after its learners have gathered the experience it asks for, and writes every c.every
// control steps a frame with the step's caption into the GIF c.gif.
func (c *lessonConfig) renderGIF(l *assets.Lesson, stdout, stderr io.Writer) error {
	anim := &gif.GIF{}
	var cfgs []live.Config
	var learners []*live.Learner
	for k := c.step - 1; k < len(l.Steps); k++ {
		next, err := live.StepConfigs(l, k)
		if err != nil {
			return err
		}
		if !live.SameRun(cfgs, next) {
			if learners, err = newLearners(next); err != nil {
				return err
			}
		}
		cfgs = next
		s := l.Steps[k]
		for _, lr := range learners {
			for lr.Trainer.Experience() < s.Learn.Seconds() {
				if _, err := lr.Trainer.Step(nil); err != nil {
					return err
				}
			}
		}
		for n := range s.Frames {
			if n%c.every == 0 {
				if len(anim.Image) >= maxRecordFrames {
					return fmt.Errorf("more than %d frames: raise --every", maxRecordFrames)
				}
				img, err := c.lessonFrame(l, k, learners)
				if err != nil {
					return err
				}
				addFrame(anim, img, float64(c.every)*learners[0].Env.Spec().ControlDT)
			}
			for _, lr := range learners {
				if _, err := lr.Trainer.Step(nil); err != nil {
					return err
				}
			}
		}
		fmt.Fprintf(stderr, "step %d of %d: %s (%s of experience)\n", k+1, len(l.Steps), s.Title, show.Clock(learners[0].Trainer.Experience()))
	}
	if err := safefile.Write(c.gif, func(w io.Writer) error { return gif.EncodeAll(w, anim) }); err != nil {
		return fmt.Errorf("write %s: %w", c.gif, err)
	}
	_, err := fmt.Fprintf(stdout, "wrote %s (lesson %s, %d frames, %dx%d)\n", c.gif, l.Name, len(anim.Image), c.size.w, c.size.h)
	return err
}

// newLearners starts a learner of each configuration.
func newLearners(cfgs []live.Config) ([]*live.Learner, error) {
	out := make([]*live.Learner, len(cfgs))
	for i, cfg := range cfgs {
		lr, err := live.NewLearner(cfg)
		if err != nil {
			return nil, err
		}
		out[i] = lr
	}
	return out, nil
}

// lessonFrame draws a frame of step k: the learners side by side above the step's caption,
// which ends with a line of where each learner stands.
func (c *lessonConfig) lessonFrame(l *assets.Lesson, k int, learners []*live.Learner) (image.Image, error) {
	s := l.Steps[k]
	lines := live.StepCaption(l, k)
	status := make([]string, len(learners))
	for i, lr := range learners {
		status[i] = learnerStatus(s.Agents[i], lr)
	}
	lines = append(lines, strings.Join(status, " · "))
	size := max(10, float64(c.size.h)/26)
	img := image.NewRGBA(image.Rect(0, 0, c.size.w, c.size.h))
	paneH := c.size.h - show.CaptionHeight(len(lines), size)
	if paneH < 16 {
		return nil, usagef("--size %s leaves no room above the caption", c.size.String())
	}
	var r sim.Renderer
	for i, lr := range learners {
		rect := image.Rect(c.size.w*i/len(learners), 0, c.size.w*(i+1)/len(learners), paneH)
		pane := image.NewRGBA(image.Rect(0, 0, rect.Dx(), rect.Dy()))
		show.Picture(pane, &r, lr.Env, lr.Pose, lr.Agent, s.Imagine, s.Candidates)
		draw.Draw(img, rect, pane, image.Point{}, draw.Src)
	}
	return img, show.Caption(img, lines, size)
}

// learnerStatus says where a learner stands: its experience, and when it became competent.
func learnerStatus(name string, lr *live.Learner) string {
	s := fmt.Sprintf("%s: %s of experience", name, show.Clock(lr.Trainer.Experience()))
	if ttc := lr.Trainer.TTC(); ttc != nil {
		s += ", competent after " + show.Clock(*ttc)
	}
	return s
}
