package console

import "daihou/auth"

// qualityPages are the page templates of this part of the console.
var qualityPages = []string{"quality", "fivetier"}

// qualityMenu is this part's entries in the menu.
var qualityMenu = []menuItem{
	{"/console/quality", "nav.quality", auth.ReadReport, auth.Book},
	{"/console/reports/five-tier", "nav.five_tier", auth.ReadReport, auth.Book},
}
