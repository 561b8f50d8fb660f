package source

import (
	"daihou/signal"
)

// business reads anomalies in the business registration (工商异常) of the
// borrower's business, as the national enterprise credit information
// publicity system (国家企业信用信息公示系统) publishes them.
type business struct{}

var businessFields = []Field{
	{Name: "event", Kind: Enum, Required: true, Values: []string{"abnormal_listed", "abnormal_removed", "penalty", "deregistered"},
		Doc: "abnormal_listed: put on the list of abnormal operations (列入经营异常名录); abnormal_removed: taken off it (移出); " +
			"penalty: an administrative penalty (行政处罚); deregistered: deregistered or its licence revoked (注销 / 吊销)"},
}

func (business) Name() string    { return signal.Business }
func (business) Title() string   { return "Business-registration anomalies 工商异常" }
func (business) Fields() []Field { return businessFields }
func (business) about() string {
	return "One record per published event; its date is the date of the decision."
}
func (business) yields() []yield {
	return []yield{{signal.BusinessAnomaly, "1 for `abnormal_listed`, `penalty` and `deregistered`; 0 for `abnormal_removed`"}}
}

// Signals gives the anomaly as 1, and its removal from the list as 0. A
// penalty or a deregistration is an anomaly too, and nothing but a later
// removal clears it.
func (a business) Signals(r *signal.Record) ([]signal.Signal, error) {
	v := read(a, r)
	event := v.enum("event")
	if err := v.err(); err != nil {
		return nil, err
	}
	value := int64(1)
	if event == "abnormal_removed" {
		value = 0
	}
	return []signal.Signal{v.signal(signal.BusinessAnomaly, value)}, nil
}
