package domain

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/validate"
)

// CheckRich validates a rich message's payload and returns it normalised,
// with the text shown where rich messages cannot be (previews, transcripts).
func CheckRich(kind contracts.MessageKind, raw json.RawMessage) (json.RawMessage, string, error) {
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	switch kind {
	case contracts.KindQuickReplies:
		var q contracts.QuickReplies
		if err := dec.Decode(&q); err != nil {
			return nil, "", apperr.InvalidField("payload", "a quick_replies payload is {text, options:[{label, value}]}")
		}
		if err := checkQuick(&q); err != nil {
			return nil, "", err
		}
		out, _ := json.Marshal(q)
		return out, q.Text, nil
	case contracts.KindCard:
		var c contracts.Card
		if err := dec.Decode(&c); err != nil {
			return nil, "", apperr.InvalidField("payload", "a card payload is {title, text, image_url?, buttons:[{label, value?, url?}]}")
		}
		if err := checkCard(&c); err != nil {
			return nil, "", err
		}
		out, _ := json.Marshal(c)
		return out, c.Title, nil
	}
	return nil, "", apperr.InvalidField("kind", "kind must be text, quick_replies or card")
}

func checkQuick(q *contracts.QuickReplies) error {
	var err error
	if q.Text, err = validate.Text("payload.text", q.Text, 2000, true); err != nil {
		return err
	}
	if len(q.Options) == 0 || len(q.Options) > 10 {
		return apperr.InvalidField("payload.options", "quick replies have 1 to 10 options")
	}
	for i := range q.Options {
		if q.Options[i].Label, err = validate.Text(fmt.Sprintf("payload.options[%d].label", i), q.Options[i].Label, 40, false); err != nil {
			return err
		}
		if q.Options[i].Value, err = validate.Text(fmt.Sprintf("payload.options[%d].value", i), q.Options[i].Value, 200, false); err != nil {
			return err
		}
	}
	return nil
}

func checkCard(c *contracts.Card) error {
	var err error
	if c.Title, err = validate.Text("payload.title", c.Title, 100, false); err != nil {
		return err
	}
	if strings.TrimSpace(c.Text) != "" {
		if c.Text, err = validate.Text("payload.text", c.Text, 1000, true); err != nil {
			return err
		}
	}
	if c.ImageURL != "" && !httpsURL(c.ImageURL) {
		return apperr.InvalidField("payload.image_url", "image_url must be an https:// URL")
	}
	if len(c.Buttons) > 5 {
		return apperr.InvalidField("payload.buttons", "a card has at most 5 buttons")
	}
	for i := range c.Buttons {
		b := &c.Buttons[i]
		field := fmt.Sprintf("payload.buttons[%d]", i)
		if b.Label, err = validate.Text(field+".label", b.Label, 40, false); err != nil {
			return err
		}
		switch {
		case b.URL != "" && b.Value != "":
			return apperr.InvalidField(field, "a button has a value or a url, not both")
		case b.URL != "" && !httpsURL(b.URL) && !strings.HasPrefix(b.URL, "http://"):
			return apperr.InvalidField(field+".url", "a button's url must be http(s)")
		case b.URL == "" && b.Value == "":
			return apperr.InvalidField(field, "a button needs a value or a url")
		}
		if len(b.Value) > 200 || len(b.URL) > 2000 {
			return apperr.InvalidField(field, "a button's value or url is too long")
		}
	}
	if c.Buttons == nil {
		c.Buttons = []contracts.CardButton{}
	}
	return nil
}

func httpsURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "https" && u.Host != ""
}
