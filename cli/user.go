package cli

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"daihou"
	"daihou/auth"
	"daihou/store"
)

const userUsage = `Usage:
  daihou user add NAME --role ROLE[,ROLE] [--scope all|branch:A,B] [--officer CODE] [--password-stdin]
  daihou user add NAME --admin          the first user of a book: its administrator
  daihou user list [--json]
  daihou user passwd NAME [--password-stdin]
  daihou user disable NAME | enable NAME
  daihou user role NAME ROLE[,ROLE]     replace the user's roles
  daihou user scope NAME all|branch:A,B|none   the data scope granted beyond the roles' own

Roles: ` + "account-manager, collector, risk-officer, legal, manager, auditor, admin, integration" + `.
A collector sees the loans assigned to them, an account manager those whose
officer code is theirs; a branch scope adds whole branches; manager, risk
officer and auditor see the whole book. Names compare without regard to case.

Until a book has users, every command acts as the local operator. Once it
has, each command names who acts with --as NAME (or $DAIHOU_USER); the
first user, added with --admin, adds the others.`

func (m *Main) runUser(ctx context.Context, args []string) error {
	return m.runVerb(ctx, args, userUsage, "user add|list|passwd|disable|enable|role|scope", verbs{
		"add": m.userAdd, "list": m.userList, "passwd": m.userPasswd,
		"disable": m.userEnable(true), "enable": m.userEnable(false), "role": m.userRole, "scope": m.userScope,
	})
}

