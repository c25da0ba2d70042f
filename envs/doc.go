// Package envs is Foresight's environment suite: simulated tasks with a Gymnasium-style API
// that agents learn in.
//
// An Env is made by id from a registry of versioned names, reset with a seed, and stepped
// with actions until the episode ends:
//
//	env, err := envs.Make("CartPoleSwingup-v0", envs.WithParam("pole_mass", 0.2))
//	obs, _ := env.Reset(7)
//	for {
//		obs, reward, terminated, truncated, info, err := env.Step(action(obs))
//		...
//		if terminated || truncated {
//			break
//		}
//	}
//
// As in Gymnasium 1.x, an episode ends with terminated (the task reached an end state) or
// truncated (the time limit, applied by the TimeLimit wrapper that Make adds, or a physics
// blow-up). Every built-in task is documented in its own file in the style of Gymnasium's
// environment pages: observation layout, action, reward, start state, termination, success
// rule, timing and parameters.
//
// Conventions shared by the built-in tasks:
//   - Actions lie in [−1, 1]ⁿ and are fractions of the actuator limits, which are parameters.
//     Out-of-range components are clipped; a wrong length or a NaN or infinite component is
//     rejected with an error and leaves the state unchanged.
//   - Rewards are dense and lie in [0, 1], shaped smoothly as in the DeepMind Control Suite,
//     so returns compare across tasks. The success rule is separate from the reward: Info.Success
//     applies it, and at the step that ends an episode it is the episode's verdict.
//   - The control timestep is 0.05 s with 10 physics sub-steps unless a task says otherwise.
//   - Physical parameters (masses, lengths, limits, gravity) are set with WithParam or
//     WithParams to test how agents generalise; values outside a parameter's range are
//     rejected. Spec.Params.Values reads them back, to build a copy alike.
//   - Agents use one set of settings on every task. Where a task was measured to need
//     another, its Spec carries the departure with the measurement behind it (Tuning), so
//     that agents find it without knowing the task.
//   - Same seed, same episode, bit for bit, in serial and parallel runs. Snapshot and Restore
//     capture and reinstate the complete state, also across two environments built alike,
//     which is how planners that use the true simulator look ahead.
//   - If the physics produces non-finite numbers the episode is truncated with Info.BlowUp
//     set, and the next Reset rebuilds the scene.
//
// Wrappers add time limits, action repeat, action rescaling and clipping, pixel observations
// drawn by the sim package's rasteriser (with distracting detail that moves but does not
// matter, see Distractor; Observe and ParseObservation build them from a description such
// as "pixels 64x64 shapes"), and episode statistics; Vector steps many copies in parallel;
// Check verifies that an environment keeps the API's promises.
package envs
