package cli

import (
	"context"
	"fmt"

	"daihou/auth"
	"daihou/pii"
)

const keyUsage = `Usage:
  daihou key rotate [--retire] [--key-out FILE]   seal all personal data under a new key
  daihou key rotate --resume [--retire]           finish a rotation that was interrupted

A book's personal data (borrowers' names, ID numbers, phones, addresses) is
sealed with AES-256-GCM under a key ring: the key file beside a SQLite book
(BOOK.key, mode 0600, created with the book), $DAIHOU_KEY_FILE, or
$DAIHOU_KEY (VERSION:BASE64 entries, or one bare base64 key). The newest key
seals; every key in the ring opens.

A PostgreSQL book has no file beside it: make its first key once,

  export DAIHOU_KEY=$(head -c 32 /dev/urandom | base64)

and give the same key to every process of the book (serve, eod and its
workers, imports, the command line). Keep it as safe as the database's
backups and apart from them: without it no borrower's personal data can
be read.

'key rotate' adds a new key to the ring, writes the ring back (the key file,
or --key-out FILE when the key came from $DAIHOU_KEY: then put the file's
keys in $DAIHOU_KEY) before anything is sealed under it, and re-seals every
borrower in chunks. Interrupted, it resumes with --resume, which re-seals
what is left under the ring's newest key. --retire then drops the old keys
from the ring: do it only when every copy of the book (replicas, backups
you may restore) has been rotated.`

func (m *Main) runKey(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "rotate" {
		fmt.Fprintln(m.Stderr, keyUsage)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return nil
		}
		return usagef("want: key rotate")
	}
	fs := m.newFlagSet("key rotate [--resume] [--retire] [--key-out FILE]", keyUsage)
	b := m.bookFlags(fs)
	resume := fs.Bool("resume", false, "do not add a key: finish re-sealing under the ring's newest key")
	retire := fs.Bool("retire", false, "afterwards, drop every older key from the ring")
	keyOut := fs.String("key-out", "", "write the new ring here (needed when the key comes from $DAIHOU_KEY)")
	if err := parseFlags(fs, reorder(fs, args[1:])); err != nil {
		return err
	}
	s, ctx, err := m.openFor(ctx, b, auth.RotateKeys, auth.System())
	if err != nil {
		return err
	}
	defer s.Close()
	ring := s.Keys()
	if ring == nil {
		return usagef("this book has no key to rotate: set %s or keep the key file beside the database", pii.KeyEnv)
	}
	file := *keyOut
	if file == "" && m.Getenv(pii.KeyEnv) == "" {
		file = m.keyFile(b.db())
	}
	if file == "" && (!*resume || *retire) {
		return usagef("the key comes from $%s, which daihou cannot change: give --key-out FILE for the new ring", pii.KeyEnv)
	}
	if !*resume {
		// The new ring is on disk before anything is sealed under it: a
		// crash then leaves data that the ring on disk opens.
		if ring, err = ring.WithNewKey(); err != nil {
			return err
		}
		if err := pii.WriteKeyFile(file, ring); err != nil {
			return err
		}
		if err := s.UseKeys(ctx, ring); err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "new key version %d written to %s\n", ring.Current(), file)
	}
	var progress func(int64)
	if isTerminal(m.Stderr) {
		p := m.progress(0, "re-sealing borrowers and data-source records")
		progress = func(n int64) { p(int(n)) }
	}
	n, err := s.Rotate(ctx, progress)
	if err != nil {
		return fmt.Errorf("%w (run 'daihou key rotate --resume' to finish)", err)
	}
	fmt.Fprintf(m.Stdout, "%d borrowers and data-source records re-sealed under key version %d\n", n, ring.Current())
	if *retire {
		for _, v := range ring.Versions() {
			if v == ring.Current() {
				continue
			}
			if ring, err = ring.Without(v); err != nil {
				return err
			}
		}
		if err := pii.WriteKeyFile(file, ring); err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "older keys retired: %s holds key version %d only\n", file, ring.Current())
	}
	if *keyOut != "" {
		fmt.Fprintf(m.Stdout, "set %s to the keys in %s before the next command\n", pii.KeyEnv, *keyOut)
	}
	return nil
}
