//go:build race

package gbdt

// raceDetector is set under the race detector, whose sync.Pool drops
// items at random: a pooled buffer may then be allocated anew.
const raceDetector = true
