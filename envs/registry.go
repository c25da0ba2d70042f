package envs

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
)

// Param is a physical parameter of an environment that users may change to test
// generalisation: a mass, a length, a friction, an action limit.
type Param struct {
	Name     string
	Value    float64 // the value in use (the default in a registration)
	Min, Max float64 // inclusive range of accepted values
	Unit     string
	Doc      string
}

// Params is a list of parameters with their values.
type Params []Param

// Get returns the value of the named parameter. It panics if there is none: environments
// ask only for the parameters they declared.
func (ps Params) Get(name string) float64 {
	for _, p := range ps {
		if p.Name == name {
			return p.Value
		}
	}
	panic("envs: no parameter " + name)
}

// Values returns the parameters' values by name, as WithParams takes them.
func (ps Params) Values() map[string]float64 {
	m := make(map[string]float64, len(ps))
	for _, p := range ps {
		m[p.Name] = p.Value
	}
	return m
}

// Registration tells Make how to build an environment.
type Registration struct {
	ID      string
	Summary string
	// Params lists the parameters with their defaults and ranges.
	Params Params
	// MaxEpisodeSteps is the default time limit Make applies (zero: none).
	MaxEpisodeSteps int
	// New builds the unwrapped environment with the given parameter values.
	New func(p Params) (Env, error)
}

var (
	regMu    sync.RWMutex
	registry = map[string]Registration{}
)

// Register adds an environment to the registry under r.ID, so Make can build it. It returns
// an error if the id is taken or malformed (ids look like Name-v0), or a default lies outside
// its range.
func Register(r Registration) error {
	if !validID(r.ID) {
		return fmt.Errorf("envs: register %q: id must look like Name-v0", r.ID)
	}
	if r.New == nil {
		return fmt.Errorf("envs: register %s: no constructor", r.ID)
	}
	for _, p := range r.Params {
		if !(p.Value >= p.Min && p.Value <= p.Max) {
			return fmt.Errorf("envs: register %s: parameter %s default %v outside [%v, %v]", r.ID, p.Name, p.Value, p.Min, p.Max)
		}
	}
	regMu.Lock()
	defer regMu.Unlock()
	if _, dup := registry[r.ID]; dup {
		return fmt.Errorf("envs: register %s: id already registered", r.ID)
	}
	r.Params = slices.Clone(r.Params)
	registry[r.ID] = r
	return nil
}

// mustRegister registers one of the built-in environments.
func mustRegister(r Registration) {
	if err := Register(r); err != nil {
		panic(err)
	}
}

func validID(id string) bool {
	name, ver, ok := strings.Cut(id, "-v")
	if !ok || name == "" || ver == "" || strings.Contains(ver, "-v") {
		return false
	}
	for _, c := range ver {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// IDs returns every registered environment id, sorted.
func IDs() []string {
	regMu.RLock()
	defer regMu.RUnlock()
	ids := make([]string, 0, len(registry))
	for id := range registry {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Lookup returns the registration for id, or an error naming the known ids.
func Lookup(id string) (Registration, error) {
	regMu.RLock()
	r, ok := registry[id]
	regMu.RUnlock()
	if !ok {
		return Registration{}, fmt.Errorf("envs: unknown environment %.40q (known: %s)", id, strings.Join(IDs(), ", "))
	}
	r.Params = slices.Clone(r.Params)
	return r, nil
}

// Option changes how Make builds an environment.
type Option func(*config) error

type config struct {
	params   Params
	maxSteps int
}

// WithParam sets a physical parameter. Make fails if the environment has no such parameter
// or the value is outside its range.
func WithParam(name string, value float64) Option {
	return func(c *config) error {
		i := slices.IndexFunc(c.params, func(p Param) bool { return p.Name == name })
		if i < 0 {
			names := make([]string, len(c.params))
			for j, p := range c.params {
				names[j] = p.Name
			}
			return fmt.Errorf("unknown parameter %.40q (known: %s)", name, strings.Join(names, ", "))
		}
		p := &c.params[i]
		if math.IsNaN(value) || value < p.Min || value > p.Max {
			return fmt.Errorf("parameter %s = %v is outside [%v, %v]", name, value, p.Min, p.Max)
		}
		p.Value = value
		return nil
	}
}

// WithParams sets physical parameters by name, as WithParam sets each, in name order so
// that the same values always build alike and fail alike.
func WithParams(values map[string]float64) Option {
	return func(c *config) error {
		for _, name := range slices.Sorted(maps.Keys(values)) {
			if err := WithParam(name, values[name])(c); err != nil {
				return err
			}
		}
		return nil
	}
}

// WithMaxEpisodeSteps replaces the default time limit; zero removes it.
func WithMaxEpisodeSteps(n int) Option {
	return func(c *config) error {
		if n < 0 {
			return fmt.Errorf("max episode steps %d is negative", n)
		}
		c.maxSteps = n
		return nil
	}
}

// Make builds the environment registered as id, with its default time limit applied by the
// TimeLimit wrapper, as Gymnasium's make does. It returns an error for an unknown id (listing
// the known ones) or an invalid option.
func Make(id string, opts ...Option) (Env, error) {
	r, err := Lookup(id)
	if err != nil {
		return nil, err
	}
	c := config{params: r.Params, maxSteps: r.MaxEpisodeSteps}
	for _, o := range opts {
		if err := o(&c); err != nil {
			return nil, fmt.Errorf("envs: %s: %w", id, err)
		}
	}
	env, err := r.New(c.params)
	if err != nil {
		return nil, fmt.Errorf("envs: %s: %w", id, err)
	}
	if c.maxSteps > 0 {
		env = NewTimeLimit(env, c.maxSteps)
	}
	return env, nil
}
