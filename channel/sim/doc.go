// Package sim is daihou's simulator of its automated collection channels
// (催收渠道模拟器): an SMS gateway (短信网关), an AI-voice platform (智能语音
// 外呼), email and a predictive dialer (预测式外呼), answering on loopback
// as the real ones would, so that collections run by themselves in demos
// and tests.
//
// Daihou's outbox delivers a channel.Message as POST /{channel}, signed as
// its webhooks are (X-Daihou-Timestamp, X-Daihou-Signature under the
// channel's secret) with an Idempotency-Key: the simulator checks the
// signature (401 otherwise), the message (400 naming the field), acts once
// per key (a repeat answers 200 and does nothing), and answers 202. A
// while later — a bounded delay, as a gateway's receipt or a call's result
// comes — it posts the channel.Result to daihou's callback,
// POST /api/v1/channels/{channel}/results, signed the same way, retried
// with back-off while daihou answers 5xx or is unreachable.
//
// What happens is decided by Decide: deterministic for a seed and message
// key, and driven by the borrower's risk as 'daihou gen' drew it from the
// same seed (synth.BorrowerProfile), so that the borrowers a lender would
// worry about are the ones who do not pick up, promise less and break
// their promises (承诺还款) more. A borrower who keeps a promise — or pays
// after a reminder without promising — repays through daihou's payment
// API, on a value date no later than the latest business date the
// simulator has seen in a message (daihou refuses a value date after its
// business date): payments wait until the book's business date reaches
// them, or until Flush says it has.
package sim
