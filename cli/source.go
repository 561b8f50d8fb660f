package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"daihou"
	"daihou/audit"
	"daihou/auth"
	"daihou/imports"
	"daihou/source"
	"daihou/source/pull"
	"daihou/store"
)

const sourceUsage = `Usage:
  daihou source list
  daihou source pull --source NAME --url URL [--every DURATION] [--limit N] [--rate R] [--json]

Data sources (数据源): 'list' shows each source and its record format;
'pull' polls a source's HTTP endpoint for new records.`

func (m *Main) runSource(ctx context.Context, args []string) error {
	return m.runVerb(ctx, args, sourceUsage, "source list or source pull", verbs{"list": m.sourceList, "pull": m.sourcePull})
}

func (m *Main) sourceList(ctx context.Context, args []string) error {
	fs := m.newFlagSet("source list [--json]", `List the data sources daihou takes records from, with their fields. The
README's "Data sources: record formats" has the same tables.`)
	asJSON := fs.Bool("json", false, "print the sources as JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	type field struct {
		Name     string   `json:"name"`
		Kind     string   `json:"kind"`
		Required bool     `json:"required"`
		Values   []string `json:"values,omitempty"`
	}
	type src struct {
		Name   string  `json:"name"`
		Title  string  `json:"title"`
		Fields []field `json:"fields"`
	}
	var out []src
	for _, a := range source.All() {
		s := src{Name: a.Name(), Title: a.Title()}
		for _, f := range a.Fields() {
			s.Fields = append(s.Fields, field{f.Name, f.Kind.String(), f.Required, f.Values})
		}
		out = append(out, s)
	}
	if *asJSON {
		return writeJSON(m.Stdout, out)
	}
	for _, s := range out {
		var names []string
		for _, f := range s.Fields {
			n := f.Name
			if !f.Required {
				n += "?"
			}
			names = append(names, n)
		}
		fmt.Fprintf(m.Stdout, "%-10s %s\n           id, borrower|id_number, date, %s\n", s.Name, s.Title, strings.Join(names, ", "))
	}
	return nil
}

