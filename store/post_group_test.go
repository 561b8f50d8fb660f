package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"daihou"
	"daihou/audit"
	"daihou/servicing"
	"daihou/store/storetest"
)

// Concurrent postings through PostShared — some good, one a duplicate,
// some refused — each get the answer Post would give: the good ones
// commit, a refused one changes nothing, every posted one has its own
// audit entry by its own actor, and the chain holds.
func TestPostSharedAnswersEachPostingAlone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, backend string) {
		db := MustOpenDB(t, backend)
		ids := MustAddLoans(t, db, servicing.DefaultProduct("CL"), 8)
		closeThrough(t, db, day("2026-02-12"))
		as := storetest.Users(t, db, "core=integration@all", "am=account-manager@all", "zhang=collector")
		d := day("2026-02-10")
		type want struct {
			ctx  context.Context
			tx   servicing.Tx
			code string // "" for posted
		}
		var cases []want
		for i, id := range ids {
			who := as["core"]
			if i%2 == 1 {
				who = as["am"]
			}
			cases = append(cases, want{who, servicing.Tx{LoanID: id, Kind: servicing.Repayment, ValueDate: d, Amount: 106619, Reference: fmt.Sprintf("G-%d", i)}, ""})
		}
		cases = append(cases,
			want{as["core"], servicing.Tx{LoanID: ids[0], Kind: servicing.Repayment, ValueDate: d, Amount: 0, Reference: "G-ZERO"}, daihou.EINVALID},
			want{as["zhang"], servicing.Tx{LoanID: ids[1], Kind: servicing.Repayment, ValueDate: d, Amount: 100, Reference: "G-SCOPE"}, daihou.ENOTFOUND},
			want{as["core"], servicing.Tx{LoanID: ids[2], Kind: servicing.Repayment, ValueDate: d, Amount: 999, Reference: "G-2"}, daihou.ECONFLICT},
		)
		before, _ := db.AuditHead(storetest.EOD())
		var wg sync.WaitGroup
		got := make([]error, len(cases))
		for i, c := range cases {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, _, got[i] = db.PostShared(c.ctx, c.tx)
			}()
		}
		wg.Wait()
		// The two postings of reference G-2 race: exactly one posts, the
		// other is a conflict. Every other posting gets its own answer.
		posted, g2 := 0, map[string]int{}
		for i, c := range cases {
			code := daihou.ErrorCode(got[i])
			switch {
			case c.tx.Reference == "G-2":
				g2[code]++
				if got[i] == nil {
					posted++
				}
			case c.code == "" && got[i] == nil:
				posted++
			case c.code == "" || code != c.code:
				t.Errorf("%s: %v, want %q", c.tx.Reference, got[i], c.code)
			}
		}
		if g2[""] != 1 || g2[daihou.ECONFLICT] != 1 {
			t.Errorf("the two postings of G-2: %v, want one posted and one conflict", g2)
		}
		if posted != len(ids) {
			t.Errorf("%d posted, want %d", posted, len(ids))
		}
		n, err := db.VerifyAudit(storetest.EOD(), nil)
		if err != nil {
			t.Fatal(err)
		}
		entries, err := db.AuditEntries(storetest.EOD(), "", before.Seq, 1000)
		if err != nil {
			t.Fatal(err)
		}
		actors := map[string]int{}
		for _, e := range entries {
			if e.Action == "repayment.post" {
				actors[e.Actor]++
			}
		}
		if actors["user:core"]+actors["user:am"] != len(ids) || actors["user:am"] != len(ids)/2 || actors["user:zhang"] != 0 {
			t.Errorf("posting entries by actor %v (chain of %d), want %d by am and the rest by core", actors, n, len(ids)/2)
		}
		for _, e := range entries {
			if e.Object == audit.LoanObject(ids[0]) && e.Detail == "" {
				t.Errorf("entry %d has no detail", e.Seq)
			}
		}
		storetest.CheckCache(t, db)
	})
}
