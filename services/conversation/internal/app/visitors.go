package app

import (
	"context"
	"maps"
	"net/url"
	"strings"
	"time"

	"encoding/json"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/pkg/validate"
	"github.com/parley-chat/parley/services/conversation/internal/store"
)

// Limits on what a visitor (or the host page) may tell us.
const (
	maxAttributes     = 50
	maxAttributeKey   = 64
	maxAttributeValue = 500
)

// UpdateVisitor records a visitor's name or email (a pre-chat or offline
// form) and what the host page says of them (attributes, current page). A
// verified visitor's name and email come from the host site and are kept.
func (a *App) UpdateVisitor(ctx context.Context, r contracts.VisitorUpdateRequest) (contracts.Visitor, error) {
	var out contracts.Visitor
	if r.Actor.Type != contracts.AuthorVisitor {
		return out, apperr.New(apperr.Forbidden, "only visitors update themselves")
	}
	err := a.store.Tenant(ctx, r.Actor.TenantID, func(tx *store.Tx) error {
		v, exists, err := tx.Visitor(r.Actor.ID)
		if err != nil {
			return err
		}
		now := a.now()
		if !exists {
			v.CreatedAt = now
		}
		if err := applyVisitorUpdate(&v, r); err != nil {
			return err
		}
		v.LastSeenAt = now
		if err := tx.SaveVisitor(&v, exists); err != nil {
			return err
		}
		out = v.Contract()
		// Agents looking at the visitor's latest conversation see the change.
		latest, err := tx.VisitorConversations(v.ID, 1)
		if err != nil || len(latest) == 0 {
			return err
		}
		c, err := view(tx, latest[0])
		if err != nil {
			return err
		}
		return tx.Emit(contracts.ConversationUpdatedEvent, contracts.ConversationUpdated{Conversation: c})
	})
	return out, err
}

func applyVisitorUpdate(v *store.Visitor, r contracts.VisitorUpdateRequest) error {
	if r.Name != nil && !v.Verified {
		name := strings.TrimSpace(*r.Name)
		if name != "" {
			var err error
			if name, err = validate.Text("name", name, 100, false); err != nil {
				return err
			}
		}
		v.Name = name
	}
	if r.Email != nil && !v.Verified {
		email := ""
		if strings.TrimSpace(*r.Email) != "" { // empty clears it
			var err error
			if email, err = validate.Email("email", *r.Email); err != nil {
				return err
			}
		}
		v.Email = email
	}
	if r.Attributes != nil {
		attrs := map[string]string{}
		_ = json.Unmarshal([]byte(v.Attributes), &attrs)
		maps.Copy(attrs, *r.Attributes)
		if len(attrs) > maxAttributes {
			return apperr.InvalidField("attributes", "at most %d attributes", maxAttributes)
		}
		for k, val := range attrs {
			if k == "" || len(k) > maxAttributeKey || len([]rune(val)) > maxAttributeValue {
				return apperr.InvalidField("attributes", "attribute names are 1–%d characters and values at most %d", maxAttributeKey, maxAttributeValue)
			}
		}
		b, _ := json.Marshal(attrs)
		v.Attributes = string(b)
	}
	if r.CurrentURL != nil {
		u, err := url.Parse(*r.CurrentURL)
		if *r.CurrentURL != "" && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || len(*r.CurrentURL) > 2048) {
			return apperr.InvalidField("current_url", "current_url must be an http(s) URL of at most 2048 characters")
		}
		v.CurrentURL = *r.CurrentURL
	}
	if r.UserAgent != nil {
		v.UserAgent = truncate(*r.UserAgent, 512)
	}
	if r.Locale != nil {
		if len(*r.Locale) > 35 {
			return apperr.InvalidField("locale", "locale must be a language tag such as en-GB")
		}
		v.Locale = *r.Locale
	}
	if r.Timezone != nil {
		if _, err := time.LoadLocation(*r.Timezone); *r.Timezone != "" && (err != nil || *r.Timezone == "Local") {
			return apperr.InvalidField("timezone", "timezone must be an IANA name such as Europe/Paris")
		}
		v.Timezone = *r.Timezone
	}
	return nil
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// GetVisitor returns what is known of a visitor (NotFound before they interact).
func (a *App) GetVisitor(ctx context.Context, r contracts.VisitorRequest) (contracts.Visitor, error) {
	var out contracts.Visitor
	if !ids.Valid(r.VisitorID) || !ids.Valid(r.TenantID) {
		return out, apperr.NotFoundf("visitor not found")
	}
	err := a.store.Tenant(ctx, r.TenantID, func(tx *store.Tx) error {
		v, ok, err := tx.Visitor(r.VisitorID)
		if err == nil && !ok {
			return apperr.NotFoundf("visitor not found")
		}
		out = v.Contract()
		return err
	})
	return out, err
}
