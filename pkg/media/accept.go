package media

import (
	"slices"
	"strings"

	"github.com/parley-chat/parley/pkg/contracts"
)

// accepts are what a file chooser offers for each kind: extensions (for
// choosers that go by name) and MIME types.
var accepts = map[string]string{
	contracts.FileKindImage:    ".png,.jpg,.jpeg,.gif,.webp,image/png,image/jpeg,image/gif,image/webp",
	contracts.FileKindDocument: ".pdf,.txt,.csv,.md,.rtf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.odt,.ods,.odp,.epub,application/pdf,text/plain,text/csv",
	contracts.FileKindArchive:  ".zip,.gz,.tgz,.7z,.rar,.tar,.bz2,.xz,.zst",
	contracts.FileKindMedia:    "audio/*,video/*",
}

// Accept is the <input type=file accept> value for kinds, in the order of
// contracts.FileKinds. It is empty when kind other is allowed, since then
// any file may be sent. It only helps the chooser: the server sniffs.
func Accept(kinds []string) string {
	if slices.Contains(kinds, contracts.FileKindOther) {
		return ""
	}
	var parts []string
	for _, k := range contracts.FileKinds {
		if a, ok := accepts[k]; ok && slices.Contains(kinds, k) {
			parts = append(parts, a)
		}
	}
	return strings.Join(parts, ",")
}
