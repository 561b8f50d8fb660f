package report

import "math"

// Z95 is the standard normal quantile of a two-sided 95 % interval,
// Φ⁻¹(0.975).
const Z95 = 1.959963984540054

// Wilson returns the Wilson score interval for a proportion of x successes
// in n trials at the normal quantile z (Z95 for 95 %), without continuity
// correction (Wilson 1927; method 3 of Newcombe 1998, "Two-sided
// confidence intervals for the single proportion", Statistics in Medicine
// 17:857–872):
//
//	(2np̂ + z² ± z √(z² + 4np̂(1−p̂))) / (2(n + z²))
//
// Unlike the Wald interval it stays within [0, 1] and does not collapse to
// a point at 0 or n successes. ok is false when n is 0 (or x is outside
// 0…n): there is no proportion to bound.
func Wilson(x, n int64, z float64) (lo, hi float64, ok bool) {
	if n <= 0 || x < 0 || x > n {
		return 0, 0, false
	}
	nf, p := float64(n), float64(x)/float64(n)
	z2 := z * z
	centre := 2*nf*p + z2
	half := z * math.Sqrt(z2+4*nf*p*(1-p))
	den := 2 * (nf + z2)
	lo, hi = (centre-half)/den, (centre+half)/den
	// Exact at the ends: x = 0 has lower bound 0, x = n upper bound 1,
	// whatever the floating point makes of centre − half.
	if x == 0 {
		lo = 0
	}
	if x == n {
		hi = 1
	}
	return lo, hi, true
}

// Newcombe returns the difference p̂₁ − p̂₂ of two independent proportions
// x1/n1 and x2/n2 and its confidence interval by Newcombe's hybrid score
// method (method 10 of Newcombe 1998, "Interval estimation for the
// difference between independent proportions: comparison of eleven
// methods", Statistics in Medicine 17:873–890), built from the Wilson
// intervals (l₁, u₁) and (l₂, u₂) of each proportion:
//
//	lower = d − √((p̂₁ − l₁)² + (u₂ − p̂₂)²)
//	upper = d + √((u₁ − p̂₁)² + (p̂₂ − l₂)²)
//
// ok is false when either n is 0.
func Newcombe(x1, n1, x2, n2 int64, z float64) (d, lo, hi float64, ok bool) {
	l1, u1, ok1 := Wilson(x1, n1, z)
	l2, u2, ok2 := Wilson(x2, n2, z)
	if !ok1 || !ok2 {
		return 0, 0, 0, false
	}
	p1, p2 := float64(x1)/float64(n1), float64(x2)/float64(n2)
	d = p1 - p2
	lo = d - math.Hypot(p1-l1, u2-p2)
	hi = d + math.Hypot(u1-p1, p2-l2)
	return d, lo, hi, true
}

// TwoProportionZ returns the pooled two-proportion z statistic of x1/n1
// against x2/n2 and its two-sided p-value:
//
//	p̂ = (x₁ + x₂) / (n₁ + n₂),  z = (p̂₁ − p̂₂) / √(p̂(1 − p̂)(1/n₁ + 1/n₂)),
//	p = 2(1 − Φ(|z|)) = erfc(|z| / √2)
//
// ok is false when either n is 0 or the pooled proportion is 0 or 1 (no
// variance: both arms all failures or all successes, nothing to test).
func TwoProportionZ(x1, n1, x2, n2 int64) (z, p float64, ok bool) {
	if n1 <= 0 || n2 <= 0 || x1 < 0 || x2 < 0 || x1 > n1 || x2 > n2 {
		return 0, 0, false
	}
	pooled := float64(x1+x2) / float64(n1+n2)
	v := pooled * (1 - pooled) * (1/float64(n1) + 1/float64(n2))
	if v <= 0 {
		return 0, 0, false
	}
	z = (float64(x1)/float64(n1) - float64(x2)/float64(n2)) / math.Sqrt(v)
	return z, math.Erfc(math.Abs(z) / math.Sqrt2), true
}
