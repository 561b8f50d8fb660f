//go:build race

package trainer

// raceDetector is set under the race detector, which runs the tuner's
// fits several times slower.
const raceDetector = true
