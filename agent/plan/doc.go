// Package plan chooses actions by imagining their consequences: sampling-based model
// predictive control over any model that can score sequences of actions.
//
// A Planner searches for the action sequence of a fixed horizon whose predicted return is
// highest, executes its first action, and at the next step searches again from the new state
// (receding-horizon control). What predicts the returns is an Evaluator: the true simulator
// behind the oracle agent, or a learned world model. Evaluators score a whole batch of
// candidate sequences in one call, so that a learned model can run them through its network
// together; one that wants short horizons to suffice can add a learned value of the state
// reached at the horizon to each return, as TD-MPC2 does, without the planner knowing.
//
// Two planners share one sampling scheme and differ only in how they weigh the best
// candidates, the elites, when they refit their sampling distribution:
//
//	CEM   the cross-entropy method: the elites count equally.
//	MPPI  model predictive path integral control (Williams et al.), in the form TD-MPC2 uses:
//	      the elites count by the exponential of their return, so better ones pull harder.
//
// Each Plan call runs a few iterations. An iteration draws candidates around a per-step
// Gaussian mean, with noise that may be correlated from step to step (Config.Correlation),
// clipped to the action bounds; scores them; and moves the mean and standard deviation
// towards the elites. Besides the random draws, every iteration scores three fixed
// candidates: the mean itself, the best sequence found so far, and the sequence of zero
// actions (clipped to the bounds), so that doing nothing is always considered and a good plan
// is never lost by bad luck in the draws. The planner then returns the first action of the
// best candidate it scored, and keeps that sequence for the viewer (Best).
//
// Warm start: the next Plan starts from the previous mean and best sequence shifted by one
// step (step t+1 becomes step t, and the last step is repeated), while the standard
// deviation starts afresh from Config.InitStd. Reset
// forgets both at the start of an episode.
//
// Planners are deterministic given their seed: they draw from their own PCG generator, and
// the same seed and the same returns give the same actions. Plan itself allocates
// nothing: a planner allocates all it needs when it is made.
package plan
