package service_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/config"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/natsx"
	"github.com/parley-chat/parley/pkg/service"
	"github.com/parley-chat/parley/pkg/testkit"
)

// The gateway's /readyz trusts a service's health endpoint, so that endpoint
// must not answer before the service's own endpoints do: a sign-up sent
// right after /readyz said 200 once met "identity is not available".
func TestHealthAnswersOnlyOnceEveryEndpointIsServed(t *testing.T) {
	t.Parallel()
	ns := testkit.NATS(t)
	client := testkit.Connect(t, ns)
	cfg := config.Config{DatabaseURL: testkit.SQLiteDB(t).URL}
	base, err := service.Start(context.Background(), cfg, service.Spec{Name: "echo"}, testkit.Connect(t, ns), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	echo := contracts.Endpoint[contracts.Empty, contracts.Empty]{Service: "echo", Method: "echo"}
	service.Handle(base, echo, func(context.Context, contracts.Empty) (contracts.Empty, error) {
		return contracts.Empty{}, nil
	})

	ask := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_, err := natsx.Call(ctx, client, contracts.Health("echo"), contracts.Empty{})
		return err
	}
	if err := ask(); !apperr.Is(err, apperr.Unavailable) {
		t.Fatalf("health before Run: %v, want unavailable", err)
	}

	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- base.Run(ctx) }()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	})
	testkit.Eventually(t, 5*time.Second, ask)
	// Healthy means every endpoint is subscribed: the first call succeeds.
	if _, err := natsx.Call(context.Background(), client, echo, contracts.Empty{}); err != nil {
		t.Fatalf("echo right after health answered: %v", err)
	}
}
