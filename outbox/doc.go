// Package outbox is the transactional outbox (事务性发件箱) through which
// daihou reaches borrowers by automated channels: the SMS gateway, the
// AI-voice or dialer platform, email (package channel). It holds no SQL:
// the Store it needs is declared here and implemented in package store.
//
// A message is written to the outbox in the same transaction as the
// change that calls for it (a collection task, say), so that either both
// are committed or neither is. After the commit a Dispatcher takes the
// messages that are due, holding each under a lease so that several
// dispatcher processes never send the same message at once, and hands
// each to the Sender of its channel. A message the receiver has is marked
// sent; one it refused for good goes to the dead letters; any other
// failure is tried again later, after an exponential back-off with full
// jitter, until MaxAttempts.
//
// Delivery is at least once. A process can die after its Sender has
// delivered a message and before the outbox records it (or a receiver can
// apply a message and answer too late), and the message is then sent
// again. It is exactly once in effect because of the receiver contract:
//
//   - every delivery carries the message's idempotency key (the
//     Idempotency-Key header of a webhook), the same on every attempt;
//   - a receiver acts on a key once: a delivery with a key it has seen
//     changes nothing and is answered as a success (2xx), never as an
//     error, or the outbox would retry it until it is dead-lettered;
//   - a receiver answers 2xx only once it has the message durably; 5xx,
//     408 or 429 (with Retry-After) when it should be tried again later;
//     any other 4xx when the message itself is wrong and no retry can
//     succeed.
//
// Before a message is sent a Gate may hold it back (the collections
// compliance guard: quiet hours, contact limits); a held message is put
// off to the time the Gate names without counting an attempt. A Gate may
// also drop a message that is no longer wanted — a reminder whose task
// closed while it waited — so that a borrower who has paid is not told
// they owe.
package outbox
