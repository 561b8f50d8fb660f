package scorecard

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"daihou/scoring"
)

func ptr(v float64) *float64 { return &v }

// handCard is a three-characteristic scorecard written out by hand, so
// that the points each customer loses are known exactly.
func handCard(t testing.TB) *Model {
	t.Helper()
	features := []scoring.Feature{
		{Name: "dpd_max", Type: scoring.Numeric},
		{Name: "utilisation", Type: scoring.Numeric},
		{Name: "grade", Type: scoring.Categorical, Categories: []string{"A", "B"}},
	}
	p := Params{Characteristics: []Characteristic{
		{Feature: "dpd_max", Attributes: []Attribute{
			{Label: "<= 0", Upper: ptr(0), Points: 40},
			{Label: "(0, 30]", Upper: ptr(30), Points: 20},
			{Label: "> 30", Points: 5},
			{Label: "missing", Missing: true, Points: 20},
		}},
		{Feature: "utilisation", Attributes: []Attribute{
			{Label: "<= 0.5", Upper: ptr(0.5), Points: 30},
			{Label: "> 0.5", Points: 25},
			{Label: "missing", Missing: true, Points: 25},
		}},
		{Feature: "grade", Attributes: []Attribute{
			{Label: "A", Categories: []string{"A"}, Points: 35},
			{Label: "B", Categories: []string{"B"}, Points: 30},
			{Label: "other", Other: true, Points: 30},
			{Label: "missing", Missing: true, Points: 30},
		}},
	}}
	m, err := New(features, scoring.DefaultScaling(), p)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestReasonCodes(t *testing.T) {
	m := handCard(t)
	nan := math.NaN()
	tests := []struct {
		name      string
		row       []float64 // dpd_max, utilisation, grade code
		n         int
		wantScore float64
		want      []scoring.Reason
	}{
		{
			// Lost: dpd 40−5 = 35, utilisation 30−25 = 5, grade 35−30 = 5.
			// Ties keep characteristic order.
			name: "late payer loses most on dpd", row: []float64{45, 0.9, 1}, n: 4, wantScore: 5 + 25 + 30,
			want: []scoring.Reason{{Feature: "dpd_max", Bin: "> 30", PointsLost: 35}, {Feature: "utilisation", Bin: "> 0.5", PointsLost: 5}, {Feature: "grade", Bin: "B", PointsLost: 5}},
		},
		{
			name: "only the top N are kept", row: []float64{45, 0.9, 1}, n: 1, wantScore: 60,
			want: []scoring.Reason{{Feature: "dpd_max", Bin: "> 30", PointsLost: 35}},
		},
		{
			// dpd 20 points lost; an unseen grade scores as "other", 5 lost.
			name: "unseen category and a middle bin", row: []float64{10, 0.2, scoring.Unseen}, n: 4, wantScore: 20 + 30 + 30,
			want: []scoring.Reason{{Feature: "dpd_max", Bin: "(0, 30]", PointsLost: 20}, {Feature: "grade", Bin: "other", PointsLost: 5}},
		},
		{
			name: "best everywhere gives no reasons", row: []float64{0, 0.5, 0}, n: 4, wantScore: 105,
			want: nil,
		},
		{
			name: "missing values use the missing bins", row: []float64{nan, nan, nan}, n: 4, wantScore: 20 + 25 + 30,
			want: []scoring.Reason{{Feature: "dpd_max", Bin: "missing", PointsLost: 20}, {Feature: "utilisation", Bin: "missing", PointsLost: 5}, {Feature: "grade", Bin: "missing", PointsLost: 5}},
		},
		{
			name: "no buffer, no reasons", row: []float64{45, 0.9, 1}, n: 0, wantScore: 60,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := m.ScoreRow(tt.row, make([]scoring.Reason, tt.n))
			if got.Score != tt.wantScore {
				t.Errorf("score: got %v, want %v", got.Score, tt.wantScore)
			}
			if want := m.Scaling().PD(tt.wantScore); math.Abs(got.PD-want) > 1e-15 {
				t.Errorf("PD: got %v, want %v", got.PD, want)
			}
			if len(got.Reasons) != len(tt.want) {
				t.Fatalf("reasons: got %+v, want %+v", got.Reasons, tt.want)
			}
			for i := range tt.want {
				if got.Reasons[i] != tt.want[i] {
					t.Errorf("reason %d: got %+v, want %+v", i, got.Reasons[i], tt.want[i])
				}
			}
		})
	}
}

