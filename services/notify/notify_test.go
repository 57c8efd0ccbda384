package notify_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/parley-chat/parley/pkg/config"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/pkg/logging"
	"github.com/parley-chat/parley/pkg/natsx"
	"github.com/parley-chat/parley/pkg/testkit"
	"github.com/parley-chat/parley/services/notify"
)

// rig is a running notify service on a real NATS, sending to a real Mailpit.
type rig struct {
	t    *testing.T
	nc   *nats.Conn // the tests' own connection (stubs of other services, calls)
	js   jetstream.JetStream
	mail *testkit.Mailpit
	logs *testkit.Buffer
}

func startNotify(t *testing.T, d testkit.DB, mp *testkit.Mailpit, extra map[string]string) *rig {
	t.Helper()
	ns := testkit.NATS(t)
	m := map[string]string{
		"PARLEY_DATA_DIR": t.TempDir(), "PARLEY_PUBLIC_URL": "http://parley.test", "PARLEY_LOG_LEVEL": "debug",
		"PARLEY_EMAIL_FROM": "Parley <no-reply@parley.test>",
	}
	if mp != nil {
		m["PARLEY_SMTP_URL"] = mp.SMTPURL()
	}
	if d.Name == "postgres" {
		m["PARLEY_DATABASE_URL"], m["PARLEY_DATABASE_SCHEMA_PREFIX"] = d.URL, d.Prefix
	} else {
		m["PARLEY_DATABASE_URL"] = d.URL
	}
	for k, v := range extra {
		m[k] = v
	}
	cfg, err := config.Load(func(k string) string { return m[k] })
	if err != nil {
		t.Fatal(err)
	}
	logs := &testkit.Buffer{}
	nc := testkit.Connect(t, ns)
	ctx, cancel := context.WithCancel(context.Background())
	svc, err := notify.New(ctx, cfg, notify.Deps{NATS: nc, Logger: logging.New(logs, "debug", "notify")})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("notify stopped with: %v", err)
		}
	})
	client := testkit.Connect(t, ns)
	testkit.Eventually(t, 10*time.Second, func() error {
		_, err := natsx.Call(context.Background(), client, contracts.Health(contracts.ServiceNotify), contracts.Empty{})
		return err
	})
	js, err := jetstream.New(client)
	if err != nil {
		t.Fatal(err)
	}
	return &rig{t: t, nc: client, js: js, mail: mp, logs: logs}
}

// publish stores an event as its producer would; msgID overrides the
// Nats-Msg-Id (a re-publish after the stream's duplicate window).
func (r *rig) publish(t contracts.EventType, tenantID string, payload any) contracts.Envelope {
	r.t.Helper()
	env, err := contracts.NewEnvelope(t, tenantID, t.Context, "", payload)
	if err != nil {
		r.t.Fatal(err)
	}
	r.republish(t, env, env.ID)
	return env
}

func (r *rig) republish(t contracts.EventType, env contracts.Envelope, msgID string) uint64 {
	r.t.Helper()
	msg, err := natsx.NewMsg(t.Subject(env.TenantID), env)
	if err != nil {
		r.t.Fatal(err)
	}
	msg.Header.Set(jetstream.MsgIDHeader, msgID)
	ack, err := r.js.PublishMsg(context.Background(), msg)
	if err != nil {
		r.t.Fatal(err)
	}
	return ack.Sequence
}

// consumer reads a notify consumer's state.
// consumer reads a durable consumer's state; an error (it may not exist
// yet while the service starts) is for the caller's poll to retry.
func (r *rig) consumer(stream, durable string) (*jetstream.ConsumerInfo, error) {
	c, err := r.js.Consumer(context.Background(), stream, durable)
	if err != nil {
		return nil, err
	}
	return c.Info(context.Background())
}

func header(t *testing.T, m testkit.MailpitMessage, name, want string) {
	t.Helper()
	if got := m.Header.Get(name); got != want {
		t.Errorf("%s = %q, want %q", name, got, want)
	}
}

func invite(email string) contracts.InviteCreated {
	return contracts.InviteCreated{
		InviteID: ids.New(), Email: email, Role: contracts.RoleAgent, InviterName: "Olga Owner", TenantName: "Acme Shoes",
		URL: "http://parley.test/accept-invite?token=tok-" + ids.Secret(8), Locale: "fr-FR", ExpiresAt: time.Now().Add(72 * time.Hour),
	}
}

