package stream

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"daihou/scoring"
	"daihou/scoring/dataset"
)

// Options controls Score. The zero value of a field means its default.
type Options struct {
	// ID names a column copied into the first output column, so scores
	// can be joined back to loans; empty for none.
	ID string
	// Reasons is how many reason codes each output row carries.
	Reasons int
	// ReasonText turns a reason code into what is written; nil writes
	// the code (the feature's name).
	ReasonText func(code string) string
	// Workers is how many blocks are parsed and scored at once; default
	// GOMAXPROCS.
	Workers int
	// BlockSize is the bytes read per block; default 1 MiB. A record
	// longer than a block is read whole all the same.
	BlockSize int
}

// Summary is what a Score run did.
type Summary struct {
	Rows   int             // rows scored and written
	Issues []dataset.Issue // rows not scored, in line order
}

// Score reads CSV from r — a header row, then records with the model's
// feature columns (other columns are ignored) — and writes CSV to w: the
// ID column if asked, score (points, two decimals), PD (six significant
// digits) and Reasons reason columns, in input order. Rows that cannot be
// read are left out and listed in the summary, each with its line. Errors
// about the file as a whole wrap dataset.ErrFile.
func Score(ctx context.Context, r io.Reader, w io.Writer, m scoring.Model, opts Options) (*Summary, error) {
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if opts.BlockSize <= 0 {
		opts.BlockSize = 1 << 20
	}
	if opts.Reasons < 0 {
		opts.Reasons = 0
	}
	rd := &blockReader{r: r, size: opts.BlockSize}
	first, err := rd.next()
	if err != nil && err != io.EOF {
		return nil, err
	}
	if first == nil {
		return nil, fmt.Errorf("%w: the file is empty (want a header row)", dataset.ErrFile)
	}
	p, body, lines, err := newPlan(first.data, m, opts)
	if err != nil {
		return nil, err
	}
	first.data = first.data[body:]
	first.line = 1 + lines
	if err := p.writeHeader(w); err != nil {
		return nil, err
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan *block, opts.Workers)
	results := make(chan *block, opts.Workers)
	// Blocks in flight are bounded, so memory is too: the reader takes a
	// token per block and the writer gives it back.
	tokens := make(chan struct{}, 2*opts.Workers+1)
	var readErr error
	go func() {
		defer close(jobs)
		b := first
		line := first.line
		for seq := 0; b != nil; seq++ {
			select {
			case tokens <- struct{}{}:
			case <-ctx.Done():
				return
			}
			b.seq, b.line = seq, line
			line += bytes.Count(b.data, newline)
			jobs <- b
			var err error
			if b, err = rd.next(); err != nil && err != io.EOF {
				readErr = err
				cancel()
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for range opts.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wk := p.newWorker()
			for b := range jobs {
				wk.run(b)
				select {
				case results <- b:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() { wg.Wait(); close(results) }()

	sum := &Summary{}
	pending := map[int]*block{}
	next := 0
	var werr error
	for b := range results {
		pending[b.seq] = b
		for {
			b, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			if werr == nil {
				if _, err := w.Write(b.out); err != nil {
					werr = err
					cancel()
				}
			}
			sum.Rows += b.rows
			sum.Issues = append(sum.Issues, b.issues...)
			<-tokens
		}
	}
	switch {
	case readErr != nil:
		return sum, readErr
	case werr != nil:
		return sum, werr
	}
	return sum, ctx.Err()
}

// block is a run of whole records and, once scored, its output.
type block struct {
	seq    int
	line   int // of the block's first byte
	data   []byte
	out    []byte
	rows   int
	issues []dataset.Issue
}

// blockReader cuts its input into blocks that end at record boundaries.
type blockReader struct {
	r    io.Reader
	size int
	rest []byte // read but not yet handed out
	eof  bool
}

// next returns the next block, or nil and io.EOF at the end.
func (br *blockReader) next() (*block, error) {
	buf := make([]byte, 0, max(br.size, 2*len(br.rest)))
	buf = append(buf, br.rest...)
	for {
		if !br.eof && len(buf) < cap(buf) {
			n, err := io.ReadFull(br.r, buf[len(buf):cap(buf)])
			buf = buf[:len(buf)+n]
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				br.eof = true
			} else if err != nil {
				return nil, err
			}
		}
		if br.eof {
			br.rest = nil
			if len(buf) == 0 {
				return nil, io.EOF
			}
			return &block{data: buf}, nil
		}
		if k := boundary(buf); k > 0 {
			br.rest = append(br.rest[:0:0], buf[k:]...)
			return &block{data: buf[:k]}, nil
		}
		// One record longer than the buffer: read on.
		grown := make([]byte, len(buf), 2*cap(buf))
		copy(grown, buf)
		buf = grown
	}
}

// column roles in the plan.
const (
	roleIgnore = iota
	roleFeature
	roleID
)

// plan is what the header says about each column, shared read-only by
// the workers.
type plan struct {
	model   scoring.Model
	opts    Options
	header  []string
	role    []int
	feature []int // for a feature column, its model feature index
	idCol   int   // −1 without one
	cats    []map[string]float64
	numeric []bool
	texts   map[string]string // reason code -> what is written
}

// newPlan reads the header record at the start of data and returns the
// plan, where the first data record starts and the line breaks before it.
func newPlan(data []byte, m scoring.Model, opts Options) (*plan, int, int, error) {
	var rec record
	next, lines := scanRecord(data, 0, &rec)
	if rec.err != "" {
		return nil, 0, 0, fmt.Errorf("%w: reading the header: line %d: %s", dataset.ErrFile, 1+rec.lead, rec.err)
	}
	if len(rec.spans) == 0 {
		return nil, 0, 0, fmt.Errorf("%w: the file is empty (want a header row)", dataset.ErrFile)
	}
	p := &plan{model: m, opts: opts, idCol: -1}
	pos := map[string]int{}
	for k := range rec.spans {
		h := string(rec.field(data, k))
		if k == 0 {
			h = strings.TrimPrefix(h, "\ufeff") // spreadsheets write a BOM
		}
		h = strings.TrimSpace(h)
		if h == "" {
			return nil, 0, 0, fmt.Errorf("%w: header column %d has no name", dataset.ErrFile, k+1)
		}
		if j, dup := pos[h]; dup {
			return nil, 0, 0, fmt.Errorf("%w: header names column %q twice (columns %d and %d)", dataset.ErrFile, h, j+1, k+1)
		}
		pos[h] = k
		p.header = append(p.header, h)
	}
	p.role = make([]int, len(p.header))
	p.feature = make([]int, len(p.header))
	features := m.Features()
	p.cats = make([]map[string]float64, len(features))
	p.numeric = make([]bool, len(features))
	var missing []string
	for j, f := range features {
		k, ok := pos[f.Name]
		if !ok {
			missing = append(missing, f.Name)
			continue
		}
		p.role[k], p.feature[k] = roleFeature, j
		p.numeric[j] = f.Type == scoring.Numeric
		if !p.numeric[j] {
			p.cats[j] = make(map[string]float64, len(f.Categories))
			for c, name := range f.Categories {
				p.cats[j][name] = float64(c)
			}
		}
	}
	if len(missing) > 0 {
		return nil, 0, 0, fmt.Errorf("%w: the model needs column(s) the file lacks: %s", dataset.ErrFile, strings.Join(missing, ", "))
	}
	if opts.ID != "" {
		k, ok := pos[opts.ID]
		if !ok {
			return nil, 0, 0, fmt.Errorf("%w: no column %q to use as the id", dataset.ErrFile, opts.ID)
		}
		p.idCol = k
		if p.role[k] == roleIgnore {
			p.role[k] = roleID
		}
	}
	p.texts = make(map[string]string, len(features))
	for _, f := range features {
		t := f.Name
		if opts.ReasonText != nil {
			t = opts.ReasonText(f.Name)
		}
		p.texts[f.Name] = t
	}
	return p, next, lines, nil
}

func (p *plan) writeHeader(w io.Writer) error {
	var out []byte
	if p.idCol >= 0 {
		out = appendField(out, []byte(p.opts.ID))
		out = append(out, ',')
	}
	out = append(out, "score,pd"...)
	for k := 1; k <= p.opts.Reasons; k++ {
		out = append(out, ",reason_"...)
		out = strconv.AppendInt(out, int64(k), 10)
	}
	out = append(out, '\n')
	_, err := w.Write(out)
	return err
}

// worker holds one goroutine's buffers.
type worker struct {
	*plan
	rec     record
	cols    [][]float64
	ids     [][]byte
	idBuf   []byte
	x       []float64
	reasons []scoring.Reason
	score   []float64
	pd      []float64
	bad     []string
	// reasonBuf holds every row's reasons; reasonRows slices it by row.
	reasonBuf  []scoring.Reason
	reasonRows [][]scoring.Reason
}

func (p *plan) newWorker() *worker {
	nf := len(p.model.Features())
	return &worker{plan: p, cols: make([][]float64, nf), x: make([]float64, nf), reasons: make([]scoring.Reason, p.opts.Reasons)}
}

// run parses, scores and formats one block.
func (wk *worker) run(b *block) {
	for j := range wk.cols {
		wk.cols[j] = wk.cols[j][:0]
	}
	wk.ids, wk.idBuf = wk.ids[:0], wk.idBuf[:0]
	var idStarts []int
	data := b.data
	line := b.line
	pos := 0
	for pos < len(data) {
		next, lines := scanRecord(data, pos, &wk.rec)
		start := line + wk.rec.lead
		line += lines
		pos = next
		if wk.rec.err == "" && len(wk.rec.spans) == 0 {
			continue // only blank lines were left
		}
		if wk.rec.err != "" {
			b.issues = append(b.issues, dataset.Issue{Line: start, Reason: "malformed CSV: " + wk.rec.err})
			continue
		}
		if n := len(wk.rec.spans); n != len(wk.header) {
			b.issues = append(b.issues, dataset.Issue{Line: start, Reason: fmt.Sprintf("has %d fields, the header has %d", n, len(wk.header))})
			continue
		}
		if !wk.encode(data) {
			b.issues = append(b.issues, dataset.Issue{Line: start, Reason: strings.Join(wk.bad, "; ")})
			continue
		}
		for j, v := range wk.x {
			wk.cols[j] = append(wk.cols[j], v)
		}
		if wk.idCol >= 0 {
			idStarts = append(idStarts, len(wk.idBuf))
			wk.idBuf = append(wk.idBuf, wk.rec.field(data, wk.idCol)...)
		}
	}
	rows := len(wk.cols[0]) // a model has at least one feature
	b.rows = rows
	b.out = wk.format(b.out[:0], rows, idStarts)
	b.data = nil
}

// encode fills wk.x from the current record, or gathers into wk.bad why it
// cannot, as the dataset reader words it.
func (wk *worker) encode(data []byte) bool {
	wk.bad = wk.bad[:0]
	for k, role := range wk.role {
		if role != roleFeature {
			continue
		}
		j := wk.feature[k]
		raw := wk.rec.field(data, k)
		s := bytes.TrimSpace(raw)
		if isMissing(s) {
			wk.x[j] = math.NaN()
			continue
		}
		if !wk.numeric[j] {
			v, ok := wk.cats[j][string(s)]
			if !ok {
				v = scoring.Unseen
			}
			wk.x[j] = v
			continue
		}
		v, ok := parseNumber(s)
		if !ok {
			wk.bad = append(wk.bad, fmt.Sprintf("column %s: %q is not a number", wk.header[k], dataset.Clip(string(raw))))
			continue
		}
		wk.x[j] = v
	}
	return len(wk.bad) == 0
}

// format scores the block's rows and writes them as CSV.
func (wk *worker) format(out []byte, rows int, idStarts []int) []byte {
	if cap(wk.score) < rows {
		wk.score, wk.pd = make([]float64, rows), make([]float64, rows)
	}
	score, pd := wk.score[:rows], wk.pd[:rows]
	n := wk.opts.Reasons
	var reasons [][]scoring.Reason
	if n == 0 {
		// Only a shape mismatch fails, and the plan rules that out.
		_ = wk.model.ScoreColumns(wk.cols, score, pd)
	} else {
		if cap(wk.reasonBuf) < rows*n {
			wk.reasonBuf = make([]scoring.Reason, rows*n)
			wk.reasonRows = make([][]scoring.Reason, rows)
		}
		reasons = wk.reasonRows[:rows]
		for i := range reasons {
			reasons[i] = wk.reasonBuf[i*n : (i+1)*n]
		}
		_ = scoring.ScoreReasons(wk.model, wk.cols, score, pd, reasons)
	}
	for i := range rows {
		if wk.idCol >= 0 {
			end := len(wk.idBuf)
			if i+1 < len(idStarts) {
				end = idStarts[i+1]
			}
			out = appendField(out, wk.idBuf[idStarts[i]:end])
			out = append(out, ',')
		}
		out = strconv.AppendFloat(out, score[i], 'f', 2, 64)
		out = append(out, ',')
		out = strconv.AppendFloat(out, pd[i], 'g', 6, 64)
		for k := range n {
			out = append(out, ',')
			if reasons != nil && k < len(reasons[i]) {
				out = appendField(out, []byte(wk.texts[reasons[i][k].Feature]))
			}
		}
		out = append(out, '\n')
	}
	return out
}

// isMissing is scoring.IsMissing on a trimmed cell without making a
// string of it. Every missing spelling starts with N and is ASCII, and no
// other letter upper-cases to an ASCII one of theirs, so an ASCII
// case-insensitive comparison is the same test.
func isMissing(s []byte) bool {
	if len(s) == 0 {
		return true
	}
	if len(s) < 2 || len(s) > 4 || s[0]|0x20 != 'n' {
		return false
	}
	for _, w := range [...]string{"NA", "N/A", "NAN", "NULL"} {
		if len(w) == len(s) && asciiUpperEqual(s, w) {
			return true
		}
	}
	return false
}

func asciiUpperEqual(s []byte, upper string) bool {
	for i, c := range s {
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c != upper[i] {
			return false
		}
	}
	return true
}

// appendField appends a CSV field, quoted when encoding/csv's writer
// would quote it.
func appendField(out, f []byte) []byte {
	if !needsQuotes(f) {
		return append(out, f...)
	}
	out = append(out, '"')
	for _, c := range f {
		if c == '"' {
			out = append(out, '"')
		}
		out = append(out, c)
	}
	return append(out, '"')
}

func needsQuotes(f []byte) bool {
	if len(f) == 0 {
		return false
	}
	if string(f) == `\.` {
		return true
	}
	for _, c := range f {
		if c == '"' || c == ',' || c == '\r' || c == '\n' {
			return true
		}
	}
	if f[0] < utf8.RuneSelf {
		return f[0] == ' ' || f[0] == '\t' || f[0] == '\v' || f[0] == '\f'
	}
	r, _ := utf8.DecodeRune(f)
	return unicode.IsSpace(r)
}
