package cli

import (
	"context"
	"fmt"
	"time"

	"daihou/auth"
	"daihou/store"
)

const tokenUsage = `Usage:
  daihou token add NAME --role ROLE[,ROLE] [--scope all|branch:A,B] [--expires 90d] [--json]
  daihou token list [--json]
  daihou token revoke ID

An API token lets an integration (core banking, a dialer, a data feed) call
'daihou serve' with 'Authorization: Bearer TOKEN', with the token's own roles
and scope — never admin. The token is shown once; only its hash is kept.`

func (m *Main) runToken(ctx context.Context, args []string) error {
	return m.runVerb(ctx, args, tokenUsage, "token add|list|revoke", verbs{"add": m.tokenAdd, "list": m.tokenList, "revoke": m.tokenRevoke})
}

func (m *Main) tokenAdd(ctx context.Context, args []string) error {
	fs := m.newFlagSet("token add NAME --role ROLE[,ROLE] [flags]", "Issue an API token for an integration; it is printed once.")
	b := m.bookFlags(fs)
	roleList := fs.String("role", "", "roles, comma-separated (e.g. integration)")
	scopeText := fs.String("scope", "", "data scope beyond the roles' own: all, or branch:A,B")
	expires := fs.String("expires", "", "life of the token, e.g. 90d or 720h (default: until revoked)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, reorder(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 1 || *roleList == "" {
		fs.Usage()
		return usagef("want one token name and --role")
	}
	rs, err := parseRoles(*roleList)
	if err != nil {
		return err
	}
	sc, err := store.ParseGrantedScope(*scopeText)
	if err != nil {
		return err
	}
	var until time.Time
	if *expires != "" {
		d, err := parseLife(*expires)
		if err != nil {
			return usagef("--expires: %v", err)
		}
		until = time.Now().Add(d)
	}
	s, ctx, err := m.open(ctx, b)
	if err != nil {
		return err
	}
	defer s.Close()
	secret, tok, err := s.IssueToken(ctx, fs.Arg(0), rs, sc, until)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(m.Stdout, struct {
			Token string      `json:"token"`
			Info  store.Token `json:"info"`
		}{secret, tok})
	}
	fmt.Fprintf(m.Stdout, "%s\n\ntoken %s for %s: roles %s, scope %s, expires %s\nIt is shown only now: keep it in the integration's secret store.\n",
		secret, tok.ID, tok.Name, joinComma(tok.Roles), scopeOrRoles(tok.ScopeText), orNever(tok.ExpiresAt))
	return nil
}

// parseLife reads a token's life: Go durations, or whole days (90d).
func parseLife(s string) (time.Duration, error) {
	var days int
	if n, err := fmt.Sscanf(s, "%dd", &days); err == nil && n == 1 && fmt.Sprintf("%dd", days) == s {
		if days <= 0 || days > 3660 {
			return 0, fmt.Errorf("want 1d to 3660d, not %s", s)
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("want a life such as 90d or 720h, not %q", s)
	}
	return d, nil
}

func orNever(s string) string {
	if s == "" {
		return "never"
	}
	return s
}

func (m *Main) tokenList(ctx context.Context, args []string) error {
	fs := m.newFlagSet("token list [--json]", "List the API tokens (never their secrets).")
	b := m.bookFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, reorder(fs, args)); err != nil {
		return err
	}
	s, ctx, err := m.openReadFor(ctx, b, auth.ManageTokens, auth.System())
	if err != nil {
		return err
	}
	defer s.Close()
	ts, err := s.Tokens(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		if ts == nil {
			ts = []store.Token{}
		}
		return writeJSON(m.Stdout, ts)
	}
	tw := table(m.Stdout)
	fmt.Fprintln(tw, "id\tname\troles\tscope\tcreated\tby\texpires\trevoked\t")
	for _, t := range ts {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", t.ID, t.Name, joinComma(t.Roles), scopeOrRoles(t.ScopeText), t.CreatedAt, t.CreatedBy, orNever(t.ExpiresAt), t.RevokedAt)
	}
	return tw.Flush()
}

func (m *Main) tokenRevoke(ctx context.Context, args []string) error {
	fs := m.newFlagSet("token revoke ID", "Revoke an API token: it stops working at once.")
	b := m.bookFlags(fs)
	if err := parseFlags(fs, reorder(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return usagef("want one token id (see 'daihou token list')")
	}
	s, ctx, err := m.open(ctx, b)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.RevokeToken(ctx, fs.Arg(0)); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "token %s revoked\n", fs.Arg(0))
	return nil
}
