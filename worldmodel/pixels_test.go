package worldmodel

import (
	"bytes"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/foresight-sim/foresight/worldmodel/nn"
)

// tinyPixels are small images for the pixel model tests: two 12×12 frames of two channels.
var tinyPixels = Pixels{Stack: 2, Height: 12, Width: 12, Channels: 2}

// tinyDims are the sizes of a model of tinyPixels with a one-component action.
var tinyDims = Dims{Obs: tinyPixels.size(), Action: 1, Pixels: tinyPixels}

// tinyConv is a two-layer encoder that fits tinyPixels: 12 → 5 → 3, and the decoder back.
func tinyConv(shift int) ConvConfig {
	return ConvConfig{Layers: []nn.ConvLayer{
		{Out: 4, Kernel: 4, Stride: 2, Activation: nn.ReLU},
		{Out: 4, Kernel: 3, Stride: 1, Activation: nn.Mish},
	}, Shift: shift}
}

// blobBatch fills b with n sequences of l steps of the rotation system seen as images: each
// frame a soft blob of either channel's brightness where the state puts it, the stack the
// last two frames.
func blobBatch(rng *rand.Rand, b *Batch, n, l int) {
	var states Batch
	rotationBatch(rng, &states, n, l)
	b.Resize(n, l, tinyDims.Obs, 1)
	copy(b.Action, states.Action)
	copy(b.Reward, states.Reward)
	frame := tinyPixels.Height * tinyPixels.Width * tinyPixels.Channels
	for s := range n {
		for t := range l + 1 {
			obs := b.ObsAt(s, t)
			for k := range tinyPixels.Stack {
				from := max(0, t-tinyPixels.Stack+1+k) // the stack repeats the first frame
				drawBlob(obs[k*frame:(k+1)*frame], states.ObsAt(s, from))
			}
		}
	}
}

// drawBlob draws the state x as a blob in a tinyPixels frame.
func drawBlob(dst []float32, x []float32) {
	p := tinyPixels
	for h := range p.Height {
		for w := range p.Width {
			u, v := (float64(w)+0.5)/float64(p.Width)*4-2, 2-(float64(h)+0.5)/float64(p.Height)*4
			d := (u-float64(x[0]))*(u-float64(x[0])) + (v-float64(x[1]))*(v-float64(x[1]))
			i := (h*p.Width + w) * p.Channels
			dst[i] = float32(math.Exp(-2 * d))
			dst[i+1] = float32(0.5 * math.Exp(-d))
		}
	}
}

// latentCase is a model the shared tests of JEPA and Recon build.
type latentCase struct {
	name  string
	build func(t *testing.T, shift int) (Model, *latentModel)
	batch func(rng *rand.Rand, b *Batch, n, l int)
}

var latentCases = []latentCase{
	{"jepa state", func(t *testing.T, _ int) (Model, *latentModel) {
		m := newTestJEPA(t, 3)
		return m, m.latentModel
	}, rotationBatch},
	{"jepa pixels", func(t *testing.T, shift int) (Model, *latentModel) {
		c := jepaTestConfig()
		c.Conv, c.Batch = tinyConv(shift), 8
		m, err := NewJEPA(tinyDims, c, 3)
		if err != nil {
			t.Fatal(err)
		}
		return m, m.latentModel
	}, blobBatch},
	{"recon state", func(t *testing.T, _ int) (Model, *latentModel) {
		m, err := NewRecon(jepaTestDims, reconLike(jepaTestConfig()), 3)
		if err != nil {
			t.Fatal(err)
		}
		return m, m.latentModel
	}, rotationBatch},
	{"recon pixels", func(t *testing.T, shift int) (Model, *latentModel) {
		c := jepaTestConfig()
		c.Conv, c.Batch = tinyConv(shift), 8
		m, err := NewRecon(tinyDims, reconLike(c), 3)
		if err != nil {
			t.Fatal(err)
		}
		return m, m.latentModel
	}, blobBatch},
}

// trainModel takes steps training steps of m on batches drawn with the given seed.
func trainModel(t testing.TB, m Model, fill func(*rand.Rand, *Batch, int, int), steps int, seed uint64) []Stats {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	var b Batch
	n, l := m.SampleShape()
	stats := make([]Stats, steps)
	for i := range steps {
		fill(rng, &b, n, l)
		var err error
		if stats[i], err = m.Train(&b); err != nil {
			t.Fatalf("training step %d: %v", i, err)
		}
	}
	return stats
}

// reconObjective returns the loss whose gradient Recon.backward computes, worked out in
// float64 from the record of the last m.forward(b).
func reconObjective(m *Recon, b *Batch) float64 {
	c, h, n, cols := m.cfg, m.cfg.Horizon, b.B, m.frames.Cols
	var total float64
	for t := range h + 1 {
		var sq float64
		for i := range n * cols {
			e := float64(m.out.Data[t*n*cols+i]) - float64(m.frames.Data[t*n*cols+i])
			sq += e * e
		}
		total += math.Pow(c.Rho, float64(max(t-1, 0))) / float64(h) * c.Reconstruction * sq / float64(n*cols)
	}
	for t := range h {
		var sq float64
		for s := range n {
			e := float64(m.rewards[t][s]) - float64(b.Reward[s*h+t])
			sq += e * e
		}
		total += math.Pow(c.Rho, float64(t)) / float64(h) * c.RewardWeight * sq / float64(n)
	}
	return total
}