func TestNewRejectsBadParams(t *testing.T) {
	good := handCard(t).Params()
	features := handCard(t).Features()
	tests := []struct {
		name   string
		mutate func(p *Params)
	}{
		{"bounds not increasing", func(p *Params) { p.Characteristics[0].Attributes[1].Upper = ptr(-5) }},
		{"no missing bin", func(p *Params) { p.Characteristics[1].Attributes = p.Characteristics[1].Attributes[:2] }},
		{"unknown category", func(p *Params) { p.Characteristics[2].Attributes[0].Categories = []string{"Z"} }},
		{"no other bin", func(p *Params) {
			a := p.Characteristics[2].Attributes
			p.Characteristics[2].Attributes = []Attribute{a[0], a[1], a[3]}
		}},
		{"NaN points", func(p *Params) { p.Characteristics[0].Attributes[0].Points = math.NaN() }},
		{"wrong feature order", func(p *Params) { p.Characteristics[0].Feature = "grade" }},
		{"too few characteristics", func(p *Params) { p.Characteristics = p.Characteristics[:2] }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := clone(good)
			tt.mutate(&p)
			if _, err := New(features, scoring.DefaultScaling(), p); err == nil {
				t.Error("got no error, want one")
			}
		})
	}
}

func clone(p Params) Params {
	out := Params{Intercept: p.Intercept}
	for _, ch := range p.Characteristics {
		c := ch
		c.Attributes = append([]Attribute(nil), ch.Attributes...)
		out.Characteristics = append(out.Characteristics, c)
	}
	return out
}

// synthetic returns n rows of k numeric features where the risk rises
// with feature 0, falls with feature 1 and is U-shaped in feature 2.
func synthetic(n, k int, seed uint64) ([]scoring.Feature, [][]float64, []uint8) {
	rng := rand.New(rand.NewPCG(seed, 1))
	features := make([]scoring.Feature, k)
	cols := make([][]float64, k)
	for j := range cols {
		features[j] = scoring.Feature{Name: "x" + string(rune('a'+j)), Type: scoring.Numeric}
		cols[j] = make([]float64, n)
	}
	bad := make([]uint8, n)
	for i := 0; i < n; i++ {
		logit := -1.5
		for j := range cols {
			v := rng.NormFloat64()
			cols[j][i] = math.Round(v*100) / 100
			switch j {
			case 0:
				logit += 0.8 * v
			case 1:
				logit -= 0.5 * v
			case 2:
				logit += 0.3 * v * v
			}
		}
		if rng.Float64() < 0.02 {
			cols[3%k][i] = math.NaN()
		}
		if rng.Float64() < scoring.Sigmoid(logit) {
			bad[i] = 1
		}
	}
	return features, cols, bad
}

// TestPointsAreTheScaledLogit: the sum of a row's attribute points is
// offset − factor·logit, where logit is the regression on WOE — the points
// are the model, not an approximation of it.
func TestPointsAreTheScaledLogit(t *testing.T) {
	features, cols, bad := synthetic(5000, 5, 7)
	s := scoring.Scaling{BasePoints: 500, BaseOdds: 20, PDO: 40}
	m, cands, err := Fit(features, cols, bad, Config{Scaling: s})
	if err != nil {
		t.Fatal(err)
	}
	if len(cands) != 5 {
		t.Fatalf("candidates: got %d, want 5", len(cands))
	}
	p := m.Params()
	x := make([]float64, len(m.Features()))
	for i := 0; i < 200; i++ {
		logit := p.Intercept
		for j, f := range m.Features() {
			k := indexOf(features, f.Name)
			x[j] = cols[k][i]
			ch := p.Characteristics[j]
			a := m.chars[j].attribute(x[j])
			logit += ch.Coefficient * ch.Attributes[a].WOE
		}
		got := m.ScoreRow(x, nil)
		if want := s.FromLogit(logit); math.Abs(got.Score-want) > 1e-9 {
			t.Fatalf("row %d: score %v, want offset − factor·logit = %v", i, got.Score, want)
		}
		if want := scoring.Sigmoid(logit); math.Abs(got.PD-want) > 1e-12 {
			t.Fatalf("row %d: PD %v, want %v", i, got.PD, want)
		}
	}
	// The riskier direction of feature a must cost points.
	ch := p.Characteristics[indexOfChar(p, "xa")]
	if first, last := ch.Attributes[0].Points, ch.Attributes[len(ch.Attributes)-2].Points; !(first > last) {
		t.Errorf("xa: lowest bin %v points, highest %v; want fewer points for higher risk", first, last)
	}
}

