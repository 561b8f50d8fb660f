package console

// loanPages are the page templates of this part of the console.
var loanPages = []string{}

// loanMenu is this part's entries in the menu.
var loanMenu = []menuItem{}
