package media_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/media"
)

func TestSafeName(t *testing.T) {
	long := strings.Repeat("a", 300) + ".pdf"
	longAccents := strings.Repeat("é", 300) + ".txt"
	cases := []struct{ in, want string }{
		{"report.pdf", "report.pdf"},
		{"../../etc/passwd", "passwd"},
		{`C:\Users\ann\photo.png`, "photo.png"},
		{"invoice\u202efdp.exe", "invoicefdp.exe"},
		{"a\u2066b\u2069\u200b\ufeff.txt", "ab.txt"},
		{"a\x00b\nc\td\x7f.txt", "abcd.txt"},
		{"  report.pdf . ", "report.pdf"},
		{"two\u00a0words.txt", "two words.txt"},
		{"a\xffb.txt", "ab.txt"},
		{"👩\u200d💻.png", "👩\u200d💻.png"},
		{".env", ".env"},
		{"", "file"},
		{"/", "file"},
		{"..", "file"},
		{"...", "file"},
		{"dir/", "file"},
		{"\u202e", "file"},
		{long, strings.Repeat("a", contracts.MaxFileNameLength-4) + ".pdf"},
		{longAccents, strings.Repeat("é", contracts.MaxFileNameLength-4) + ".txt"},
		{"x." + strings.Repeat("b", 300), "x." + strings.Repeat("b", contracts.MaxFileNameLength-2)},
	}
	for _, c := range cases {
		got := media.SafeName(c.in)
		if got != c.want {
			t.Errorf("SafeName(%q) = %q, want %q", c.in, got, c.want)
		}
		if n := utf8.RuneCountInString(got); n > contracts.MaxFileNameLength {
			t.Errorf("SafeName(%q) has %d characters", c.in, n)
		}
	}
}

func TestAccept(t *testing.T) {
	def := media.Accept(contracts.DefaultAttachments().Kinds)
	for _, want := range []string{".png", "image/jpeg", ".pdf", ".docx", ".zip", "audio/*", "video/*"} {
		if !strings.Contains(def, want) {
			t.Errorf("default accept %q lacks %s", def, want)
		}
	}
	if strings.HasPrefix(def, ",") || strings.HasSuffix(def, ",") || strings.Contains(def, ",,") {
		t.Errorf("malformed %q", def)
	}
	if got := media.Accept([]string{contracts.FileKindImage}); got != ".png,.jpg,.jpeg,.gif,.webp,image/png,image/jpeg,image/gif,image/webp" {
		t.Errorf("images only: %q", got)
	}
	if got := media.Accept([]string{contracts.FileKindMedia, contracts.FileKindImage}); !strings.HasPrefix(got, ".png") || !strings.HasSuffix(got, "video/*") {
		t.Errorf("kinds come in FileKinds order: %q", got)
	}
	if got := media.Accept(contracts.FileKinds); got != "" {
		t.Errorf("every kind: %q, want empty", got)
	}
	if got := media.Accept([]string{contracts.FileKindImage, contracts.FileKindOther}); got != "" {
		t.Errorf("other allows any file: %q, want empty", got)
	}
}
