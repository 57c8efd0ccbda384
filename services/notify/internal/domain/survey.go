package domain

import (
	"fmt"
	"strconv"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
)

// Answer is one answer of a survey scale: its score and the catalogue key
// of its label.
type Answer struct {
	Score int
	Label string
}

// Answers are the answers of a scale, lowest first.
func Answers(scale string) []Answer {
	if scale == contracts.ScaleThumbs {
		return []Answer{{1, "survey_down"}, {5, "survey_up"}}
	}
	out := make([]Answer, 5)
	for i := range out {
		out[i] = Answer{i + 1, "survey_" + strconv.Itoa(i+1)}
	}
	return out
}

// CheckAnswer refuses a score that is not on the scale, or a comment that
// is too long, naming the field.
func CheckAnswer(scale string, score int, comment string) error {
	ok := false
	for _, s := range Answers(scale) {
		ok = ok || s.Score == score
	}
	if !ok {
		if scale == contracts.ScaleThumbs {
			return apperr.InvalidField("score", "score must be 1 (thumbs down) or 5 (thumbs up)")
		}
		return apperr.InvalidField("score", "score must be a whole number from 1 to 5")
	}
	if len([]rune(comment)) > contracts.MaxRatingComment {
		return apperr.InvalidField("comment", "comment must be at most %d characters", contracts.MaxRatingComment)
	}
	return nil
}

// Survey is the "How did we do?" email of one resolution of a conversation.
type Survey struct {
	TenantID       string
	ConversationID string
	Resolution     int
	Brand          Brand
	Visitor        contracts.Visitor
	Scale          string
	// Page is the hosted survey page; each answer links to it with ?score=N.
	Page        string
	Unsubscribe string
}

// Build writes the survey email. Its id is the resolution's, so one
// resolution is asked about once, however often it is built.
func (s Survey) Build() (Email, error) {
	if err := checkAddress("email", s.Visitor.Email); err != nil {
		return Email{}, err
	}
	l := Locale(s.Visitor.Locale)
	e := Email{
		ID: EmailID(KindSurvey, s.TenantID, s.ConversationID, strconv.Itoa(s.Resolution)), Kind: KindSurvey, TenantID: s.TenantID,
		To: NormalizeEmail(s.Visitor.Email), ToName: s.Visitor.Name, FromName: s.Brand.Name,
		Subject: fmt.Sprintf(T(l, "survey_subject"), s.Brand.Name), Thread: "conversation-" + s.ConversationID,
		Unsubscribe: s.Unsubscribe, VisitorID: s.Visitor.ID, ConversationID: s.ConversationID,
	}
	var choices []Link
	for _, sc := range Answers(s.Scale) {
		choices = append(choices, Link{Label: T(l, sc.Label), URL: s.Page + "?score=" + strconv.Itoa(sc.Score)})
	}
	return build(e, Content{
		Locale: l, Brand: s.Brand.Name, Color: s.Brand.Color, Greeting: greeting(l, s.Visitor.Name),
		Paragraphs: []string{fmt.Sprintf(T(l, "survey_body"), s.Brand.Name), T(l, "survey_question")},
		Choices:    choices, Notes: []string{T(l, "survey_note")},
		Unsubscribe: &Link{Label: T(l, "unsubscribe"), URL: s.Unsubscribe},
	})
}
