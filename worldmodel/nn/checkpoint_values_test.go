package nn

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestCheckpointRefusesValues checks that Load refuses a value no training produces at
// either end of every array, naming its index, in both precisions.
func TestCheckpointRefusesValues(t *testing.T) {
	t.Run("float32", checkRefusesValues[float32])
	t.Run("float64", checkRefusesValues[float64])
}

func checkRefusesValues[T Float](t *testing.T) {
	nan, inf := T(math.NaN()), T(math.Inf(1))
	n := len(trained[T](t, 1).net.params)
	cases := []struct {
		name, want string
		change     func(tr *trainer[T])
	}{
		{"first parameter NaN", "parameter 0 is not finite", func(tr *trainer[T]) { tr.net.params[0] = nan }},
		{"last parameter infinite", fmt.Sprintf("parameter %d is not finite", n-1), func(tr *trainer[T]) { tr.net.params[n-1] = inf }},
		{"first moment 0 NaN", "first moment 0 is not finite", func(tr *trainer[T]) { tr.opt.m[0][0] = nan }},
		{"last first moment infinite", fmt.Sprintf("first moment %d is not finite", n-1), func(tr *trainer[T]) { tr.opt.m[0][n-1] = -inf }},
		{"second moment 0 negative", "second moment 0 is negative", func(tr *trainer[T]) { tr.opt.v[0][0] = -1e-30 }},
		{"last second moment NaN", fmt.Sprintf("second moment %d is negative", n-1), func(tr *trainer[T]) { tr.opt.v[0][n-1] = nan }},
	}
	for _, c := range cases {
		tr := trained[T](t, 1)
		c.change(tr)
		path := filepath.Join(t.TempDir(), "model.ckpt")
		if err := (Checkpoint[T]{Nets: []*MLP[T]{tr.net}, Opt: tr.opt}).Save(path); err != nil {
			t.Fatal(err)
		}
		dst := trained[T](t, 2)
		err := Checkpoint[T]{Nets: []*MLP[T]{dst.net}, Opt: dst.opt}.Load(path)
		if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Load: %v, want %v naming %q", c.name, err, ErrCorrupt, c.want)
		}
	}
}

// TestCheckpointFreshOptimiser checks that an optimiser that has taken no steps, whose
// second moments are all zero, saves and loads back.
func TestCheckpointFreshOptimiser(t *testing.T) {
	src := newTrainer[float32](t, Spec{Sizes: []int{3, 5, 2}, Activation: ELU}, DefaultAdamW(1e-3), 4, 1)
	path := filepath.Join(t.TempDir(), "fresh.ckpt")
	if err := (Checkpoint[float32]{Nets: []*MLP[float32]{src.net}, Opt: src.opt}).Save(path); err != nil {
		t.Fatal(err)
	}
	dst := newTrainer[float32](t, Spec{Sizes: []int{3, 5, 2}, Activation: ELU}, DefaultAdamW(1e-3), 4, 2)
	dst.step()
	if err := (Checkpoint[float32]{Nets: []*MLP[float32]{dst.net}, Opt: dst.opt}).Load(path); err != nil {
		t.Fatalf("Load of a fresh optimiser: %v", err)
	}
	if dst.opt.Steps() != 0 || !slices.Equal(dst.opt.v[0], src.opt.v[0]) || !slices.Equal(dst.net.params, src.net.params) {
		t.Errorf("loaded %d steps and other values, want the fresh optimiser's", dst.opt.Steps())
	}
}

// TestCheckpointTrailingBytes checks that bytes after the checksum are refused and counted.
func TestCheckpointTrailingBytes(t *testing.T) {
	src := trained[float32](t, 1)
	path, good := saved(t, src)
	if err := os.WriteFile(path, append(good, 0, 0, 0), 0o644); err != nil {
		t.Fatal(err)
	}
	err := Checkpoint[float32]{Nets: []*MLP[float32]{src.net}}.Load(path)
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "3 bytes follow the checksum") {
		t.Errorf("Load: %v, want ErrCorrupt counting 3 bytes after the checksum", err)
	}
}
