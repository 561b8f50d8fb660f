package eod

// SetAfterCommit sets the hook close of business calls after every
// committed chunk (an error stops the run there, as a crash would) and
// returns a function that removes it.
func SetAfterCommit(f func(run *Run, chunks int) error) func() {
	old := testHookAfterCommit
	testHookAfterCommit = f
	return func() { testHookAfterCommit = old }
}
