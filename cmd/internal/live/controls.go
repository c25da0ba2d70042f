package live

import "math"

// Action is something a person asks of the viewer.
type Action int

// The viewer's actions; Bindings maps keys to them.
const (
	NoAction Action = iota
	TogglePause
	StepOnce
	Slower
	Faster
	ResetEpisode
	ToggleImagination
	ToggleCandidates
	TogglePlots
	ToggleTakeOver
	Screenshot
	ToggleHelp
	NextStep
	PreviousStep
	Quit
)

// Binding is a key and what it does; the help overlay shows Label and Help, and leaves out
// bindings without Help (second keys for the same action).
type Binding struct {
	Key    string // Ebiten's name for the key (ebiten.Key.String)
	Label  string
	Action Action
	Help   string
}

// Bindings lists the viewer's keys in the order the help overlay shows them.
var Bindings = []Binding{
	{"Space", "Space", TogglePause, "pause or resume"},
	{"Period", ".", StepOnce, "take a single step (pauses)"},
	{"Minus", "−", Slower, "slower (×½ … ×64, then as fast as possible)"},
	{"NumpadSubtract", "−", Slower, ""},
	{"Equal", "+", Faster, "faster"},
	{"NumpadAdd", "+", Faster, ""},
	{"R", "R", ResetEpisode, "end the episode, start the next"},
	{"I", "I", ToggleImagination, "show or hide the imagined future"},
	{"C", "C", ToggleCandidates, "show or hide the plans the planner weighed (red worst, green best)"},
	{"P", "P", TogglePlots, "show or hide the plots"},
	{"H", "H", ToggleTakeOver, "take over with the arrow keys, or hand back"},
	{"S", "S or F12", Screenshot, "save a screenshot"},
	{"F12", "F12", Screenshot, ""},
	{"Slash", "? or F1", ToggleHelp, "show or hide this help"},
	{"F1", "F1", ToggleHelp, ""},
	{"N", "N or Page Down", NextStep, "a lesson's next step"},
	{"PageDown", "Page Down", NextStep, ""},
	{"B", "B or Page Up", PreviousStep, "a lesson's step before"},
	{"PageUp", "Page Up", PreviousStep, ""},
	{"Escape", "Esc or Q", Quit, "quit"},
	{"Q", "Q", Quit, ""},
}

// KeyAction returns the action of the key named key, or NoAction.
func KeyAction(key string) Action {
	for _, b := range Bindings {
		if b.Key == key {
			return b.Action
		}
	}
	return NoAction
}

// Speeds is the ladder Slower and Faster move along, in simulated seconds per wall second;
// its top, +Inf, runs as fast as the machine can.
var Speeds = []float64{0.5, 1, 2, 4, 8, 16, 32, 64, math.Inf(1)}

// Shift returns the speed by steps rungs of the ladder from x (negative: slower), stopping
// at its ends. A speed off the ladder moves to the nearest rung first.
func Shift(x float64, steps int) float64 {
	i := nearest(x)
	i = min(max(i+steps, 0), len(Speeds)-1)
	return Speeds[i]
}

// nearest returns the index of the rung closest to x, comparing in log scale.
func nearest(x float64) int {
	if math.IsInf(x, 1) {
		return len(Speeds) - 1
	}
	best, dist := 0, math.Inf(1)
	for i, s := range Speeds {
		if d := math.Abs(math.Log(s) - math.Log(x)); !math.IsInf(s, 1) && d < dist {
			best, dist = i, d
		}
	}
	return best
}

// Arrows maps the arrow keys held to an action in [-1, 1] per component of a d-dimensional
// action space: Right and Left drive component 0, Up and Down component 1.
func Arrows(d int, left, right, up, down bool) []float64 {
	a := make([]float64, d)
	axis := func(neg, pos bool) float64 {
		switch {
		case pos && !neg:
			return 1
		case neg && !pos:
			return -1
		}
		return 0
	}
	if d > 0 {
		a[0] = axis(left, right)
	}
	if d > 1 {
		a[1] = axis(down, up)
	}
	return a
}
