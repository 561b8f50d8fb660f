package imports

// collector gathers rows in chunks and copies them once into a slice of
// exactly the right size. Appending to one slice would copy every row
// several times as it grows, and for a million payments that copying —
// with the garbage collector's write barriers, since rows hold strings —
// cost more than parsing them.
type collector[T any] struct {
	full [][]T
	cur  []T
	n    int
}

func (c *collector[T]) add(v T) {
	if len(c.cur) == cap(c.cur) {
		if c.cur != nil {
			c.full = append(c.full, c.cur)
		}
		size := 256
		if c.n > size {
			size = min(c.n, 64<<10)
		}
		c.cur = make([]T, 0, size)
	}
	c.cur = append(c.cur, v)
	c.n++
}

// rows returns every row added, in order, or nil if there were none.
func (c *collector[T]) rows() []T {
	if c.n == 0 {
		return nil
	}
	if len(c.full) == 0 {
		return c.cur
	}
	out := make([]T, 0, c.n)
	for _, ch := range c.full {
		out = append(out, ch...)
	}
	return append(out, c.cur...)
}
