package validate_test

import (
	"strings"
	"testing"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/validate"
)

func TestText(t *testing.T) {
	if s, err := validate.Text("name", "  Ann  ", 10, false); err != nil || s != "Ann" {
		t.Fatalf("trim: %q %v", s, err)
	}
	if s, err := validate.Text("body", "line 1\nline 2", 100, true); err != nil || s != "line 1\nline 2" {
		t.Fatalf("multiline: %q %v", s, err)
	}
	for _, c := range []struct {
		in        string
		multiline bool
	}{{"", false}, {"   ", false}, {strings.Repeat("é", 11), false}, {"a\nb", false}, {"a\x00b", true}, {"\xff", false}} {
		_, err := validate.Text("name", c.in, 10, c.multiline)
		if e := apperr.As(err); e == nil || e.Field != "name" || e.Code != apperr.Invalid {
			t.Errorf("%q accepted or wrong error: %v", c.in, err)
		}
	}
}

func TestEmails(t *testing.T) {
	good := map[string]string{" Ann@Example.COM ": "ann@example.com", "a.b+c@mail.example.org": "a.b+c@mail.example.org"}
	for in, want := range good {
		if got, err := validate.Email("email", in); err != nil || got != want {
			t.Errorf("%q → %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "ann", "ann@", "@example.com", "Ann <ann@example.com>", "ann@localhost", strings.Repeat("a", 250) + "@example.com"} {
		_, err := validate.Email("email", in)
		if e := apperr.As(err); e == nil || e.Code != apperr.Invalid || e.Field != "email" {
			t.Errorf("%q accepted or wrong error: %v", in, err)
		}
	}
}
