// Package agent holds the decision makers that act in Foresight's environments and the
// rollout loop that runs them.
//
// An Agent maps observations to actions. Agents that learn from what they see will also
// observe the transitions their actions cause, through a separate interface added with them,
// so that simple agents stay simple.
//
// Available now, by the names New accepts:
//
//	random  uniform actions in the action space: the baseline every learner must beat
//	zero    the zero action, clipped into the action space: what doing nothing achieves
//	oracle  the planners of package plan given copies of the true simulator: the upper bound
//	        of planning, and the proof that each task can be solved
//
// Coming with the world-model issue: jepa (a joint-embedding predictive world model learned
// online) and pets (an ensemble of probabilistic dynamics models), both planning with the
// same planners as the oracle.
//
// Rollout runs one agent for one episode and reports its return, length and success; the
// command-line tool, the viewer and the benchmark all measure agents with it.
package agent
