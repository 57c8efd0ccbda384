package app

import (
	"context"
	"crypto/subtle"
	"strings"
	"time"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/services/conversation/internal/domain"
	"github.com/parley-chat/parley/services/conversation/internal/store"
)

// Bookings lists the tenant's bookings from a time on (the team).
func (a *App) Bookings(ctx context.Context, r contracts.BookingListRequest) (contracts.Bookings, error) {
	out := contracts.Bookings{Bookings: []contracts.Booking{}}
	if err := requireMember(r.Actor); err != nil {
		return out, err
	}
	err := a.store.Tenant(ctx, r.Actor.TenantID, func(tx *store.Tx) error {
		bs, err := tx.Bookings(r.From.UTC(), 500)
		for _, b := range bs {
			out.Bookings = append(out.Bookings, b.Contract())
		}
		return err
	})
	return out, err
}

// CancelBooking cancels a booking and tells the visitor in their conversation.
func (a *App) CancelBooking(ctx context.Context, r contracts.BookingCancelRequest) (contracts.Booking, error) {
	var out contracts.Booking
	if err := requireMember(r.Actor); err != nil {
		return out, err
	}
	if !ids.Valid(r.BookingID) {
		return out, apperr.NotFoundf("booking not found")
	}
	err := a.store.Tenant(ctx, r.Actor.TenantID, func(tx *store.Tx) error {
		now := a.now()
		b, err := tx.CancelBooking(r.BookingID, now)
		if err != nil {
			return err
		}
		out = b.Contract()
		c, err := tx.LockConversation(b.ConversationID)
		if apperr.Is(err, apperr.NotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		v, _, err := tx.Visitor(c.VisitorID)
		if err != nil {
			return err
		}
		line := systemLine("Your booking for " + b.ServiceName + " on " + b.StartAt.In(zoneOf(v)).Format("Mon 2 Jan, 15:04 MST") + " was canceled.")
		m, err := a.write(tx, &c, v, line, now)
		if err != nil {
			return err
		}
		_, err = a.publish(tx, c, v, m)
		return err
	})
	return out, err
}

func zoneOf(v store.Visitor) *time.Location {
	return visitorZone(Bot{}, v)
}

// BookingICS serves a booking's calendar file to the holder of its link
// token ("<tenant>.<secret>"); anything else is NotFound.
func (a *App) BookingICS(ctx context.Context, r contracts.BookingICSRequest) (contracts.ICS, error) {
	var out contracts.ICS
	notFound := apperr.NotFoundf("booking not found")
	tenantID, secret, ok := strings.Cut(r.Token, ".")
	if !ok || !ids.Valid(tenantID) || !ids.Valid(r.BookingID) || secret == "" {
		return out, notFound
	}
	// The token is checked before anything else is fetched for this tenant.
	var booking contracts.Booking
	err := a.store.Tenant(ctx, tenantID, func(tx *store.Tx) error {
		b, err := tx.Booking(r.BookingID)
		switch {
		case apperr.Is(err, apperr.NotFound):
			return notFound
		case err != nil:
			return err
		case subtle.ConstantTimeCompare([]byte(b.ICSTokenHash), []byte(ids.Hash(secret))) != 1:
			return notFound
		}
		booking = b.Contract()
		return nil
	})
	if err != nil {
		return out, err
	}
	bot, err := a.bots.Get(ctx, tenantID)
	if err != nil {
		return out, err
	}
	out = contracts.ICS{Filename: "booking-" + booking.StartAt.Format("2006-01-02") + ".ics", Body: domain.ICS(booking, bot.Name, a.now())}
	return out, err
}