func (m *Main) sourcePull(ctx context.Context, args []string) error {
	fs := m.newFlagSet("source pull --source NAME --url URL [--every DURATION] [--limit N] [--rate R] [--db PATH] [--json]",
		`Pull a data source's new records from its HTTP endpoint and store them, as
the source's feed (system:import:NAME): GET URL?cursor=C&limit=N answers a
page of JSON Lines records and X-Next-Cursor. The cursor is saved in the book
only once a page is stored, so a pull stopped anywhere resumes where it was,
with no record lost and none stored twice. Failed requests are retried with
exponential back-off and jitter (Retry-After honoured); after repeated
failures a circuit breaker stops asking for a while. Records that break the
source's format are reported with their page and line and the rest stored.

Without --every it pulls until the source has nothing newer and exits; with
--every (e.g. 5m) it keeps polling until interrupted.

'daihou sim sources' serves such an endpoint for every source.`)
	b := m.bookFlags(fs)
	name := fs.String("source", "", "the data source (see 'daihou source list')")
	url := fs.String("url", "", "the source's records endpoint, e.g. http://127.0.0.1:8080/sources/bureau/records")
	every := fs.Duration("every", 0, "poll on this schedule until interrupted (0: pull until caught up, then exit)")
	limit := fs.Int("limit", 500, "records a page")
	rps := fs.Float64("rate", 2, "requests a second at most")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	if err := parseFlags(fs, reorder(fs, args)); err != nil {
		return err
	}
	if *name == "" || *url == "" || fs.NArg() != 0 {
		fs.Usage()
		return usagef("want: source pull --source NAME --url URL")
	}
	adapter, err := source.Lookup(*name)
	if err != nil {
		return daihou.Errorf(daihou.EINVALID, "--source: %w", err)
	}
	if *limit < 1 || *limit > 10000 {
		return daihou.Errorf(daihou.EINVALID, "--limit %d: want 1 to 10000", *limit)
	}
	s, ctx, err := m.open(ctx, b)
	if err != nil {
		return err
	}
	defer s.Close()
	// The pull stores as the source's system actor; who starts it must be
	// allowed to take in external data, as for 'import signals'.
	if err := can(ctx, auth.IngestSignals, auth.Book()); err != nil {
		return err
	}
	feed, err := auth.Import(adapter.Name())
	if err != nil {
		return err
	}
	ctx, startedBy := system(ctx, feed)
	var stored, dups, rejected, warned int
	sink := func(ctx context.Context, src string, body []byte) error {
		file, err := imports.ParseSignalsFile(bytes.NewReader(body), imports.FormatJSONL, adapter, imports.ParseOptions{})
		if err != nil {
			return daihou.Errorf(daihou.EINVALID, "a page of %s: %w", src, err)
		}
		for _, rj := range file.Rejects {
			fmt.Fprintf(m.Stderr, "%s: rejected: %s\n", src, rj)
		}
		in := make([]store.SignalIn, len(file.Rows))
		for i, r := range file.Rows {
			in[i] = store.SignalIn{Line: r.Line, Record: r.Record, Signals: r.Signals}
		}
		got, err := s.IngestSignals(ctx, store.Source{Name: "pull " + src + " " + *url, Digest: audit.Hash(sha256.Sum256(body)), Rows: file.DataRows, Rejected: len(file.Rejects), StartedBy: startedBy}, in, nil)
		if err != nil {
			return err
		}
		stored, dups, rejected = stored+got.Stored, dups+got.Duplicates, rejected+len(file.Rejects)+len(got.Rejects)
		for _, rj := range got.Rejects {
			fmt.Fprintf(m.Stderr, "%s: rejected: line %d: %s\n", src, rj.Line, rj.Reason)
		}
		n, err := s.WarnOnArrival(ctx, got.Borrowers)
		warned += n
		return err
	}
	c, err := pull.New(pull.Config{Source: adapter.Name(), Endpoint: *url, Limit: *limit, Rate: rateLimit(*rps), Cursors: s, Sink: sink,
		Logger: slog.New(slog.NewTextHandler(m.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		return daihou.Errorf(daihou.EINVALID, "%w", err)
	}
	began := time.Now()
	var st pull.Stats
	if *every > 0 {
		err = c.Poll(ctx, *every)
		if ctx.Err() != nil {
			err = nil // interrupted: a clean stop
		}
	} else {
		st, err = c.Once(ctx)
	}
	if err != nil {
		return daihou.Errorf(daihou.EINTERNAL, "%v (stored before the failure: %d records; pull again to resume from the saved cursor)", err, stored)
	}
	if *asJSON {
		return writeJSON(m.Stdout, map[string]any{"source": adapter.Name(), "stored": stored, "duplicates": dups, "rejected": rejected, "warnings": warned,
			"pages": st.Pages, "requests": st.Requests, "retries": st.Retries, "cursor": st.Cursor, "seconds": time.Since(began).Seconds()})
	}
	fmt.Fprintf(m.Stdout, "%s: %d records stored, %d already stored, %d rejected, %d warnings raised; %d pages, %d requests (%d retries), cursor %q (%.1fs)\n",
		adapter.Name(), stored, dups, rejected, warned, st.Pages, st.Requests, st.Retries, st.Cursor, time.Since(began).Seconds())
	if rejected > 0 {
		return partialError{fmt.Sprintf("%d records rejected (reasons above), the others stored", rejected)}
	}
	return nil
}

// rateLimit turns requests a second into the pull's limit; 0 or less is
// no limit.
func rateLimit(rps float64) rate.Limit {
	if rps <= 0 {
		return rate.Inf
	}
	return rate.Limit(rps)
}
