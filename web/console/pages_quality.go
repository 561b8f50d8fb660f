package console

// qualityPages are the page templates of this part of the console.
var qualityPages = []string{}

// qualityMenu is this part's entries in the menu.
var qualityMenu = []menuItem{}
