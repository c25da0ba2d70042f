// Package agent holds the decision makers that act in Foresight's environments and the
// rollout loop that runs them.
//
// An Agent maps observations to actions. A Learner is an Agent that also observes the
// transitions its actions cause, so that simple agents stay simple. Two more interfaces name
// what an agent can show, which front ends ask for rather than for agent types: an Imaginer
// shows the future it expects its plan to lead to, and a ModelReporter how the training of
// its world model goes.
//
// The agents New builds, by name:
//
//	random  uniform actions in the action space: the baseline every learner must beat
//	zero    the zero action, clipped into the action space: what doing nothing achieves
//	oracle  the planners of package plan given copies of the true simulator: the upper bound
//	        of planning, and the proof that each task can be solved
//	jepa    a ModelBased learner with a worldmodel.JEPA: it predicts in a latent space
//	pets    a ModelBased learner with a worldmodel.PETS ensemble: it predicts observations
//
// The two learners share everything but the model: the replay buffer, the seed phase of
// random actions, the update schedule, the critic, the termination model and the planner
// (DefaultModelConfig, changed only where an environment's Spec carries a measured
// envs.Tuning for them; see ModelConfigFor), so that comparing them compares predicting
// latents with predicting observations.
//
// Rollout runs one agent for one episode and reports its return, length and success. Train
// runs the online learning loop: training episodes, the competence rule (Competence) with
// its evaluation episodes, the time to competence, and checkpoints to resume from
// (Checkpoint); the command-line tool, the viewer and the benchmark all measure agents with
// these two.
package agent
