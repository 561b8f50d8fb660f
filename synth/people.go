package synth

import (
	"math"
	"strconv"
	"strings"

	"daihou/civil"
	"daihou/servicing"
)

// region is a province with its branches, its share of the book, the
// prefix of its ID numbers and the effect of its economy on risk.
type region struct {
	name     string
	code     string // 行政区划代码 prefix of ID numbers
	branches []string
	weight   float64
	risk     float64
}

var regions = []region{
	{"北京", "110101", []string{"BJ01", "BJ02", "BJ03"}, 10, -0.20},
	{"上海", "310101", []string{"SH01", "SH02", "SH03"}, 10, -0.25},
	{"广东", "440103", []string{"GZ01", "SZ01", "DG01", "FS01"}, 16, -0.05},
	{"浙江", "330102", []string{"HZ01", "NB01", "WZ01"}, 11, -0.10},
	{"江苏", "320102", []string{"NJ01", "SZ02", "WX01"}, 11, -0.10},
	{"山东", "370102", []string{"JN01", "QD01"}, 9, 0.05},
	{"四川", "510104", []string{"CD01", "CD02"}, 8, 0.10},
	{"河南", "410102", []string{"ZZ01", "LY01"}, 8, 0.20},
	{"湖北", "420102", []string{"WH01", "WH02"}, 7, 0.05},
	{"辽宁", "210102", []string{"SY01", "DL01"}, 5, 0.30},
	{"黑龙江", "230102", []string{"HRB01"}, 3, 0.40},
	{"广西", "450102", []string{"NN01"}, 2, 0.25},
}

var regionWeights = func() []float64 {
	w := make([]float64, len(regions))
	for i, r := range regions {
		w[i] = r.weight
	}
	return w
}()

// Branches returns every branch code of the generated bank.
func Branches() []string {
	var out []string
	for _, r := range regions {
		out = append(out, r.branches...)
	}
	return out
}

// Region is one of the generated bank's regions (provinces) with its
// branch codes.
type Region struct {
	Name     string
	Branches []string
}

// Regions returns the generated bank's regions, each with its branches:
// every branch Branches returns is in exactly one.
func Regions() []Region {
	out := make([]Region, len(regions))
	for i, r := range regions {
		out[i] = Region{Name: r.name, Branches: append([]string(nil), r.branches...)}
	}
	return out
}

// occupation is what a borrower does, with its share and risk effect.
type occupation struct {
	name   string
	weight float64
	risk   float64
	owner  bool // runs a business: the natural small-business borrower
}

var occupations = []occupation{
	{"employee", 46, 0, false},
	{"civil-servant", 8, -0.55, false},
	{"self-employed", 16, 0.20, true},
	{"business-owner", 10, 0.05, true},
	{"freelancer", 7, 0.35, false},
	{"farmer", 6, 0.30, false},
	{"retired", 4, -0.10, false},
	{"student", 3, 0.60, false},
}

var occupationWeights = func() []float64 {
	w := make([]float64, len(occupations))
	for i, o := range occupations {
		w[i] = o.weight
	}
	return w
}()

// industry is a borrower's sector (行业), with its risk effect.
type industry struct {
	name string
	risk float64
}

var industries = []industry{
	{"manufacturing", 0.05}, {"retail", 0.10}, {"catering", 0.25}, {"construction", 0.30}, {"real-estate", 0.40},
	{"transport", 0.10}, {"it", -0.20}, {"finance", -0.25}, {"education", -0.30}, {"healthcare", -0.25},
	{"agriculture", 0.20}, {"public", -0.40},
}

var incomeRisk = [...]float64{0, 0.45, 0.15, 0, -0.20, -0.40} // by band 1 … 5

// Profile is what a lender knows about a borrower beyond the ledger, and
// the latent risk it cannot see.
type Profile struct {
	BorrowerID int64
	Age        int
	Gender     string // M or F
	Region     string
	IncomeBand int // 1 (< 5,000 a month) … 5 (> 50,000)
	Occupation string
	Industry   string
	// LatentRisk is the borrower's hidden creditworthiness, standard normal:
	// higher is riskier. Risk adds the observable effects to it.
	LatentRisk float64
	Risk       float64
	owner      bool
	region     int
}

