package config_test

import (
	"strings"
	"testing"

	"github.com/parley-chat/parley/pkg/config"
)

func TestVisitorLimits(t *testing.T) {
	c, err := config.Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	want := config.Limits{VisitorStartsPerHour: 10, IPStartsPerHour: 200, VisitorMessagesPerMinute: 60, IPMessagesPerMinute: 600, SocketsPerVisitor: 20, SocketsPerIP: 200}
	if c.Limits != want {
		t.Fatalf("defaults %+v, want %+v", c.Limits, want)
	}
	if c, err = config.Load(env(map[string]string{"PARLEY_SOCKETS_PER_IP": "0", "PARLEY_VISITOR_MESSAGES_PER_MINUTE": "5"})); err != nil ||
		c.Limits.SocketsPerIP != 0 || c.Limits.VisitorMessagesPerMinute != 5 {
		t.Fatalf("%+v, %v", c.Limits, err)
	}
	if _, err := config.Load(env(map[string]string{"PARLEY_IP_STARTS_PER_HOUR": "-1"})); err == nil || !strings.Contains(err.Error(), "PARLEY_IP_STARTS_PER_HOUR") {
		t.Fatalf("a negative limit: %v", err)
	}
}
