//go:build race

package storetest

// raceDetector is set in builds with the race detector, which runs code
// several times slower: the generated books of the tests are smaller.
const raceDetector = true