func (m *Main) userAdd(ctx context.Context, args []string) error {
	fs := m.newFlagSet("user add NAME --role ROLE[,ROLE] [flags]", `Add a user. The password, for the console and the API, is read from stdin
with --password-stdin, or asked for on a terminal; a user without one acts
only through the command line (--as).`)
	b := m.bookFlags(fs)
	roleList := fs.String("role", "", "roles, comma-separated")
	admin := fs.Bool("admin", false, "the user is an administrator (role admin): the first user of a book")
	scopeText := fs.String("scope", "", "data scope beyond the roles' own: all, or branch:A,B")
	officer := fs.String("officer", "", "the officer code on loans this user manages (default the user name)")
	pwStdin := fs.Bool("password-stdin", false, "read the password from the first line of stdin")
	noPassword := fs.Bool("no-password", false, "add the user without a password (command line only)")
	if err := parseFlags(fs, reorder(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 1 || (*roleList == "" && !*admin) {
		fs.Usage()
		return usagef("want one user name and --role (or --admin)")
	}
	nu := store.NewUser{Name: fs.Arg(0), Officer: *officer}
	var err error
	if *roleList != "" {
		if nu.Roles, err = parseRoles(*roleList); err != nil {
			return err
		}
	}
	if *admin {
		nu.Roles = append(nu.Roles, auth.Admin)
	}
	if nu.Scope, err = store.ParseGrantedScope(*scopeText); err != nil {
		return err
	}
	s, ctx, err := m.open(ctx, b)
	if err != nil {
		return err
	}
	defer s.Close()
	if !*noPassword {
		if nu.PasswordHash, err = m.newPassword(fs.Arg(0), *pwStdin); err != nil {
			return err
		}
	}
	u, err := s.AddUser(ctx, nu)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "user %s added: roles %s, scope %s, officer %s\n", u.Name, joinComma(u.Roles), scopeOrRoles(u.ScopeText), u.Officer)
	if *admin {
		fmt.Fprintf(m.Stdout, "from now on every command names who acts: --as %s (or DAIHOU_USER=%s)\n", u.Name, u.Name)
	}
	return nil
}

func (m *Main) userList(ctx context.Context, args []string) error {
	fs := m.newFlagSet("user list [--json]", "List the users with their roles, data scope, officer code and state.")
	b := m.bookFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, reorder(fs, args)); err != nil {
		return err
	}
	s, ctx, err := m.openReadFor(ctx, b, auth.ReadUsers, auth.System())
	if err != nil {
		return err
	}
	defer s.Close()
	us, err := s.Users(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		if us == nil {
			us = []store.User{}
		}
		return writeJSON(m.Stdout, us)
	}
	tw := table(m.Stdout)
	fmt.Fprintln(tw, "name\troles\tscope\tofficer\tpassword\tstate\tupdated\t")
	for _, u := range us {
		state, pw := "enabled", "set"
		if u.Disabled {
			state = "disabled"
		}
		if u.PasswordHash == "" {
			pw = "none"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", u.Name, joinComma(u.Roles), scopeOrRoles(u.ScopeText), u.Officer, pw, state, u.UpdatedAt)
	}
	return tw.Flush()
}

func (m *Main) userPasswd(ctx context.Context, args []string) error {
	var pwStdin *bool
	return m.userUpdate(ctx, args, "user passwd NAME [--password-stdin]", "Set a user's password; the user's sessions end.", 0,
		func(fs *flag.FlagSet) {
			pwStdin = fs.Bool("password-stdin", false, "read the password from the first line of stdin")
		},
		func(name string, _ []string) (store.UserChange, error) {
			h, err := m.newPassword(name, *pwStdin)
			return store.UserChange{PasswordHash: &h}, err
		},
		func(u store.User) string { return "password of " + u.Name + " changed; their sessions have ended" })
}

func (m *Main) userEnable(disable bool) func(context.Context, []string) error {
	verb, help := "enable", "Enable a disabled user again."
	if disable {
		verb, help = "disable", "Disable a user: they can no longer act or log in, and their sessions end."
	}
	return func(ctx context.Context, args []string) error {
		return m.userUpdate(ctx, args, "user "+verb+" NAME", help, 0, nil,
			func(string, []string) (store.UserChange, error) { return store.UserChange{Disabled: &disable}, nil },
			func(u store.User) string { return "user " + u.Name + " " + verb + "d" })
	}
}

func (m *Main) userRole(ctx context.Context, args []string) error {
	return m.userUpdate(ctx, args, "user role NAME ROLE[,ROLE]", "Replace a user's roles.", 1, nil,
		func(_ string, more []string) (store.UserChange, error) {
			rs, err := parseRoles(more[0])
			return store.UserChange{Roles: &rs}, err
		},
		func(u store.User) string { return "user " + u.Name + ": roles " + joinComma(u.Roles) })
}

func (m *Main) userScope(ctx context.Context, args []string) error {
	return m.userUpdate(ctx, args, "user scope NAME all|branch:A,B|none", "Set the data scope granted to a user beyond their roles' own.", 1, nil,
		func(_ string, more []string) (store.UserChange, error) {
			text := more[0]
			if text == "none" {
				text = ""
			}
			sc, err := store.ParseGrantedScope(text)
			return store.UserChange{Scope: &sc}, err
		},
		func(u store.User) string { return "user " + u.Name + ": scope " + scopeOrRoles(u.ScopeText) })
}

// userUpdate runs a command that changes one user: its arguments are the
// user's name and more more, which change turns into the change; flags,
// when not nil, registers the command's own flags.
func (m *Main) userUpdate(ctx context.Context, args []string, usage, help string, more int, flags func(*flag.FlagSet),
	change func(name string, more []string) (store.UserChange, error), report func(store.User) string) error {
	fs := m.newFlagSet(usage, help)
	b := m.bookFlags(fs)
	if flags != nil {
		flags(fs)
	}
	if err := parseFlags(fs, reorder(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 1+more {
		fs.Usage()
		return usagef("want: %s", usage)
	}
	s, ctx, err := m.open(ctx, b)
	if err != nil {
		return err
	}
	defer s.Close()
	c, err := change(fs.Arg(0), fs.Args()[1:])
	if err != nil {
		return err
	}
	u, err := s.UpdateUser(ctx, fs.Arg(0), c)
	if err != nil {
		return err
	}
	fmt.Fprintln(m.Stdout, report(u))
	return nil
}

// newPassword reads a new password for user name — from stdin's first
// line, or asked twice on a terminal — checks it and hashes it (argon2id).
func (m *Main) newPassword(name string, fromStdin bool) (string, error) {
	var pw string
	if fromStdin {
		if m.Stdin == nil {
			return "", usagef("--password-stdin: there is no stdin")
		}
		line, err := bufio.NewReader(io.LimitReader(m.Stdin, 4096)).ReadString('\n')
		if err != nil && err != io.EOF {
			return "", err
		}
		pw = strings.TrimRight(line, "\r\n")
	} else {
		f, ok := m.Stdin.(*os.File)
		if !ok || !term.IsTerminal(int(f.Fd())) {
			return "", usagef("no terminal to ask the password on: pipe it in with --password-stdin, or add the user with --no-password")
		}
		read := func(prompt string) (string, error) {
			fmt.Fprint(m.Stderr, prompt)
			b, err := term.ReadPassword(int(f.Fd()))
			fmt.Fprintln(m.Stderr)
			return string(b), err
		}
		a, err := read("password for " + name + ": ")
		if err != nil {
			return "", err
		}
		again, err := read("again: ")
		if err != nil {
			return "", err
		}
		if a != again {
			return "", daihou.Invalid("password", "the two passwords differ")
		}
		pw = a
	}
	if err := auth.CheckPassword(name, pw); err != nil {
		return "", err
	}
	return auth.HashPassword(pw, auth.DefaultParams)
}

// parseRoles parses a comma-separated list of roles.
func parseRoles(s string) ([]auth.Role, error) {
	var out []auth.Role
	for _, p := range strings.Split(s, ",") {
		r, err := auth.ParseRole(strings.TrimSpace(p))
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

func joinComma[T ~string](xs []T) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = string(x)
	}
	return strings.Join(parts, ",")
}

// scopeOrRoles names a granted scope; none means the roles' own.
func scopeOrRoles(s string) string {
	if s == "" {
		return "(the roles' own)"
	}
	return s
}
