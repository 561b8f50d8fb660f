package cli

import (
	"context"
	"fmt"

	"daihou/audit"
	"daihou/auth"
)

const auditUsage = `Usage:
  daihou audit verify [--json]                         walk the hash chain; name the first entry tampered with
  daihou audit show [--object KIND:ID] [--after SEQ] [--limit N] [--json]

Every change to the book appends an entry in the same transaction: who did
what to which object, on which business date, when, a digest of the change
and the hash of the entry before. Editing, deleting, inserting or re-ordering
any entry breaks the chain at that entry. Objects: loan:ID, user:NAME,
token:ID, file:SHA256, eod:DATE, product:CODE, model:ID, book.`

func (m *Main) runAudit(ctx context.Context, args []string) error {
	return m.runVerb(ctx, args, auditUsage, "audit verify|show", verbs{"verify": m.auditVerify, "show": m.auditShow})
}

func (m *Main) auditVerify(ctx context.Context, args []string) error {
	fs := m.newFlagSet("audit verify [--json]", "Verify the whole audit trail against its hash chain and its stored head.")
	b := m.bookFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, reorder(fs, args)); err != nil {
		return err
	}
	s, ctx, err := m.openReadFor(ctx, b, auth.VerifyAudit, auth.Book())
	if err != nil {
		return err
	}
	defer s.Close()
	head, err := s.AuditHead(ctx)
	if err != nil {
		return err
	}
	var progress func(int64)
	if !*asJSON && isTerminal(m.Stderr) && head.Seq > 100000 {
		p := m.progress(int(head.Seq), "verifying the audit trail")
		progress = func(n int64) { p(int(n)) }
	}
	n, verr := s.VerifyAudit(ctx, progress)
	if *asJSON {
		out := struct {
			Entries int64  `json:"entries_sound"`
			Head    int64  `json:"head_seq"`
			OK      bool   `json:"ok"`
			Error   string `json:"error,omitempty"`
		}{n, head.Seq, verr == nil, ""}
		if verr != nil {
			out.Error = verr.Error()
		}
		if err := writeJSON(m.Stdout, out); err != nil {
			return err
		}
		return verr
	}
	if verr != nil {
		return verr
	}
	fmt.Fprintf(m.Stdout, "audit trail sound: %d entries, head %d %s\n", n, head.Seq, head.Hash)
	return nil
}

func (m *Main) auditShow(ctx context.Context, args []string) error {
	fs := m.newFlagSet("audit show [--object KIND:ID] [flags]", "Show entries of the audit trail, all of them or those about one object, oldest first.")
	b := m.bookFlags(fs)
	object := fs.String("object", "", "only entries about this object, e.g. loan:42 (see 'daihou audit -h')")
	after := fs.Int64("after", 0, "only entries after this seq")
	limit := fs.Int("limit", 100, "at most this many entries")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, reorder(fs, args)); err != nil {
		return err
	}
	if *limit < 1 || *limit > 100000 {
		return usagef("--limit: want 1 to 100000")
	}
	s, ctx, err := m.openReadFor(ctx, b, auth.ReadAudit, auth.Book())
	if err != nil {
		return err
	}
	defer s.Close()
	es, err := s.AuditEntries(ctx, *object, *after, *limit)
	if err != nil {
		return err
	}
	if *asJSON {
		if es == nil {
			es = []audit.Entry{}
		}
		return writeJSON(m.Stdout, es)
	}
	tw := table(m.Stdout)
	fmt.Fprintln(tw, "seq\ttime (UTC)\tbusiness date\tactor\taction\tobject\tdetail\t")
	for _, e := range es {
		bd := "–" // before the book had a business date
		if e.BusinessDate != 0 {
			bd = e.BusinessDate.String()
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t\n", e.Seq, e.Time.Format("2006-01-02 15:04:05"), bd, e.Actor, e.Action, e.Object, e.Detail)
	}
	if len(es) == 0 {
		fmt.Fprintln(tw, "(no entries)")
	}
	return tw.Flush()
}