// TestLatentModelGradients checks the backward passes of JEPA and Recon, of states and of
// images (convolutions included), against central finite differences of their objectives,
// for single parameters of every network and along a random direction of each.
func TestLatentModelGradients(t *testing.T) {
	for _, lc := range latentCases {
		t.Run(lc.name, func(t *testing.T) {
			model, core := lc.build(t, 0)
			trainModel(t, model, lc.batch, 5, 4)
			var b Batch
			n, l := model.SampleShape()
			lc.batch(rand.New(rand.NewPCG(5, 5)), &b, n, l)
			var loss func() float64
			var nets []nn.Net[float32]
			switch m := model.(type) {
			case *JEPA:
				m.enc.zeroGrad()
				m.pred.ZeroGrad()
				m.forward(&b)
				m.backward(&b)
				loss = func() float64 { m.forward(&b); return jepaObjective(m, &b) }
				nets = append(m.enc.nets(), m.pred)
			case *Recon:
				m.enc.zeroGrad()
				m.pred.ZeroGrad()
				m.dec.zeroGrad()
				m.forward(&b)
				m.backward(&b)
				loss = func() float64 { m.forward(&b); return reconObjective(m, &b) }
				nets = append(append(m.enc.nets(), m.pred), m.dec.nets()...)
			}
			if images := core.obs.pix.Images(); images != (core.enc.conv != nil) || images != (core.dec.conv != nil) {
				t.Fatal("the convolutions are missing or where they should not be")
			}
			for i, net := range nets {
				grads := slices.Clone(net.Grads())
				checkCoordinates(t, lc.name+" network "+string(rune('0'+i)), net.Params(), grads, loss)
				checkDirection(t, lc.name+" network "+string(rune('0'+i)), net.Params(), grads, loss)
			}
		})
	}
}

// TestPixelLayout checks that images reach the encoder with the frames side by side in the
// channels, centred on 0, that the decoder's target is the newest frame, and that readouts
// are frames in [0, 1].
func TestPixelLayout(t *testing.T) {
	for _, p := range []Pixels{tinyPixels, {Stack: 3, Height: 5, Width: 4, Channels: 3}, {Stack: 1, Height: 2, Width: 3, Channels: 1}} {
		checkLayout(t, p)
	}
	o := observations{pix: tinyPixels}
	back := make([]float32, 3)
	o.restore(back, []float32{-2, 2, 0.25})
	if back[0] != 0 || back[1] != 1 || back[2] != 0.75 {
		t.Errorf("restore gave %v, want [0 1 0.75]: frames clamped to [0, 1]", back)
	}
	for _, lc := range latentCases[1:2] {
		model, _ := lc.build(t, 4)
		var b Batch
		lc.batch(rand.New(rand.NewPCG(1, 1)), &b, 3, 1)
		obs, _ := stepInputs(&b, 0)
		want := tinyPixels.Height * tinyPixels.Width * tinyPixels.Channels
		if r := model.Readout(model.Encode(obs)); r.Cols != want || r.Rows != 3 {
			t.Errorf("%s: readout of %d×%d, want 3×%d (the newest frame)", lc.name, r.Rows, r.Cols, want)
		}
	}
}

// TestReconTargetsUnshifted checks that a Recon of images with random shifts reconstructs
// every step's newest frame as observed, not as shifted for the encoder, while the
// encoder's input is shifted.
func TestReconTargetsUnshifted(t *testing.T) {
	model, _ := latentCases[3].build(t, 4)
	m := model.(*Recon)
	var b Batch
	n, h := m.SampleShape()
	blobBatch(rand.New(rand.NewPCG(2, 2)), &b, n, h)
	m.forward(&b)
	want := make([]float32, m.frames.Cols)
	shifted := false
	for s := range n {
		for k := range h + 1 {
			r := s*(h+1) + k
			m.obs.newest(want, m.prepared.Row(r))
			if got := m.frames.Row(k*n + s); !slices.Equal(got, want) {
				t.Fatalf("sequence %d step %d: the frame to reconstruct is not the newest frame observed", s, k)
			}
			shifted = shifted || !slices.Equal(m.all.Row(r), m.prepared.Row(r))
		}
	}
	if !shifted {
		t.Fatal("no encoder input was shifted: the test checks nothing")
	}
}