func TestInviteAndPasswordResetArriveAsEmail(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		mp := testkit.StartMailpit(t)
		r := startNotify(t, d, mp, nil)
		tenant := ids.New()

		inv := invite("new.agent@example.com")
		sent := time.Now()
		env := r.publish(contracts.IdentityInviteCreated, tenant, inv)
		got := mp.WaitFor(t, "new.agent@example.com", 1, 20*time.Second)
		t.Logf("invite: event to Mailpit in %s (Mailpit received it %s after the event)", time.Since(sent), got[0].Created.Sub(env.OccurredAt))
		m := got[0]
		if m.Subject != "Olga Owner vous invite à rejoindre Acme Shoes" {
			t.Errorf("subject = %q (French, with both names)", m.Subject)
		}
		if m.From.Address != "no-reply@parley.test" || !strings.HasPrefix(m.Header.Get("Message-ID"), "<") ||
			!strings.HasSuffix(m.Header.Get("Message-ID"), "@parley.test>") {
			t.Errorf("from %+v, message-id %q", m.From, m.Header.Get("Message-ID"))
		}
		if !strings.HasPrefix(m.Header.Get("Content-Type"), "multipart/alternative;") {
			t.Errorf("content-type = %q", m.Header.Get("Content-Type"))
		}
		for _, part := range []string{m.Text, m.HTML} {
			if !strings.Contains(part, inv.URL) || !strings.Contains(part, "Acme Shoes") || !strings.Contains(part, "Olga Owner") {
				t.Errorf("a part lacks the link or the names:\n%s", part)
			}
		}
		header(t, m, "List-Unsubscribe", "") // members' email has no unsubscribe link

		reset := contracts.PasswordResetRequested{
			UserID: ids.New(), Email: "Forgetful@Example.com", Name: "Fred", URL: "http://parley.test/reset-password?token=r-" + ids.Secret(8),
			ExpiresAt: time.Now().Add(30 * time.Minute),
		}
		sent = time.Now()
		r.publish(contracts.IdentityPasswordResetRequested, tenant, reset)
		m = mp.WaitFor(t, "forgetful@example.com", 1, 20*time.Second)[0]
		t.Logf("password reset: event to Mailpit in %s", time.Since(sent))
		if m.Subject != "Reset your Parley password" || !strings.Contains(m.Text, "Hello Fred,") || !strings.Contains(m.Text, reset.URL) {
			t.Errorf("reset email: %q\n%s", m.Subject, m.Text)
		}
		if m.To[0].Name != "Fred" {
			t.Errorf("to = %+v", m.To)
		}
	})
}

// A redelivered event (the same envelope again, after the stream's
// duplicate window, as a consumer restart or a relay re-publish makes it)
// finds its delivery recorded and sends nothing.
func TestARedeliveredEventSendsNothingTwice(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		mp := testkit.StartMailpit(t)
		// With credentials, as a real relay wants them (PLAIN over loopback).
		r := startNotify(t, d, mp, map[string]string{"PARLEY_SMTP_URL": "smtp://parley:s3cret@" + mp.SMTPAddr()})
		env := r.publish(contracts.IdentityInviteCreated, ids.New(), invite("once@example.com"))
		first := mp.WaitFor(t, "once@example.com", 1, 20*time.Second)[0]

		seq := r.republish(contracts.IdentityInviteCreated, env, ids.New())
		testkit.Eventually(t, 20*time.Second, func() error {
			if info, err := r.consumer("IDENTITY", "notify-invites"); err != nil {
				return err
			} else if info.AckFloor.Stream < seq {
				return fmt.Errorf("redelivery not handled yet (ack floor %d < %d)", info.AckFloor.Stream, seq)
			}
			return nil
		})
		// A later email proves the consumer moved on; still one invite.
		r.publish(contracts.IdentityInviteCreated, ids.New(), invite("after@example.com"))
		mp.WaitFor(t, "after@example.com", 1, 20*time.Second)
		got, err := mp.To("once@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 {
			t.Fatalf("%d emails for one invite, want 1", len(got))
		}
		if got[0].Header.Get("Message-ID") != first.Header.Get("Message-ID") {
			t.Fatal("the Message-ID changed")
		}
	})
}

