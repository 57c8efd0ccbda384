package media_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/media"
)

func TestRefusal(t *testing.T) {
	for err, want := range map[error]apperr.Code{
		media.ErrEmpty: apperr.Invalid,
		fmt.Errorf("%w: 9 × 9", media.ErrTooManyPixels): apperr.TooLarge,
		fmt.Errorf("%w: bad", media.ErrNotImage):        apperr.UnsupportedMedia,
	} {
		if e := apperr.As(media.Refusal(err)); e.Code != want || e.Field != "file" {
			t.Errorf("Refusal(%v) = %v, want %s on file", err, e, want)
		}
	}
	other := errors.New("disk full")
	if media.Refusal(other) != other || media.Refusal(nil) != nil {
		t.Error("other errors are not passed through")
	}
}
