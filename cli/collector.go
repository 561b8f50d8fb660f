package cli

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"strings"

	"daihou"
	"daihou/civil"
	"daihou/store"
)

const collectorUsage = `Usage:
  daihou collector set NAME [--team T] [--capacity N] [--skills k1,k2] [--regions r1,r2]
                            [--absent-from D --absent-until D]
  daihou collector list [--json]

A collector's working profile (a collector, account manager, lawyer or risk
officer: whoever works a queue) is what close of business assigns new tasks
by: the tasks of a role go to the people who hold it, each getting a share
of new work proportional to their capacity (default 100; 0 takes none),
only the kinds in their skills (none: any) and preferably the loans of
their regions (none: any), nobody during an absence (inclusive business
dates). An account manager's tasks go first to the loan's dedicated officer
(贷后管家). A set changes only what it names; the user must exist ('daihou
user add'). Setting one takes the admin role (who manages users) and is
audited; listing them, a manager, an admin or an auditor.`

func (m *Main) runCollector(ctx context.Context, args []string) error {
	return m.runVerb(ctx, args, collectorUsage, "collector set|list", verbs{"set": m.collectorSet, "list": m.collectorList})
}

func (m *Main) collectorSet(ctx context.Context, args []string) error {
	fs := m.newFlagSet("collector set NAME [flags]", "Set a user's working profile for assignment; flags left out keep what it was\n(a new profile: capacity 100, any skill, any region, no absence).")
	b := m.bookFlags(fs)
	team := fs.String("team", "", "the team whose queue holds their unassigned tasks")
	capacity := fs.Int("capacity", 100, "their share of new work, 0 (none) to 10000")
	skills := fs.String("skills", "", "the task kinds they take, comma-separated (empty: any)")
	regions := fs.String("regions", "", "the regions whose loans they prefer, comma-separated (empty: any)")
	from := fs.String("absent-from", "", "the first day of an absence, YYYY-MM-DD (empty: none)")
	until := fs.String("absent-until", "", "the last day of the absence, YYYY-MM-DD")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, reorder(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return usagef("want one user name")
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if set["absent-from"] != set["absent-until"] {
		return usagef("--absent-from and --absent-until go together (both empty to clear an absence)")
	}
	s, ctx, err := m.open(ctx, b)
	if err != nil {
		return err
	}
	defer s.Close()
	name := strings.ToLower(strings.TrimSpace(fs.Arg(0)))
	info := store.CollectorInfo{Collector: store.Collector{Name: name, Capacity: 100}}
	all, err := s.Collectors(ctx)
	if err != nil {
		return err
	}
	for _, x := range all {
		if x.Name == name {
			info = x
		}
	}
	c := info.Collector
	if set["team"] {
		c.Team = strings.TrimSpace(*team)
	}
	if set["capacity"] {
		c.Capacity = *capacity
	}
	if set["skills"] {
		c.Skills = splitFlagList(*skills)
	}
	if set["regions"] {
		c.Regions = splitFlagList(*regions)
	}
	if set["absent-from"] {
		c.AbsentFrom, c.AbsentUntil = 0, 0
		if *from != "" || *until != "" {
			if c.AbsentFrom, err = civil.Parse(*from); err != nil {
				return daihou.Invalid("absent_from", "--absent-from: %v", err)
			}
			if c.AbsentUntil, err = civil.Parse(*until); err != nil {
				return daihou.Invalid("absent_until", "--absent-until: %v", err)
			}
		}
	}
	if err := s.PutCollector(ctx, c); err != nil {
		return err
	}
	if *asJSON {
		info.Collector, info.Set = c, true
		return writeJSON(m.Stdout, collectorOf(info))
	}
	fmt.Fprintf(m.Stdout, "collector %s: team %s, capacity %d, skills %s, regions %s, absent %s\n", c.Name, orDash(c.Team), c.Capacity,
		anyList(c.Skills), anyList(c.Regions), absence(c.AbsentFrom, c.AbsentUntil))
	return nil
}

// collectorJSON is a collector's profile as --json prints it: dates
// YYYY-MM-DD, absent when there is no absence.
type collectorJSON struct {
	Name        string     `json:"name"`
	Roles       []string   `json:"roles,omitempty"`
	Officer     string     `json:"officer,omitempty"`
	Team        string     `json:"team"`
	Capacity    int        `json:"capacity"`
	Skills      []string   `json:"skills"`
	Regions     []string   `json:"regions"`
	AbsentFrom  civil.Date `json:"absent_from,omitzero"`
	AbsentUntil civil.Date `json:"absent_until,omitzero"`
	Disabled    bool       `json:"disabled"`
	// Default: no profile has been set; the defaults hold.
	Default bool `json:"default"`
}

func collectorOf(c store.CollectorInfo) collectorJSON {
	return collectorJSON{Name: c.Name, Roles: c.Roles, Officer: c.Officer, Team: c.Team, Capacity: c.Capacity, Skills: orNone(c.Skills), Regions: orNone(c.Regions),
		AbsentFrom: c.AbsentFrom, AbsentUntil: c.AbsentUntil, Disabled: c.Disabled, Default: !c.Set}
}

func orNone(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func splitFlagList(s string) []string {
	out := []string{}
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func anyList(s []string) string {
	if len(s) == 0 {
		return "any"
	}
	return strings.Join(s, ",")
}

func absence(from, until civil.Date) string {
	if from == 0 && until == 0 {
		return "–"
	}
	return fmt.Sprintf("%v to %v", from, until)
}

func (m *Main) collectorList(ctx context.Context, args []string) error {
	fs := m.newFlagSet("collector list [--json]", "List everyone who works a queue, with their working profile: roles, team,\ncapacity, skills, regions and absence (the defaults where none is set).")
	b := m.bookFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, reorder(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return usagef("collector list takes no arguments")
	}
	s, ctx, err := m.openRead(ctx, b)
	if err != nil {
		return err
	}
	defer s.Close()
	cs, err := s.Collectors(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		out := make([]collectorJSON, len(cs))
		for i, c := range cs {
			out[i] = collectorOf(c)
		}
		return writeJSON(m.Stdout, out)
	}
	tw := &wideTable{w: m.Stdout}
	tw.row("name", "roles", "team", "capacity", "skills", "regions", "absent", "state")
	for _, c := range cs {
		state := "active"
		if c.Disabled {
			state = "disabled"
		}
		if !c.Set {
			state += " (default profile)"
		}
		tw.row(c.Name, strings.Join(c.Roles, ","), orDash(c.Team), strconv.Itoa(c.Capacity), anyList(c.Skills), anyList(c.Regions),
			absence(c.AbsentFrom, c.AbsentUntil), state)
	}
	if err := tw.flush(); err != nil {
		return err
	}
	if len(cs) == 0 {
		fmt.Fprintln(m.Stdout, "nobody works a queue: 'daihou user add NAME --role collector'")
	}
	return nil
}

const agencyUsage = `Usage:
  daihou agency put CODE --name N [--inactive]
  daihou agency list [--json]

An outsourcing agency (委外催收机构) takes the outsource tasks close of
business makes, and its contacts count with the lender's own under the
compliance guard; only an active agency is given work or may contact a
debtor. Putting one changes the configuration: it takes the admin role, and
is audited. Listing them takes a manager, or a role that reads the
configuration.`

func (m *Main) runAgency(ctx context.Context, args []string) error {
	return m.runVerb(ctx, args, agencyUsage, "agency put|list", verbs{"put": m.agencyPut, "list": m.agencyList})
}

func (m *Main) agencyPut(ctx context.Context, args []string) error {
	fs := m.newFlagSet("agency put CODE --name N [--inactive]", "Add an outsourcing agency, or change its name or whether it is active.")
	b := m.bookFlags(fs)
	name := fs.String("name", "", "the agency's name (required)")
	inactive := fs.Bool("inactive", false, "no longer engaged: given no new work, and its contacts refused")
	if err := parseFlags(fs, reorder(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 1 || strings.TrimSpace(*name) == "" {
		fs.Usage()
		return usagef("want one agency code and --name")
	}
	s, ctx, err := m.open(ctx, b)
	if err != nil {
		return err
	}
	defer s.Close()
	code := fs.Arg(0)
	if err := s.PutAgency(ctx, code, strings.TrimSpace(*name), !*inactive); err != nil {
		return err
	}
	state := "active"
	if *inactive {
		state = "inactive"
	}
	fmt.Fprintf(m.Stdout, "agency %s (%s): %s\n", code, strings.TrimSpace(*name), state)
	return nil
}

func (m *Main) agencyList(ctx context.Context, args []string) error {
	fs := m.newFlagSet("agency list [--json]", "List the outsourcing agencies, active or not, with who changed each last.")
	b := m.bookFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, reorder(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return usagef("agency list takes no arguments")
	}
	s, ctx, err := m.openRead(ctx, b)
	if err != nil {
		return err
	}
	defer s.Close()
	as, err := s.Agencies(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(m.Stdout, as)
	}
	tw := &wideTable{w: m.Stdout}
	tw.row("code", "name", "state", "changed by", "at (UTC)")
	for _, a := range as {
		state := "active"
		if !a.Active {
			state = "inactive"
		}
		tw.row(a.Code, a.Name, state, a.UpdatedBy, a.UpdatedAt)
	}
	if err := tw.flush(); err != nil {
		return err
	}
	if len(as) == 0 {
		fmt.Fprintln(m.Stdout, "no agencies: 'daihou agency put CODE --name N'")
	}
	return nil
}
