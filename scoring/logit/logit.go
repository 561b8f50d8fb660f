package logit

import (
	"errors"
	"fmt"
	"math"

	"daihou/scoring"
)

// Config controls the fit. The zero value of a field means its default.
type Config struct {
	// L2 is the ridge penalty λ in −loglik + λ/2·‖β‖²; the intercept is
	// not penalised. Default 1, which barely moves coefficients on
	// thousands of rows but keeps a perfectly separating feature finite.
	L2      float64
	MaxIter int     // default 50
	Tol     float64 // largest coefficient step at convergence; default 1e-9
}

// Fit is a fitted model: logit(P(bad)) = Intercept + Σ Coef[j]·x[j].
type Fit struct {
	Intercept  float64   // not penalised
	Coef       []float64 // one per column
	Iterations int       // Newton steps taken
	LogLik     float64   // at the solution, without the penalty
}

// ErrNotConverged is returned when Newton's method runs out of iterations.
var ErrNotConverged = errors.New("logit: did not converge")

// Train fits bad ~ cols, where cols[j][i] is feature j of row i.
func Train(cols [][]float64, bad []uint8, cfg Config) (*Fit, error) {
	if cfg.L2 < 0 {
		return nil, fmt.Errorf("logit: negative L2 penalty %v", cfg.L2)
	}
	if cfg.L2 == 0 {
		cfg.L2 = 1
	}
	if cfg.MaxIter <= 0 {
		cfg.MaxIter = 50
	}
	if cfg.Tol <= 0 {
		cfg.Tol = 1e-9
	}
	n, p := len(bad), len(cols)+1
	for j, c := range cols {
		if len(c) != n {
			return nil, fmt.Errorf("logit: column %d has %d rows, want %d", j, len(c), n)
		}
	}
	if n == 0 {
		return nil, errors.New("logit: no rows")
	}
	beta := make([]float64, p)
	var nb float64
	for _, b := range bad {
		nb += float64(b)
	}
	if nb == 0 || nb == float64(n) {
		return nil, fmt.Errorf("logit: need both classes, have %v bad of %d", nb, n)
	}
	// Starting at the base rate makes the first step small and safe.
	beta[0] = math.Log(nb / (float64(n) - nb))

	eta := make([]float64, n)
	grad := make([]float64, p)
	hess := make([]float64, p*p)
	step := make([]float64, p)
	row := make([]float64, p)
	ll := penalised(cols, bad, beta, eta, cfg.L2)
	for it := 1; it <= cfg.MaxIter; it++ {
		clear(grad)
		clear(hess)
		row[0] = 1
		for i := 0; i < n; i++ {
			for j := 1; j < p; j++ {
				row[j] = cols[j-1][i]
			}
			pr := scoring.Sigmoid(eta[i])
			w := pr * (1 - pr)
			r := float64(bad[i]) - pr
			for j := 0; j < p; j++ {
				grad[j] += r * row[j]
				wj := w * row[j]
				h := hess[j*p:]
				for k := 0; k <= j; k++ {
					h[k] += wj * row[k]
				}
			}
		}
		for j := 1; j < p; j++ {
			grad[j] -= cfg.L2 * beta[j]
			hess[j*p+j] += cfg.L2
		}
		for j := 0; j < p; j++ {
			for k := 0; k < j; k++ {
				hess[k*p+j] = hess[j*p+k]
			}
		}
		if err := cholSolve(hess, grad, step, p); err != nil {
			return nil, err
		}
		// Halve the step until the penalised likelihood improves; on
		// well-posed data the full Newton step is taken every time.
		t := 1.0
		var next float64
		trial := make([]float64, p)
		for half := 0; ; half++ {
			for j := range beta {
				trial[j] = beta[j] + t*step[j]
			}
			next = penalised(cols, bad, trial, eta, cfg.L2)
			if next >= ll-1e-12*math.Abs(ll) || half == 30 {
				break
			}
			t /= 2
		}
		copy(beta, trial)
		ll = next
		var maxStep float64
		for _, s := range step {
			maxStep = max(maxStep, math.Abs(t*s))
		}
		if maxStep < cfg.Tol {
			return result(cols, bad, beta, eta, it), nil
		}
	}
	return result(cols, bad, beta, eta, cfg.MaxIter), ErrNotConverged
}

func result(cols [][]float64, bad []uint8, beta, eta []float64, it int) *Fit {
	return &Fit{
		Intercept:  beta[0],
		Coef:       append([]float64(nil), beta[1:]...),
		Iterations: it,
		LogLik:     penalised(cols, bad, beta, eta, 0),
	}
}

// penalised returns loglik − λ/2·‖β‖² and leaves the linear predictor in
// eta.
func penalised(cols [][]float64, bad []uint8, beta, eta []float64, l2 float64) float64 {
	for i := range eta {
		eta[i] = beta[0]
	}
	for j, c := range cols {
		b := beta[j+1]
		for i, v := range c {
			eta[i] += b * v
		}
	}
	var ll float64
	for i, e := range eta {
		// log σ(e) for bads, log(1−σ(e)) = log σ(−e) for goods.
		if bad[i] == 0 {
			e = -e
		}
		ll -= softplus(-e)
	}
	for _, b := range beta[1:] {
		ll -= l2 / 2 * b * b
	}
	return ll
}

// softplus is ln(1+eˣ) without overflow.
func softplus(x float64) float64 {
	if x > 30 {
		return x
	}
	return math.Log1p(math.Exp(x))
}

// cholSolve solves A·x = b for symmetric positive definite A (p×p, row-
// major), overwriting A with its Cholesky factor.
func cholSolve(a, b, x []float64, p int) error {
	for j := 0; j < p; j++ {
		s := a[j*p+j]
		for k := 0; k < j; k++ {
			s -= a[j*p+k] * a[j*p+k]
		}
		if s <= 0 {
			return errors.New("logit: Hessian is not positive definite (a feature is constant or a copy of another)")
		}
		d := math.Sqrt(s)
		a[j*p+j] = d
		for i := j + 1; i < p; i++ {
			s := a[i*p+j]
			for k := 0; k < j; k++ {
				s -= a[i*p+k] * a[j*p+k]
			}
			a[i*p+j] = s / d
		}
	}
	for i := 0; i < p; i++ {
		s := b[i]
		for k := 0; k < i; k++ {
			s -= a[i*p+k] * x[k]
		}
		x[i] = s / a[i*p+i]
	}
	for i := p - 1; i >= 0; i-- {
		s := x[i]
		for k := i + 1; k < p; k++ {
			s -= a[k*p+i] * x[k]
		}
		x[i] = s / a[i*p+i]
	}
	return nil
}
