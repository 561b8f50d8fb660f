package cli

import "context"

func (m *Main) runModel(ctx context.Context, args []string) error {
	return usagef("model: not built yet")
}
