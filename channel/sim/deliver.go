package sim

import (
	"bytes"
	"container/heap"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"daihou/money"
	"daihou/webhook"
)

// deliver makes one attempt at a delivery, then records it done, queues
// it again after a back-off, or gives it up.
func (s *Sim) deliver(j *job) {
	var a attempt
	if j.result != nil {
		a = s.postResult(j)
	} else {
		a = s.postPayment(j.pay)
	}
	j.attempt++
	var gaveUp string
	s.mu.Lock()
	switch {
	case a.err == nil:
		if j.result != nil {
			s.st.ResultsSent++
		} else {
			s.st.PaymentsPosted++
			s.st.Paid += j.pay.plan.Amount
			if a.status == http.StatusOK {
				s.st.PaymentsReplayed++
			}
		}
		s.finish(j)
	case a.retry && j.attempt < s.cfg.Attempts && s.ctx.Err() == nil:
		s.st.Retries++
		wait := a.wait
		if wait == 0 {
			ceil := min(100*time.Millisecond<<(j.attempt-1), 5*time.Second)
			wait = time.Duration(rand.Int64N(int64(ceil) + 1))
		}
		j.due = time.Now().Add(wait)
		s.seq++
		j.seq = s.seq
		heap.Push(&s.timers, j)
		select {
		case s.wake <- struct{}{}:
		default:
		}
	default:
		if j.result != nil {
			s.st.ResultsFailed++
			gaveUp = fmt.Sprintf("result of %s message %s", j.channel, j.result.Key)
		} else {
			s.st.PaymentsRefused++
			gaveUp = fmt.Sprintf("payment %s of %s on loan %d", j.pay.key, money.Amount(j.pay.plan.Amount), j.pay.loanID)
		}
		s.finish(j)
	}
	s.mu.Unlock()
	if gaveUp != "" && s.cfg.Logf != nil && s.ctx.Err() == nil {
		s.cfg.Logf("channel sim: gave up the %s after %d attempts: %v", gaveUp, j.attempt, a.err)
	}
}

// attempt is how one POST went: err nil when the receiver took it; retry
// when another attempt may succeed, after wait if the receiver said.
type attempt struct {
	status int
	err    error
	retry  bool
	wait   time.Duration
}

// postResult reports a result to daihou, signed under the channel's
// secret as the webhook contract says; each attempt is signed afresh.
func (s *Sim) postResult(j *job) attempt {
	body, err := json.Marshal(j.result)
	if err != nil {
		return attempt{err: err}
	}
	ts := s.cfg.Now().Unix()
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set(webhook.IdempotencyHeader, j.result.Key)
	h.Set(webhook.TimestampHeader, strconv.FormatInt(ts, 10))
	h.Set(webhook.SignatureHeader, webhook.Sign(s.cfg.Secrets[j.channel], ts, body))
	return s.post(s.CallbackURL(j.channel), h, body)
}

// PaymentBody is the body of a repayment to daihou's payment API.
type PaymentBody struct {
	Amount    string `json:"amount"`
	ValueDate string `json:"value_date"`
	Channel   string `json:"channel"`
}

// postPayment posts a borrower's repayment through daihou's payment API.
func (s *Sim) postPayment(p *payment) attempt {
	body, err := json.Marshal(PaymentBody{Amount: money.Amount(p.plan.Amount).String(), ValueDate: p.plan.ValueDate.String(), Channel: p.plan.Channel})
	if err != nil {
		return attempt{err: err}
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("Authorization", "Bearer "+s.cfg.Token)
	h.Set(webhook.IdempotencyHeader, p.key)
	return s.post(s.cfg.API+"/api/v1/loans/"+strconv.FormatInt(p.loanID, 10)+"/payments", h, body)
}

// post makes one POST and classifies its answer as the outbox contract
// does: 2xx taken; 408, 429, 5xx and no answer worth another attempt;
// any other status refused for good.
func (s *Sim) post(url string, h http.Header, body []byte) attempt {
	req, err := http.NewRequestWithContext(s.ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return attempt{err: err}
	}
	req.Header = h
	resp, err := s.client.Do(req)
	if err != nil {
		return attempt{err: fmt.Errorf("POST %s: %w", url, err), retry: true}
	}
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // let the connection be reused
	resp.Body.Close()
	a := attempt{status: resp.StatusCode}
	switch st := resp.StatusCode; {
	case st >= 200 && st < 300:
		return a
	case st == http.StatusTooManyRequests || st == http.StatusRequestTimeout || st >= 500:
		a.retry = true
		if v, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && v >= 0 {
			a.wait = min(time.Duration(v)*time.Second, 30*time.Second)
		}
	}
	a.err = fmt.Errorf("POST %s: status %d %s", url, resp.StatusCode, strings.TrimSpace(string(msg)))
	return a
}