// person draws borrower b (the index of its first loan) from its own
// stream, so that every loan of the borrower sees the same person.
func person(r *stream, seed uint64, b int, asOf civil.Date) (servicing.Borrower, Profile) {
	r.seed(seed, tagBorrower, b)
	ri := r.pick(regionWeights)
	reg := &regions[ri]
	oi := r.pick(occupationWeights)
	occ := &occupations[oi]
	age := 22 + int(math.Abs(r.NormFloat64())*11) + r.IntN(6)
	switch occ.name {
	case "student":
		age = r.between(19, 24)
	case "retired":
		age = r.between(58, 72)
	}
	age = min(age, 75)
	band := 1 + r.IntN(3) + r.IntN(3) // 1 … 5, peaked at 3
	if occ.owner && band < 5 && r.chance(0.3) {
		band++
	}
	if occ.name == "student" {
		band = 1
	}
	ind := industries[r.IntN(len(industries))]
	if occ.name == "civil-servant" {
		ind = industries[len(industries)-1]
	}
	latent := r.NormFloat64()
	risk := latent + reg.risk + occ.risk + ind.risk + incomeRisk[band]
	if age < 25 {
		risk += 0.25
	}
	if age > 60 {
		risk += 0.10
	}
	male := r.chance(0.56)
	gender := "F"
	if male {
		gender = "M"
	}
	name := string(surnames[r.IntN(len(surnames))]) + string(given[r.IntN(len(given))])
	if r.chance(0.6) {
		name += string(given[r.IntN(len(given))])
	}
	id := int64(b) + 1
	birth := asOf.AddDays(-age*365 - r.IntN(365))
	bw := servicing.Borrower{
		ID:         id,
		ExternalID: "BR" + pad(id, 10),
		Name:       name,
		IDNumber:   idNumber(reg.code, birth, r.IntN(500)*2+boolInt(male)),
		Phone:      "1" + strconv.Itoa(3+r.IntN(7)) + pad(int64(r.IntN(1_000_000_000)), 9),
		Region:     reg.name,
	}
	return bw, Profile{BorrowerID: id, Age: age, Gender: gender, Region: reg.name, IncomeBand: band, Occupation: occ.name,
		Industry: ind.name, LatentRisk: latent, Risk: risk, owner: occ.owner, region: ri}
}

var (
	surnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢")
	given    = []rune("伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华建国文辉玲红鑫波斌宇浩凯婷雪琳晨欣怡子轩")
)

// idNumber builds an 18-digit resident ID number (身份证号): region code,
// birth date, sequence (odd for men) and the ISO 7064 MOD 11-2 check digit.
func idNumber(code string, birth civil.Date, seq int) string {
	y, m, d := birth.YMD()
	b := make([]byte, 0, 18)
	b = append(b, code...)
	b = append(b, pad(int64(y), 4)...)
	b = append(b, pad(int64(m), 2)...)
	b = append(b, pad(int64(d), 2)...)
	b = append(b, pad(int64(seq), 3)...)
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(b[i]-'0') * w
	}
	b = append(b, "10X98765432"[sum%11])
	return string(b)
}

// pad formats v in decimal with leading zeros to width digits.
func pad(v int64, width int) string {
	var buf [20]byte
	i := len(buf)
	for v > 0 || i > len(buf)-width {
		i--
		buf[i] = byte('0' + v%10)
		v /= 10
	}
	return string(buf[i:])
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// borrowerOf returns the index of the first loan of loan i's borrower: 12 %
// of loans go to a borrower who already has an earlier loan.
func borrowerOf(seed uint64, i int) int {
	if i == 0 || hash(seed, tagPrimary, i)%1000 < 880 {
		return i
	}
	back := 1 + int(hash(seed, tagPrimary^1, i)%uint64(min(i, 20000)))
	j := i - back
	for j > 0 && hash(seed, tagPrimary, j)%1000 >= 880 {
		j--
	}
	return j
}

// BorrowerIDOf returns the id of the generated borrower with external id
// ext ("BR" and ten digits), as person numbers them.
func BorrowerIDOf(ext string) (int64, bool) {
	digits, ok := strings.CutPrefix(ext, "BR")
	if !ok || len(digits) != 10 {
		return 0, false
	}
	id, err := strconv.ParseInt(digits, 10, 64)
	return id, err == nil && id > 0
}
