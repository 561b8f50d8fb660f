// Package signal holds the typed, per-borrower facts that data sources
// (多维数据采集) deliver about a borrower, and what a borrower's signals say
// as of a date (Facts) — the variables of warning rules and the external
// features of the behaviour score.
//
// A source delivers raw Records (kept append-only, sealed, identified by
// source and record id, with a content hash so that re-delivery is a
// no-op); its adapter (package source) turns each Record into Signals. A
// Signal is one dated number about one borrower: three new bureau
// inquiries reported on 2026-05-31, a court case filed on 2026-06-02, a
// month's social-security contribution base, a salary credit.
//
// Point in time. A Signal carries the date it describes (Date) and the
// business date it became known (Known). Facts as of a date D see only
// signals known by D, so a replay of history (the rule back-test) sees
// what close of business saw on D, and windows ("inquiries in the last 3
// months") count by Date.
package signal
