// Package egress is how the conversation service calls tenants' servers
// (order status look-ups, their own bot): a 5-second timeout, redirects only
// to the same host, requests signed like Standard Webhooks, and — unless the
// operator allows it (PARLEY_BOT_ALLOW_PRIVATE_NETWORKS, for self-hosting
// and tests) — no connection to private, loopback, link-local or other
// non-public addresses (pkg/publicip). The check runs on the resolved address that is
// actually dialled, so a DNS answer cannot swap a public name for an
// internal address between check and use.
package egress

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"syscall"
	"time"

	"github.com/parley-chat/parley/pkg/publicip"
)

// Timeout bounds a whole call, redirects included.
const Timeout = 5 * time.Second

// MaxResponse bounds what a tenant's server may answer.
const MaxResponse = 64 << 10

// ErrForbiddenAddress is returned for a destination that is not public.
var ErrForbiddenAddress = errors.New("destination address is not allowed")

// Client makes signed calls to tenants' servers.
type Client struct {
	http         *http.Client
	allowPrivate bool
}

// New returns a client; allowPrivate lifts the public-address rule.
func New(allowPrivate bool) *Client {
	dialer := &net.Dialer{Timeout: Timeout, Control: func(_, address string, _ syscall.RawConn) error {
		if allowPrivate {
			return nil
		}
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return err
		}
		ip, err := netip.ParseAddr(host)
		if err != nil || !publicip.Public(ip) {
			return fmt.Errorf("%w: %s", ErrForbiddenAddress, host)
		}
		return nil
	}}
	transport := &http.Transport{DialContext: dialer.DialContext, TLSHandshakeTimeout: Timeout, ResponseHeaderTimeout: Timeout,
		MaxIdleConnsPerHost: 4, IdleConnTimeout: time.Minute, Proxy: nil}
	return &Client{allowPrivate: allowPrivate, http: &http.Client{
		Timeout: Timeout, Transport: transport,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 3 {
				return errors.New("too many redirects")
			}
			if req.URL.Host != via[0].URL.Host || req.URL.Scheme != via[0].URL.Scheme {
				return fmt.Errorf("redirect to another host (%s) refused", req.URL.Host)
			}
			return nil
		},
	}}
}

// Response is a tenant server's answer.
type Response struct {
	Status int
	Body   []byte
}

// Post sends body as JSON to target, signed with secret (Standard Webhooks:
// webhook-id, webhook-timestamp and webhook-signature "v1,<base64
// HMAC-SHA256(secret, id.timestamp.body)>"). The id names the event: a retry
// of the same event carries the same id, so the receiver can drop repeats.
// Errors name the host only: a tenant's URL may carry a token in its query.
func (c *Client) Post(ctx context.Context, target, id, secret string, body []byte) (Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return Response{}, err
	}
	if req.URL.Scheme != "https" && !(req.URL.Scheme == "http" && c.allowPrivate) {
		return Response{}, fmt.Errorf("%w: only https:// is allowed", ErrForbiddenAddress)
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Parley-Bot/1")
	req.Header.Set("webhook-id", id)
	req.Header.Set("webhook-timestamp", ts)
	req.Header.Set("webhook-signature", "v1,"+Sign(secret, id, ts, body))
	res, err := c.http.Do(req)
	if ue := (*url.Error)(nil); errors.As(err, &ue) {
		return Response{}, fmt.Errorf("%s %s: %w", ue.Op, req.URL.Host, ue.Err)
	}
	if err != nil {
		return Response{}, err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, MaxResponse+1))
	if err != nil {
		return Response{}, err
	}
	if len(data) > MaxResponse {
		return Response{}, errors.New("response too large")
	}
	return Response{Status: res.StatusCode, Body: data}, nil
}

// Sign is the Standard Webhooks signature of a message.
func Sign(secret, id, timestamp string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(id + "." + timestamp + "."))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}
