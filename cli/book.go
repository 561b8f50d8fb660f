package cli

import (
	"context"
	"errors"
	"flag"
	"io/fs"
	"os"
	"strings"

	"daihou/auth"
	"daihou/pii"
	"daihou/store"
)

// book is how a command reaches the book: the database (--db, else
// $DAIHOU_DB, else ./daihou.db) and who acts (--as, else $DAIHOU_USER),
// resolved alike by every command.
type book struct {
	db func() string
	as *string
}

// bookFlags registers --db and --as on fs.
func (m *Main) bookFlags(fs *flag.FlagSet) *book {
	return &book{
		db: m.dbFlag(fs),
		as: fs.String("as", "", "act as this user (default $DAIHOU_USER); a book without users needs none"),
	}
}

// KeyFileEnv names a key file for a book on PostgreSQL, which has no
// folder to keep one beside it.
const KeyFileEnv = "DAIHOU_KEY_FILE"

// open opens the book for writing, gives it its personal-data key and
// returns a context that carries the actor. A new SQLite book gets a key
// file beside it, so the embedded default needs no set-up.
func (m *Main) open(ctx context.Context, b *book) (*store.DB, context.Context, error) {
	return m.openBook(ctx, b, false)
}

// openRead opens the book for reading only (a read-only file or a
// replica): nothing is migrated or created.
func (m *Main) openRead(ctx context.Context, b *book) (*store.DB, context.Context, error) {
	return m.openBook(ctx, b, true)
}

// openFor opens the book for writing, as open does, for an actor who may
// do action on r: a command refused says so before it does anything.
func (m *Main) openFor(ctx context.Context, b *book, action auth.Action, r auth.Resource) (*store.DB, context.Context, error) {
	return m.openBookFor(ctx, b, false, action, r)
}

// openReadFor opens the book for reading, as openRead does, for an actor
// who may do action on r.
func (m *Main) openReadFor(ctx context.Context, b *book, action auth.Action, r auth.Resource) (*store.DB, context.Context, error) {
	return m.openBookFor(ctx, b, true, action, r)
}

func (m *Main) openBookFor(ctx context.Context, b *book, readOnly bool, action auth.Action, r auth.Resource) (*store.DB, context.Context, error) {
	s, ctx, err := m.openBook(ctx, b, readOnly)
	if err != nil {
		return nil, ctx, err
	}
	if err := can(ctx, action, r); err != nil {
		s.Close()
		return nil, ctx, err
	}
	return s, ctx, nil
}

func (m *Main) openBook(ctx context.Context, b *book, readOnly bool) (*store.DB, context.Context, error) {
	s, err := m.openKeyed(ctx, b.db(), readOnly)
	if err != nil {
		return nil, ctx, err
	}
	actor, err := m.actor(ctx, s, *b.as)
	if err != nil {
		s.Close()
		return nil, ctx, err
	}
	return s, auth.NewContext(ctx, actor), nil
}

// openKeyed opens the book at path with its personal-data key, for a
// process that acts as no one itself (a server, a worker).
func (m *Main) openKeyed(ctx context.Context, path string, readOnly bool) (*store.DB, error) {
	var s *store.DB
	var err error
	if readOnly {
		s, err = store.OpenReadOnly(ctx, path)
	} else {
		s, err = store.Open(ctx, path)
	}
	if err != nil {
		return nil, err
	}
	keys, err := m.loadKeys(ctx, s, path, !readOnly)
	if err == nil {
		err = s.UseKeys(ctx, keys)
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// keyFile returns the key file of the book at path: $DAIHOU_KEY_FILE, else
// beside a SQLite file; "" for PostgreSQL without one.
func (m *Main) keyFile(path string) string {
	if f := m.Getenv(KeyFileEnv); f != "" {
		return f
	}
	if store.IsPostgres(path) {
		return ""
	}
	return pii.KeyFileFor(strings.TrimPrefix(path, "sqlite:"))
}

// loadKeys returns the key ring from $DAIHOU_KEY or the key file, creating
// the key file when create is set and the book has no sealed data yet (a
// new book); nil when there is no key and none may be created.
func (m *Main) loadKeys(ctx context.Context, s *store.DB, path string, create bool) (*pii.KeyRing, error) {
	env, file := m.Getenv(pii.KeyEnv), m.keyFile(path)
	if env == "" && file == "" {
		return nil, nil
	}
	keys, err := pii.LoadKeys(env, file)
	if err == nil || !errors.Is(err, pii.ErrNoKey) {
		return keys, err
	}
	sealed, serr := s.Sealed(ctx)
	if serr != nil {
		return nil, serr
	}
	if !create || sealed {
		return nil, nil // UseKeys says what is missing, if anything is
	}
	if _, err := os.Stat(file); !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return pii.CreateKeyFile(file)
}

// actor returns who acts: the user named by --as or $DAIHOU_USER, checked
// against the book's users; the local operator when the book has no users
// yet (and nobody was named).
func (m *Main) actor(ctx context.Context, s *store.DB, as string) (auth.Actor, error) {
	name := strings.TrimSpace(as)
	if name == "" {
		name = strings.TrimSpace(m.Getenv("DAIHOU_USER"))
	}
	if name == "" {
		has, err := s.HasUsers(ctx)
		if err != nil {
			return auth.Actor{}, err
		}
		if has {
			return auth.Actor{}, store.ErrBookHasUsers
		}
		return auth.Local(), nil
	}
	a, _, err := s.UserActor(ctx, name)
	return a, err
}

// can checks the actor in ctx against an action on the book or the
// system, for what a command does before it reaches the store.
func can(ctx context.Context, action auth.Action, r auth.Resource) error {
	return auth.Can(auth.FromContext(ctx), action, r).Err()
}

// system returns ctx acting as a system actor (an import, close of
// business) and the name of the person who started it, for its audit
// entry.
func system(ctx context.Context, a auth.Actor) (context.Context, string) {
	by := auth.FromContext(ctx)
	return auth.NewContext(ctx, a), by.String()
}
