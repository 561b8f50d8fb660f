//go:build race

package corpus

// raceDetector is set under the race detector, which runs the fits of
// the corpus several times slower.
const raceDetector = true
