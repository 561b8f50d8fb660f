package cli

import (
	"context"
	"fmt"

	"daihou/store"
)

func (m *Main) runMigrate(ctx context.Context, args []string) error {
	fs := m.newFlagSet("migrate [--db PATH]", `Apply the schema migrations embedded in this binary. Every command also
applies them on start; run this to upgrade a database explicitly.`)
	db := m.dbFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	s, err := store.Open(ctx, db())
	if err != nil {
		return err
	}
	defer s.Close()
	v, err := s.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "%s: schema version %d\n", db(), v)
	return nil
}
