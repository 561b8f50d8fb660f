package warning

import (
	"fmt"
	"strings"
)

// Severity is how urgent a warning is. Higher is more urgent.
type Severity int

// The severities (预警等级).
const (
	Yellow Severity = 1 // 黄色预警: watch
	Orange Severity = 2 // 橙色预警: act soon
	Red    Severity = 3 // 红色预警: act now
)

var severityNames = [...]string{"", "yellow", "orange", "red"}
var severityZH = [...]string{"", "黄", "橙", "红"}

// String returns the severity's English name: red, orange or yellow.
func (s Severity) String() string {
	if s < Yellow || s > Red {
		return fmt.Sprintf("severity(%d)", int(s))
	}
	return severityNames[s]
}

// Chinese returns the severity's Chinese name: 红, 橙 or 黄.
func (s Severity) Chinese() string {
	if s < Yellow || s > Red {
		return "?"
	}
	return severityZH[s]
}

// Valid reports whether s is one of the three severities.
func (s Severity) Valid() bool { return s >= Yellow && s <= Red }

// ParseSeverity returns the severity named s, in English or Chinese
// ("red", "红", "红色"), case and surrounding space ignored.
func ParseSeverity(s string) (Severity, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	t = strings.TrimSuffix(t, "色")
	for v := Yellow; v <= Red; v++ {
		if t == severityNames[v] || t == severityZH[v] {
			return v, nil
		}
	}
	return 0, fmt.Errorf("%w %q (want red, orange or yellow; 红, 橙 or 黄)", ErrUnknownSeverity, s)
}

// MarshalText implements encoding.TextMarshaler.
func (s Severity) MarshalText() ([]byte, error) {
	if !s.Valid() {
		return nil, fmt.Errorf("%w %d", ErrUnknownSeverity, int(s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}
