package synth

import "sync"

// BorrowerProfile returns the profile of the borrower with id as Generate
// makes it from seed — region, age, income, occupation and the latent risk
// the lender cannot see — without generating the portfolio: a simulator of
// the world around the book (the channels borrowers answer, the sources
// that report on them) can then act as each borrower would, at the cost of
// one borrower's draws.
//
// ok is false when id is not a generated borrower's: id < 1, or loan
// id − 1 went to a borrower who already had an earlier loan, so no
// borrower has that id. The profile is then still a well-formed person,
// drawn the same way, for a caller that wants one for any id. Whether a
// portfolio of n loans holds the borrower also needs id ≤ n; nothing else
// about the configuration (its size, months or end date) changes a
// borrower.
func BorrowerProfile(seed uint64, id int64) (Profile, bool) {
	if id < 1 || id > 1<<40 {
		return Profile{BorrowerID: id}, false
	}
	b := int(id - 1)
	r := profileStreams.Get().(*stream)
	// The date only places the birthday, which Profile does not carry.
	_, p := person(r, seed, b, 0)
	profileStreams.Put(r)
	return p, borrowerOf(seed, b) == b
}

// profileStreams keeps BorrowerProfile from allocating a stream per call.
var profileStreams = sync.Pool{New: func() any { return newStream() }}
