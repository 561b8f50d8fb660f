package dataset

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
)

// SplitProtocol splits a CSV table by the benchmark protocol of
// shared/data: 0-based data row i goes to the test fold when i%5 == 4, to
// the training fold otherwise. Both folds keep the header.
func SplitProtocol(r io.Reader) (train, test []byte, err error) {
	recs, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrFile, err)
	}
	if len(recs) == 0 {
		return nil, nil, fmt.Errorf("%w: the file is empty (want a header row)", ErrFile)
	}
	var tr, te bytes.Buffer
	wtr, wte := csv.NewWriter(&tr), csv.NewWriter(&te)
	wtr.Write(recs[0])
	wte.Write(recs[0])
	for i, rec := range recs[1:] {
		if i%5 == 4 {
			wte.Write(rec)
		} else {
			wtr.Write(rec)
		}
	}
	wtr.Flush()
	wte.Flush()
	return tr.Bytes(), te.Bytes(), nil
}
