package source

import (
	"daihou/signal"
)

// transport reads the borrower's trips (出行记录) by air, rail or road,
// counted over a period: travel tells whether a borrower who cannot be
// reached has left town.
type transport struct{}

var transportFields = []Field{
	{Name: "trips", Kind: Int, Required: true, Doc: "trips taken in the period (出行次数)"},
	{Name: "mode", Kind: Enum, Values: []string{"air", "rail", "road"}, Doc: "how, when the record counts one mode: air (航空), rail (铁路), road (公路)"},
}

func (transport) Name() string    { return signal.Transport }
func (transport) Title() string   { return "Transport records 出行" }
func (transport) Fields() []Field { return transportFields }
func (transport) about() string {
	return "One record per borrower, period and, optionally, mode; its date is the last day of the period."
}
func (transport) yields() []yield {
	return []yield{{signal.Trips, "`trips`"}}
}

// Signals gives the period's trips, dated the period's last day.
func (a transport) Signals(r *signal.Record) ([]signal.Signal, error) {
	v := read(a, r)
	trips := v.int("trips")
	v.optEnum("mode", false)
	if err := v.err(); err != nil {
		return nil, err
	}
	return []signal.Signal{v.signal(signal.Trips, trips)}, nil
}
