package collection

// DefaultSOP is the SOP every product without its own follows: the common
// practice of Chinese lenders' post-loan management.
func DefaultSOP() SOP {
	return SOP{
		Code: "*",
		Name: "Default post-loan SOP 默认贷后SOP",
		Steps: []Step{
			{Code: "revisit-30", Name: "Phone revisit 电话回访", Anchor: FromDisbursement, Offset: 30, Action: Revisit},
			{Code: "bureau-60", Name: "Credit-report comparison 征信比对", Anchor: FromDisbursement, Offset: 60, Action: BureauCheck},
			{Code: "preliminary-90", Name: "Preliminary collection 初步催收", Anchor: FromDisbursement, Offset: 90, Action: Preliminary,
				When: "dpd > 0 || overdue_elsewhere > 0 || score_drop >= 50 || warning_level >= 2"},
			{Code: "warning-check", Name: "Verify an orange or red warning 预警核实", Anchor: FromWarning, Offset: 1, Action: WarningCheck,
				When: "warning_level >= 2"},
		},
		// Twice a year for a quiet loan, quarterly under a yellow warning
		// or 关注, monthly under orange, every fortnight under red or when
		// non-performing.
		Inspections: Inspections{Normal: 180, Yellow: 90, Orange: 30, Red: 15},
	}
}

// DefaultStrategy is the two-track strategy ("AI + 人工"): low-risk loans
// early in delinquency go to automated channels (SMS, AI voice); high risk,
// a low willingness to pay from the AI-voice call, a broken promise, a red
// warning or more than 30 days past due go to a person; past 90 days the
// legal letter, the agency, litigation and, past 180, the write-off
// proposal. The challenger calls by AI voice from the first day.
func DefaultStrategy() Strategy {
	late := Segment{Name: "late", When: "dpd > 90", Actions: []Action{
		{Day: 91, Kind: LegalLetter},
		{Day: 95, Kind: Outsource},
		{Day: 120, Kind: Litigation, When: "outstanding >= 5000000"}, // ¥50,000: worth a suit
		{Day: 181, Kind: WriteOffProposal},
	}}
	person := Segment{Name: "person",
		When: "dpd > 30 || pd >= 0.3 || warning_level >= 3 || (willingness >= 0 && willingness < 40) || broken_promises > 0",
		Actions: []Action{
			{Day: 1, Every: 3, Until: 90, Kind: Call},
			{Day: 20, Kind: Visit, When: "outstanding >= 2000000"}, // ¥20,000
			{Day: 45, Kind: RestructureOffer, When: "broken_promises > 0"},
		}}
	return Strategy{
		Code:  "two-track",
		Name:  "Two-track AI + people 双轨: AI + 人工",
		Split: 20,
		Champion: []Segment{late, person, {Name: "auto", When: "true", Actions: []Action{
			{Day: 1, Kind: SMS, Template: "reminder-soft"},
			{Day: 3, Kind: AIVoice, Template: "reminder-voice"},
			{Day: 7, Kind: SMS, Template: "reminder-firm"},
			{Day: 10, Every: 5, Until: 30, Kind: AIVoice, Template: "reminder-voice"},
		}}},
		Challenger: []Segment{late, person, {Name: "auto-voice-first", When: "true", Actions: []Action{
			{Day: 1, Kind: AIVoice, Template: "reminder-voice"},
			{Day: 4, Kind: SMS, Template: "reminder-firm"},
			{Day: 6, Every: 4, Until: 30, Kind: AIVoice, Template: "reminder-voice"},
		}}},
	}
}
