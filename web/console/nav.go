package console

import "daihou/auth"

// navItem is one entry of the menu: shown to those who may use it.
type navItem struct {
	Path, Key string
	Active    bool
}

// menu is the console's menu, in order, with the action that opens it.
var menu = []struct {
	path, key string
	action    auth.Action
	resource  func() auth.Resource
}{
	{"/console/", "nav.overview", auth.ReadReport, auth.Book},
}

func navFor(s *Session) []navItem {
	var out []navItem
	for _, m := range menu {
		if auth.Can(s.Actor, m.action, m.resource()).Allowed {
			out = append(out, navItem{Path: m.path, Key: m.key})
		}
	}
	return out
}
