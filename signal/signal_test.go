package signal

import (
	"crypto/sha256"
	"testing"
)

// The content hash is SHA-256 of length-prefixed parts, fields in name
// order: the form a re-delivery is recognised by, so it must not drift.
func TestRecordHash(t *testing.T) {
	r := Record{Source: "court", ID: "C-1", Borrower: "BR1", Date: day("2026-01-11"), Fields: map[string]string{"event": "listed", "case_no": "执1号"}}
	canon := "5:court;3:C-1;3:BR1;0:;10:2026-01-11;7:case_no;7:执1号;5:event;6:listed;"
	if got, want := r.Hash(), sha256.Sum256([]byte(canon)); got != want {
		t.Errorf("hash %x, want sha256(%q) = %x", got, canon, want)
	}
	r.Fields["event"] = "delisted"
	if r.Hash() == sha256.Sum256([]byte(canon)) {
		t.Error("a changed field left the hash unchanged")
	}
}
