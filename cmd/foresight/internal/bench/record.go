package bench

import "github.com/foresight-sim/foresight/agent"

// Record is one finished trial, a line of a sweep directory's results file.
type Record struct {
	Trial
	// Budget is the trial's budget of simulated experience in seconds.
	Budget float64 `json:"budget_seconds"`
	// Competent and TTC are the competence verdict and the time to competence in simulated
	// seconds, nil for a trial that never became competent within the budget: such a trial
	// is right-censored at the budget, never dropped.
	Competent bool     `json:"competent"`
	TTC       *float64 `json:"ttc_seconds"`
	// Concurrent reports that the agent trained on a second goroutine while it acted.
	Concurrent bool `json:"concurrent,omitempty"`
	// Settings holds the settings changed from the agent's defaults (agent.Set).
	Settings map[string]string `json:"settings,omitempty"`
	// Experience, Wall and RealTime are the simulated seconds trained, the wall seconds they
	// took, and their ratio.
	Experience float64 `json:"experience_seconds"`
	Wall       float64 `json:"wall_seconds"`
	RealTime   float64 `json:"real_time_factor"`
	Episodes   int     `json:"episodes"`
	// Curve is the learning curve, one point per training episode.
	Curve []agent.EpisodePoint `json:"curve"`
	// Version and Platform identify what produced the record: the module version (or VCS
	// revision) and GOOS/GOARCH, Go version and CPU count.
	Version  string `json:"version"`
	Platform string `json:"platform"`
}
