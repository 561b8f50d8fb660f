package console

import "daihou/auth"

// loanPages are the page templates of this part of the console.
var loanPages = []string{"loan_list", "loan_show"}

// loanMenu is this part's entries in the menu: every role that reads some
// loan (a collector their own) has the loan list.
var loanMenu = []menuItem{{"/console/loans", "loan.nav", auth.ReadLoan, nil}}
