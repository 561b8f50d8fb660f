package auth

import "context"

type actorKey struct{}

// NewContext returns ctx carrying actor: the front end that authenticated
// a request (the CLI's --as, an API token, a console session, a system
// job) puts the actor in the context once, and the store reads it in every
// write transaction to record who acted.
func NewContext(ctx context.Context, actor Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, actor)
}

// FromContext returns the actor ctx carries, the zero Actor (no one) when
// it carries none.
func FromContext(ctx context.Context) Actor {
	a, _ := ctx.Value(actorKey{}).(Actor)
	return a
}
