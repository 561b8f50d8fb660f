package report_test

import (
	"testing"

	"daihou/collection"
	"daihou/money"
	"daihou/report"
	"daihou/servicing"
)

// BenchmarkCollectionFigures counts a day as close of business does, on
// a book with 100,000 loans in collection, three contacts and a task each.
func BenchmarkCollectionFigures(b *testing.B) {
	const loans = 100_000
	day := mustDate("2026-03-15")
	rows := &report.CollectionRows{From: day, To: day}
	people := []string{"alice", "bob", "carol", "dave"}
	channels := []string{"call", "ai-voice", "sms"}
	for i := int64(0); i < loans; i++ {
		started := day.AddDays(-int(i % 90))
		arm := collection.Champion
		if i%5 == 0 {
			arm = collection.Challenger
		}
		rows.Episodes = append(rows.Episodes, collection.Episode{LoanID: i, Started: started, Strategy: "two-track", Arm: arm, Segment: "auto",
			EntryBucket: servicing.Bucket(1 + i%3), MaxBucket: servicing.Bucket(1 + i%4), Collected: money.Amount(i % 10000)})
		rows.Workers = append(rows.Workers, report.EpisodeWorker{LoanID: i, Started: started, Assignee: people[i%4], Team: "A"})
		for k := int64(0); k < 3; k++ {
			rows.Contacts = append(rows.Contacts, report.Contact{LoanID: i, Business: day, Channel: channels[k], By: people[(i+k)%4], Team: "A",
				Connected: k != 2, RPC: k == 0, Outcome: collection.Refused, Cost: 50})
		}
	}
	b.ResetTimer()
	for b.Loop() {
		report.CollectionFigures(rows)
	}
	b.ReportMetric(float64(loans)*float64(b.N)/b.Elapsed().Seconds(), "episodes/s")
}
