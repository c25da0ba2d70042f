package worldmodel

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/foresight-sim/foresight/internal/parts"
	"github.com/foresight-sim/foresight/worldmodel/nn"
)

// newTestDisagreement returns an ensemble over the fake model's 2-d latents and actions.
func newTestDisagreement(t testing.TB, members int, seed uint64) *Disagreement {
	t.Helper()
	c := DefaultDisagreementConfig()
	c.Members, c.Batch = members, 64
	d, err := NewDisagreement(2, 2, c, seed)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// shiftBatch fills b with n one-step transitions of the fake model's world, next = z + a,
// from latents drawn uniformly in [lo, lo + 0.5]² and actions in [−0.1, 0.1]².
func shiftBatch(rng *rand.Rand, b *Batch, n int, lo float32) {
	b.Resize(n, 1, 2, 2)
	for s := range n {
		z, a := b.ObsAt(s, 0), b.ActionAt(s, 0)
		for j := range 2 {
			z[j] = lo + 0.5*rng.Float32()
			a[j] = 0.2*rng.Float32() - 0.1
			b.ObsAt(s, 1)[j] = z[j] + a[j]
		}
		b.Reward[s], b.Terminated[s] = 0, false
	}
}

// TestDisagreementSpread checks Spread against the variance worked out by hand for two
// predictors, and that predictors with equal parameters never disagree.
func TestDisagreementSpread(t *testing.T) {
	d := newTestDisagreement(t, 2, 1)
	z := nn.MatrixOf(3, 2, []float32{0, 0, 1, -1, 0.5, 2})
	a := nn.MatrixOf(3, 2, []float32{0.1, 0, 0, 0.2, -1, 1})
	in := nn.NewMatrix[float32](3, 4)
	joinRows(in, z, a)
	p, q := d.heads[0].Infer(in), d.heads[1].Infer(in)
	for r, got := range d.Spread(z, a) {
		var want float64
		for j := range 2 {
			diff := float64(p.Row(r)[j]) - float64(q.Row(r)[j])
			want += diff * diff / 4 / 2 // the variance of two values is (difference/2)²
		}
		if math.Abs(float64(got)-want) > 1e-5*max(want, 1e-3) {
			t.Errorf("row %d: spread %v, want %v", r, got, want)
		}
	}
	copy(d.heads[1].Params(), d.heads[0].Params())
	for r, got := range d.Spread(z, a) {
		if got != 0 {
			t.Errorf("row %d: equal predictors spread %v, want 0", r, got)
		}
	}
}

// TestDisagreementKnowsWhatItSaw checks the ensemble's purpose: trained on transitions from
// one region of latents, its bonus there falls well below 1 and stays far below its bonus
// on latents it never saw, and the predictors learn the transitions.
func TestDisagreementKnowsWhatItSaw(t *testing.T) {
	d, model := newTestDisagreement(t, 5, 2), newFakeModel(2)
	rng := rand.New(rand.NewPCG(3, 3))
	var b Batch
	var first, last float64
	for step := range 600 {
		shiftBatch(rng, &b, 64, 0)
		loss, err := d.Train(model, &b)
		if err != nil {
			t.Fatal(err)
		}
		if step == 0 {
			first = loss
		}
		last = loss
	}
	if !(last < first/10) {
		t.Errorf("predictors' loss %v after training, %v at first: want it 10 times lower", last, first)
	}
	mean := func(lo float32) float64 {
		shiftBatch(rand.New(rand.NewPCG(4, 4)), &b, 64, lo)
		z := nn.MatrixOf(64, 2, make([]float32, 128))
		a := nn.MatrixOf(64, 2, make([]float32, 128))
		for s := range 64 {
			copy(z.Row(s), b.ObsAt(s, 0))
			copy(a.Row(s), b.ActionAt(s, 0))
		}
		var sum float64
		for _, v := range d.Bonus(z, a) {
			sum += float64(v) / 64
		}
		return sum
	}
	seen, unseen := mean(0), mean(3)
	t.Logf("bonus on seen latents %.3g, on unseen ones %.3g", seen, unseen)
	if !(seen < 1.5) || !(unseen > 20*seen) {
		t.Errorf("bonus %v where it trained and %v far from it: want about 1 and over 20 times more", seen, unseen)
	}
}

// TestDisagreementState checks that a saved ensemble restores into another, which then
// scores alike, and that a state that is not one changes nothing.
func TestDisagreementState(t *testing.T) {
	d, model := newTestDisagreement(t, 3, 5), newFakeModel(2)
	var b Batch
	shiftBatch(rand.New(rand.NewPCG(6, 6)), &b, 64, 0)
	for range 5 {
		if _, err := d.Train(model, &b); err != nil {
			t.Fatal(err)
		}
	}
	data, _ := d.MarshalBinary()
	e := newTestDisagreement(t, 3, 9)
	if err := e.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	z, a := nn.MatrixOf(1, 2, []float32{0.2, 0.3}), nn.MatrixOf(1, 2, []float32{0.05, -0.05})
	if got, want := e.Bonus(z, a)[0], d.Bonus(z, a)[0]; got != want || e.reference != d.reference {
		t.Errorf("restored bonus %v (reference %v), want %v (%v)", got, e.reference, want, d.reference)
	}
	before, _ := e.MarshalBinary()
	for _, bad := range [][]byte{nil, data[:len(data)-3], []byte(strings.Repeat("x", 40))} {
		if err := e.UnmarshalBinary(bad); err == nil {
			t.Errorf("state of %d bytes accepted", len(bad))
		}
	}
	if after, _ := e.MarshalBinary(); string(after) != string(before) {
		t.Error("a rejected state changed the ensemble")
	}
}

// TestNewDisagreementRejects checks the configurations refused.
func TestNewDisagreementRejects(t *testing.T) {
	for _, tc := range []struct {
		name           string
		latent, action int
		members, batch int
	}{
		{"one member", 2, 2, 1, 8},
		{"too many members", 2, 2, MaxDisagreementMembers + 1, 8},
		{"no batch", 2, 2, 3, 0},
		{"no latent", 0, 2, 3, 8},
	} {
		c := DefaultDisagreementConfig()
		c.Members, c.Batch = tc.members, tc.batch
		if _, err := NewDisagreement(tc.latent, tc.action, c, 1); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}

// FuzzDisagreementState is FuzzJEPAState for a disagreement ensemble: its networks and its
// reference spread.
func FuzzDisagreementState(f *testing.F) {
	d := newTestDisagreement(f, 2, 1)
	var b Batch
	shiftBatch(rand.New(rand.NewPCG(1, 1)), &b, 64, 0)
	if _, err := d.Train(newFakeModel(2), &b); err != nil {
		f.Fatal(err)
	}
	state, _ := d.MarshalBinary()
	p, err := parts.Decode(disagreementKind, state, 2)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(p[0], p[1])
	f.Fuzz(func(t *testing.T, nets, reference []byte) {
		data := parts.Encode(disagreementKind, nets, reference)
		d := newTestDisagreement(t, 2, 2)
		if err := d.UnmarshalBinary(data); err != nil {
			return
		}
		if !(d.reference >= 0) {
			t.Errorf("accepted a reference spread of %v", d.reference)
		}
		if again, _ := d.MarshalBinary(); !bytes.Equal(again, data) {
			t.Error("an accepted state marshals differently")
		}
	})
}
