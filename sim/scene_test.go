package sim

import (
	"image/color"
	"reflect"
	"testing"
)

// drawnScene returns a scene with one shape of each kind, built the way environments build
// theirs.
func drawnScene() *Scene {
	s := &Scene{Background: color.NRGBA{1, 2, 3, 255}, Camera: Camera{Center: V(1, 2), Width: 4}}
	s.AddPolygon(LayerBody, color.NRGBA{A: 255}, V(0, 0), V(1, 0), V(0, 1)).Width = 0.1
	s.AddCircle(LayerJoint, color.NRGBA{R: 255, A: 255}, V(2, 2), 0.5)
	s.AddLine(LayerOverlay, color.NRGBA{G: 255, A: 255}, 0.02, V(-1, -1), V(1, 1))
	return s
}

// TestSceneClone checks that a clone equals its original and shares no memory with it:
// neither rebuilding the original in place nor drawing on the clone shows in the other.
func TestSceneClone(t *testing.T) {
	s := drawnScene()
	c := s.Clone()
	if !reflect.DeepEqual(c.Shapes, s.Shapes) || c.Background != s.Background || c.Camera != s.Camera {
		t.Fatalf("clone %+v, want %+v", c, s)
	}
	if c.Shapes[1].Points != nil {
		t.Error("the clone's circle has points")
	}

	s.Reset()
	s.AddPolygon(LayerTarget, color.NRGBA{B: 255, A: 255}, V(9, 9), V(8, 9), V(9, 8))
	s.AddLine(LayerBody, color.NRGBA{A: 9}, 1, V(7, 7), V(6, 6))
	if want := drawnScene(); !reflect.DeepEqual(c.Shapes, want.Shapes) {
		t.Errorf("rebuilding the original changed the clone: %+v, want %+v", c.Shapes, want.Shapes)
	}

	before := s.Clone()
	c.Shapes[0].Points[0] = V(5, 5)
	c.AddLine(LayerOverlay, color.NRGBA{A: 255}, 1, V(3, 3), V(4, 4))
	if !reflect.DeepEqual(s.Shapes, before.Shapes) {
		t.Errorf("changing the clone changed the original: %+v, want %+v", s.Shapes, before.Shapes)
	}
}

// TestSceneCloneEmpty checks that an empty scene clones to an empty scene.
func TestSceneCloneEmpty(t *testing.T) {
	if c := (&Scene{}).Clone(); len(c.Shapes) != 0 {
		t.Errorf("clone of an empty scene has %d shapes", len(c.Shapes))
	}
}