// With the SMTP server down for some seconds, email waits (redelivered
// with backoff, never acked) and arrives once it is back: none lost, none doubled.
func TestAnSMTPOutageDelaysMailAndLosesNone(t *testing.T) {
	t.Parallel()
	mp := testkit.StartMailpit(t)
	r := startNotify(t, testkit.SQLiteDB(t), mp, nil)
	tenant := ids.New()
	mp.Stop()
	down := time.Now()
	const n = 5
	for i := range n {
		r.publish(contracts.IdentityPasswordResetRequested, tenant, contracts.PasswordResetRequested{
			UserID: ids.New(), Email: "user" + string(rune('a'+i)) + "@example.com", Name: "User",
			URL: "http://parley.test/reset-password?token=t", ExpiresAt: time.Now().Add(30 * time.Minute),
		})
	}
	// Every email was tried and failed several times (six attempts each
	// take 3.1s of backoff) before the server comes back.
	testkit.Eventually(t, 30*time.Second, func() error {
		if info, err := r.consumer("IDENTITY", "notify-password-resets"); err != nil {
			return err
		} else if info.Delivered.Consumer < n*6 || info.NumAckPending != n {
			return fmt.Errorf("%d attempts, %d pending", info.Delivered.Consumer, info.NumAckPending)
		}
		return nil
	})
	mp.Start()
	up := time.Now()
	for i := range n {
		mp.WaitFor(t, "user"+string(rune('a'+i))+"@example.com", 1, 60*time.Second)
	}
	t.Logf("SMTP down for %s; all %d emails arrived %s after it came back", up.Sub(down).Round(time.Millisecond), n, time.Since(up).Round(time.Millisecond))
	testkit.Eventually(t, 10*time.Second, func() error {
		if info, err := r.consumer("IDENTITY", "notify-password-resets"); err != nil {
			return err
		} else if info.NumAckPending != 0 {
			return fmt.Errorf("%d still pending", info.NumAckPending)
		}
		return nil
	})
	all, err := mp.Messages()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != n {
		t.Fatalf("%d emails, want %d", len(all), n)
	}
	if !strings.Contains(r.logs.String(), "event failed, will retry") {
		t.Error("no retry was logged")
	}
}

// Without PARLEY_SMTP_URL notify runs, says email is off, and sends nothing.
func TestEmailOffSaysSo(t *testing.T) {
	t.Parallel()
	r := startNotify(t, testkit.SQLiteDB(t), nil, nil)
	nc := r.js.Conn()
	st, err := natsx.Call(context.Background(), nc, contracts.NotifyStatusGet, contracts.Empty{})
	if err != nil || st.EmailEnabled {
		t.Fatalf("status = %+v, %v", st, err)
	}
	_, err = natsx.Call(context.Background(), nc, contracts.NotifyTranscriptEmail, contracts.TranscriptEmailRequest{
		Actor: contracts.Actor{TenantID: ids.New(), Type: contracts.AuthorVisitor, ID: ids.New()}, ConversationID: ids.New(), Email: "v@example.com",
	})
	if err == nil || !strings.Contains(err.Error(), "not set up") {
		t.Fatalf("transcript without email: %v", err)
	}
}

// An address the SMTP server refuses for good (5xx) is given up at once:
// the event is acked, not retried for an hour, and the next email flows.
func TestARefusedAddressIsNotRetried(t *testing.T) {
	t.Parallel()
	mp := testkit.StartMailpit(t, "--smtp-allowed-recipients", `@example\.com$`)
	r := startNotify(t, testkit.SQLiteDB(t), mp, nil)
	tenant := ids.New()
	r.publish(contracts.IdentityInviteCreated, tenant, invite("someone@refused.test"))
	r.publish(contracts.IdentityInviteCreated, tenant, invite("next@example.com"))
	mp.WaitFor(t, "next@example.com", 1, 20*time.Second)
	testkit.Eventually(t, 10*time.Second, func() error {
		if info, err := r.consumer("IDENTITY", "notify-invites"); err != nil {
			return err
		} else if info.NumPending+uint64(info.NumAckPending) != 0 || info.NumRedelivered != 0 {
			return fmt.Errorf("%d undelivered, %d unacked, %d redelivered", info.NumPending, info.NumAckPending, info.NumRedelivered)
		}
		return nil
	})
	if !strings.Contains(r.logs.String(), "email refused for good") {
		t.Error("the refusal was not logged")
	}
	if got, _ := mp.To("someone@refused.test"); len(got) != 0 {
		t.Fatalf("%d emails reached a refused address", len(got))
	}
}

// A link that expired while it waited (a long SMTP outage) is not emailed.
func TestAnExpiredLinkIsNotEmailed(t *testing.T) {
	t.Parallel()
	mp := testkit.StartMailpit(t)
	r := startNotify(t, testkit.SQLiteDB(t), mp, nil)
	tenant := ids.New()
	for _, c := range []struct {
		to      string
		expires time.Time
	}{{"late@example.com", time.Now().Add(-time.Minute)}, {"timely@example.com", time.Now().Add(30 * time.Minute)}} {
		r.publish(contracts.IdentityPasswordResetRequested, tenant, contracts.PasswordResetRequested{
			UserID: ids.New(), Email: c.to, URL: "http://parley.test/reset-password?token=t", ExpiresAt: c.expires,
		})
	}
	mp.WaitFor(t, "timely@example.com", 1, 20*time.Second)
	testkit.Eventually(t, 10*time.Second, func() error {
		if info, err := r.consumer("IDENTITY", "notify-password-resets"); err != nil {
			return err
		} else if info.NumPending+uint64(info.NumAckPending) != 0 {
			return fmt.Errorf("%d undelivered, %d unacked", info.NumPending, info.NumAckPending)
		}
		return nil
	})
	if got, _ := mp.To("late@example.com"); len(got) != 0 {
		t.Fatal("an expired reset link was emailed")
	}
}
