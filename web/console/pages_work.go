package console

// workPages are the page templates of this part of the console.
var workPages = []string{}

// workMenu is this part's entries in the menu.
var workMenu = []menuItem{}
