// Package e2e holds daihou's end-to-end tests: the whole loop on a
// generated book, with the HTTP server, the outbox, the channel simulator
// and close of business running together as they do in production.
package e2e