func indexOf(fs []scoring.Feature, name string) int {
	for i, f := range fs {
		if f.Name == name {
			return i
		}
	}
	return -1
}

func indexOfChar(p Params, name string) int {
	for i, c := range p.Characteristics {
		if c.Feature == name {
			return i
		}
	}
	return -1
}

func TestScoreColumnsMatchesScoreRowWithoutAllocating(t *testing.T) {
	features, cols, bad := synthetic(3000, 6, 3)
	m, _, err := Fit(features, cols, bad, Config{})
	if err != nil {
		t.Fatal(err)
	}
	mc := make([][]float64, len(m.Features()))
	for j, f := range m.Features() {
		mc[j] = cols[indexOf(features, f.Name)]
	}
	score := make([]float64, len(bad))
	pd := make([]float64, len(bad))
	if err := m.ScoreColumns(mc, score, pd); err != nil {
		t.Fatal(err)
	}
	x := make([]float64, len(mc))
	buf := make([]scoring.Reason, 4)
	for i := range bad {
		for j := range mc {
			x[j] = mc[j][i]
		}
		r := m.ScoreRow(x, buf)
		if math.Abs(r.Score-score[i]) > 1e-9 || math.Abs(r.PD-pd[i]) > 1e-12 {
			t.Fatalf("row %d: ScoreRow %v/%v, ScoreColumns %v/%v", i, r.Score, r.PD, score[i], pd[i])
		}
	}
	if a := testing.AllocsPerRun(10, func() { m.ScoreColumns(mc, score, pd) }); a != 0 {
		t.Errorf("ScoreColumns allocations: got %v, want 0", a)
	}
	if a := testing.AllocsPerRun(100, func() { m.ScoreRow(x, buf) }); a != 0 {
		t.Errorf("ScoreRow allocations: got %v, want 0", a)
	}
	if err := m.ScoreColumns(mc[:1], score, pd); err == nil {
		t.Error("ScoreColumns with too few columns: got no error")
	}
}

func TestWriteTable(t *testing.T) {
	var b strings.Builder
	if err := handCard(t).WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"600 points at odds 50:1", "range 60.0 to 105.0", "dpd_max", "(0, 30]", "missing"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

// BenchmarkScoreColumns measures the pre-encoded batch path the EOD run
// uses, on a scorecard shaped like the Taiwan one (23 characteristics of
// up to 12 bins). DESIGN §11 asks for over 1,000,000 rows/s.
func BenchmarkScoreColumns(b *testing.B) {
	const rows = 1 << 16
	features, cols, bad := synthetic(20000, 23, 11)
	m, _, err := Fit(features, cols, bad, Config{MinIV: -1})
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 5))
	mc := make([][]float64, len(m.Features()))
	for j := range mc {
		mc[j] = make([]float64, rows)
		for i := range mc[j] {
			mc[j][i] = math.Round(rng.NormFloat64()*100) / 100
		}
	}
	score := make([]float64, rows)
	pd := make([]float64, rows)
	b.ResetTimer()
	for range b.N {
		m.ScoreColumns(mc, score, pd)
	}
	perRow := float64(b.Elapsed().Nanoseconds()) / float64(b.N*rows)
	b.ReportMetric(perRow, "ns/row")
	b.ReportMetric(1e9/perRow, "rows/s")
}

// BenchmarkScoreRow measures one customer at a time with four reason
// codes, as the API scores a single loan.
func BenchmarkScoreRow(b *testing.B) {
	features, cols, bad := synthetic(20000, 23, 11)
	m, _, err := Fit(features, cols, bad, Config{MinIV: -1})
	if err != nil {
		b.Fatal(err)
	}
	x := make([]float64, len(m.Features()))
	for j := range x {
		x[j] = cols[j][0]
	}
	buf := make([]scoring.Reason, 4)
	b.ResetTimer()
	for range b.N {
		m.ScoreRow(x, buf)
	}
}
