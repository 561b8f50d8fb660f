package synth

import (
	"math"
	"math/rand/v2"
)

// Stream tags keep the random streams of loans, borrowers and other draws
// independent of each other.
const (
	tagLoan     = 0x6c6f616e // "loan"
	tagBorrower = 0x626f7272 // "borr"
	tagPrimary  = 0x7072696d // "prim"
	tagBranch   = 0x6272616e // "bran"
)

// mix is splitmix64's finaliser: a bijective scramble of a 64-bit word.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// hash returns a well-mixed word for (seed, tag, i).
func hash(seed uint64, tag uint64, i int) uint64 {
	return mix(mix(seed^tag*0x2545f4914f6cdd1d) ^ uint64(i))
}

// stream is a reusable random stream: reseeding it costs no allocation.
type stream struct {
	pcg *rand.PCG
	*rand.Rand
}

func newStream() *stream {
	p := rand.NewPCG(0, 0)
	return &stream{pcg: p, Rand: rand.New(p)}
}

func (s *stream) seed(seed, tag uint64, i int) {
	s.pcg.Seed(hash(seed, tag, i), hash(seed, tag^0xffff, i))
}

// chance reports true with probability p.
func (s *stream) chance(p float64) bool { return s.Float64() < p }

// between returns a uniform integer in [lo, hi].
func (s *stream) between(lo, hi int) int { return lo + s.IntN(hi-lo+1) }

// pick returns an index drawn with the given weights.
func (s *stream) pick(weights []float64) int {
	var total float64
	for _, w := range weights {
		total += w
	}
	x := s.Float64() * total
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
