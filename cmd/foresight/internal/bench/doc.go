// Package bench runs hours-to-competence benchmarks: every (environment, agent, observation,
// seed) trial of a sweep trained with the competence rule of package agent, in parallel,
// each deterministic given its seed. An agent observes the environment's state or camera
// images of it, so that a sweep holds trials of both side by side. Finished trials are
// appended to a directory as JSON lines, so that a sweep resumes where it stopped and
// survives being killed; shards of a sweep run on other machines merge into one directory;
// and the summary (median and interquartile mean of the time to competence, with stratified
// bootstrap confidence intervals, as rliable recommends) is computed from the JSON lines
// alone.
package bench
