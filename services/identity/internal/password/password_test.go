package password_test

import (
	"strings"
	"testing"

	"github.com/parley-chat/parley/services/identity/internal/password"
)

func TestHashAndVerify(t *testing.T) {
	h := password.Hash("correct horse battery")
	if !strings.HasPrefix(h, "$argon2id$") || strings.Contains(h, "correct") {
		t.Fatalf("hash = %q", h)
	}
	if !password.Verify(h, "correct horse battery") {
		t.Fatal("right password refused")
	}
	if password.Verify(h, "correct horse batterY") || password.Verify("garbage", "x") {
		t.Fatal("wrong password or garbage hash accepted")
	}
	if password.Hash("same") == password.Hash("same") {
		t.Fatal("hashes are not salted")
	}
}
