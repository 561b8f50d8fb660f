package console

import (
	"slices"

	"daihou/auth"
)

// navItem is one entry of the menu: shown to those who may use it.
type navItem struct {
	Path, Key string
	Active    bool
}

// menuItem is one entry of the menu with the action that opens it.
type menuItem struct {
	path, key string
	action    auth.Action
	// resource is what action must be allowed on; nil for an action on
	// loans, allowed when the user may take it on some loan (a
	// collector's own), which no one resource stands for.
	resource func() auth.Resource
}

// menu is the console's menu, in order.
var menu = slices.Concat(
	[]menuItem{{"/console/", "nav.overview", auth.ReadReport, auth.Book}},
	qualityMenu, loanMenu, workMenu, monitorMenu,
)

func navFor(s *Session) []navItem {
	var out []navItem
	for _, m := range menu {
		if m.resource == nil && !auth.ScopeFor(s.Actor, m.action).IsEmpty() || m.resource != nil && auth.Can(s.Actor, m.action, m.resource()).Allowed {
			out = append(out, navItem{Path: m.path, Key: m.key})
		}
	}
	return out
}
