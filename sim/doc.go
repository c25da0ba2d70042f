// Package sim is the physics layer of Foresight: a small, safe interface to the Go port of
// Box2D (github.com/ByteArena/box2d v1.0.2) for the simulated robots that learn and plan.
//
// A World steps at a fixed control timestep, ControlDT, split into Substeps equal physics
// steps; forces applied between two calls to Step act for that whole control step and are
// then cleared. NewBody, NewRevolute and NewPrismatic build scenes from plain descriptions
// (boxes, discs, convex polygons, segments; hinges and sliders with limits and motors) and
// return errors, not panics, for degenerate or non-finite input. Finite reports a blow-up.
//
// Snapshot, SnapshotInto and Restore save and reload the dynamic state of a world, including
// the joints' warm-start impulses, into the same world or another built the same way. A
// restored scene without contacts replays bit for bit. Contacts are rebuilt after a restore
// without their warm starts, so a scene in contact drifts slightly (a box pyramid by about
// 2e-4 m over 300 steps); rebuild the world and replay the actions where exactness matters.
//
// A Scene describes what to draw, layer by layer, in world coordinates; World.Draw fills one
// and a Renderer (or RenderImage) rasterises it in software, into the images agents observe
// and people watch. RayCast and Lidar measure distances to the nearest fixtures, filtered by
// collision category and ignoring sensors.
//
// # Workarounds for the port
//
// Every World installs a contact filter, without which the port ignores collision
// categories, masks and groups. The filter also keeps sensors out of contacts, because the
// port's sensor overlap test writes unguarded package-level statistics; for the same reason
// continuous collision (time of impact) is off, so fast, thin bodies can tunnel: keep bodies
// slow and walls thick. The port builds its contact-type registry lazily and without a
// lock; sim has it built once, before the first world exists. Sleeping is off, so a resting
// body answers a new action at once.
//
// # Concurrency
//
// A World is not safe for concurrent use, and must not be copied. Distinct worlds may step
// in parallel goroutines, with or without contacts: the workarounds above remove the port's
// races on package-level state, and parallel runs equal serial ones bit for bit.
//
// # Units and conventions
//
// Lengths are in metres, masses in kilograms, time in seconds, forces in newtons and
// torques in newton-metres; densities are per square metre. Angles are in radians,
// counter-clockwise positive, and the y axis points up. Body angles are not wrapped.
package sim