// checkLayout checks prepare and newest on images p.
func checkLayout(t *testing.T, p Pixels) {
	t.Helper()
	o := observations{pix: p}
	src := make([]float32, p.size())
	for i := range src {
		src[i] = float32(i%251) / 251
	}
	dst := make([]float32, p.size())
	o.prepare(dst, src)
	for s := range p.Stack {
		for h := range p.Height {
			for w := range p.Width {
				for c := range p.Channels {
					in := ((s*p.Height+h)*p.Width+w)*p.Channels + c
					out := (h*p.Width+w)*p.Stack*p.Channels + s*p.Channels + c
					if dst[out] != src[in]-0.5 {
						t.Fatalf("frame %d pixel (%d, %d) channel %d: prepared %v, want %v", s, h, w, c, dst[out], src[in]-0.5)
					}
				}
			}
		}
	}
	frame := make([]float32, p.Height*p.Width*p.Channels)
	o.newest(frame, dst)
	last := src[(p.Stack-1)*len(frame):]
	for i, v := range frame {
		if v != last[i]-0.5 {
			t.Fatalf("newest frame value %d is %v, want %v", i, v, last[i]-0.5)
		}
	}
}

// TestPixelModelsResume checks that a pixel model restored from its state trains on exactly
// as the original does, random shifts included.
func TestPixelModelsResume(t *testing.T) {
	for _, lc := range latentCases {
		t.Run(lc.name, func(t *testing.T) {
			a, _ := lc.build(t, 2)
			trainModel(t, a, lc.batch, 3, 6)
			state, _ := a.MarshalBinary()
			b, _ := lc.build(t, 2)
			if err := b.UnmarshalBinary(state); err != nil {
				t.Fatal(err)
			}
			sa, sb := trainModel(t, a, lc.batch, 3, 7), trainModel(t, b, lc.batch, 3, 7)
			ea, _ := a.MarshalBinary()
			eb, _ := b.MarshalBinary()
			if !slices.Equal(sa, sb) || !bytes.Equal(ea, eb) {
				t.Error("the restored model trains differently")
			}
			if err := b.UnmarshalBinary(state[:len(state)-1]); err == nil {
				t.Error("a truncated state was accepted")
			}
		})
	}
}

// TestLatentModelsLearn checks that both objectives learn the rotation system, seen as
// states and as images: the reward of the predicted step and the decoder's reading of the
// observed one improve on an untrained model's.
func TestLatentModelsLearn(t *testing.T) {
	for _, lc := range latentCases {
		t.Run(lc.name, func(t *testing.T) {
			m, _ := lc.build(t, 0)
			steps := 300
			if strings.Contains(lc.name, "pixels") {
				steps = 150
			}
			st := trainModel(t, m, lc.batch, steps, 8)
			first, last := st[0], st[len(st)-1]
			t.Logf("reward MSE %.4f → %.4f, probe %.4f → %.4f", first.Reward, last.Reward, first.Probe, last.Probe)
			if !(last.Reward < first.Reward/3) {
				t.Errorf("reward error %.4f after training, %.4f before: want a third or less", last.Reward, first.Reward)
			}
			if !(last.Probe < first.Probe/2) {
				t.Errorf("readout error %.4f after training, %.4f before: want half or less", last.Probe, first.Probe)
			}
		})
	}
}

func TestPixelModelErrors(t *testing.T) {
	c := jepaTestConfig()
	c.Conv = tinyConv(0)
	for _, tc := range []struct {
		name string
		d    Dims
		conv ConvConfig
		want string
	}{
		{"size mismatch", Dims{Obs: 10, Action: 1, Pixels: tinyPixels}, tinyConv(0), "not images"},
		{"decoder mismatch", Dims{Obs: 2 * 13 * 13 * 2, Action: 1, Pixels: Pixels{Stack: 2, Height: 13, Width: 13, Channels: 2}}, tinyConv(0), "divide evenly"},
		{"kernel too large", Dims{Obs: 2 * 3 * 3 * 2, Action: 1, Pixels: Pixels{Stack: 2, Height: 3, Width: 3, Channels: 2}}, tinyConv(0), "encoder for 3x3"},
		{"negative shift", tinyDims, tinyConv(-1), "shift"},
		{"too large", Dims{Obs: 136 * 136, Action: 1, Pixels: Pixels{Stack: 1, Height: 136, Width: 136, Channels: 1}}, tinyConv(0), "at most 128x128"},
		{"no layers", tinyDims, ConvConfig{}, "layers"},
	} {
		c.Conv = tc.conv
		_, err := NewJEPA(tc.d, c, 1)
		_, errR := NewRecon(tc.d, reconLike(c), 1)
		for _, e := range []error{err, errR} {
			if e == nil || !strings.Contains(e.Error(), tc.want) || strings.Count(e.Error(), "worldmodel:") != 1 {
				t.Errorf("%s: error %v, want one naming %q with one package prefix", tc.name, e, tc.want)
			}
		}
	}
	bad := DefaultReconConfig()
	bad.Reconstruction = 0
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "reconstruction") {
		t.Errorf("a zero reconstruction weight: %v", err)
	}
}
