package media

import (
	"errors"
	"fmt"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
)

// Refusal turns this package's errors about an uploaded image into what
// every service answers, with field "file": empty → 400, more pixels than
// allowed (a decompression bomb) → 413, not a readable image → 415. Other
// errors are returned as they are.
func Refusal(err error) error {
	switch {
	case errors.Is(err, ErrEmpty):
		return apperr.InvalidField("file", "the file is empty")
	case errors.Is(err, ErrTooManyPixels):
		return &apperr.Error{Code: apperr.TooLarge, Field: "file",
			Message: fmt.Sprintf("the image has too many pixels (at most %d megapixels)", contracts.MaxImagePixels/1_000_000)}
	case errors.Is(err, ErrNotImage):
		return &apperr.Error{Code: apperr.UnsupportedMedia, Field: "file", Message: "the file is not an image Parley can read (PNG, JPEG, GIF or WebP)"}
	}
	return err
}
