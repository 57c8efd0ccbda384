package store

import (
	"time"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
)

// Booking is a row of bookings.
type Booking struct {
	ID             string
	TenantID       string
	ServiceID      string
	ServiceName    string
	StartAt        time.Time
	EndAt          time.Time
	Status         string
	VisitorID      string
	Name           string
	Email          string
	ConversationID string
	ICSTokenHash   string `gorm:"column:ics_token_hash"`
	CreatedAt      time.Time
	CanceledAt     *time.Time
}

// Contract is the booking as clients see it.
func (b Booking) Contract() contracts.Booking {
	return contracts.Booking{ID: b.ID, ServiceID: b.ServiceID, ServiceName: b.ServiceName, StartAt: b.StartAt, EndAt: b.EndAt,
		Status: b.Status, VisitorID: b.VisitorID, Name: b.Name, Email: b.Email, ConversationID: b.ConversationID, CreatedAt: b.CreatedAt}
}

// Booking statuses.
const (
	BookingBooked   = "booked"
	BookingCanceled = "canceled"
)

// LockCalendar takes the tenant's booking lock until the transaction ends.
func (tx *Tx) LockCalendar() error {
	if err := tx.DB.Exec(`INSERT INTO booking_locks (tenant_id) VALUES (?) ON CONFLICT DO NOTHING`, tx.TenantID).Error; err != nil {
		return err
	}
	var id []string
	return tx.Locked().Table("booking_locks").Where("tenant_id = ?", tx.TenantID).Pluck("tenant_id", &id).Error
}

// BookedBetween lists bookings (not canceled) overlapping [from, to).
func (tx *Tx) BookedBetween(from, to time.Time) ([]Booking, error) {
	var out []Booking
	err := tx.DB.Table("bookings").Where("tenant_id = ? AND status = ? AND start_at < ? AND end_at > ?", tx.TenantID, BookingBooked, to, from).
		Order("start_at").Find(&out).Error
	return out, err
}

// CreateBooking stores a booking.
func (tx *Tx) CreateBooking(b *Booking) error {
	b.TenantID = tx.TenantID
	return tx.DB.Table("bookings").Create(b).Error
}

// Bookings lists bookings starting from a time, soonest first.
func (tx *Tx) Bookings(from time.Time, limit int) ([]Booking, error) {
	var out []Booking
	err := tx.DB.Table("bookings").Where("tenant_id = ? AND end_at >= ?", tx.TenantID, from).Order("start_at, id").Limit(limit).Find(&out).Error
	return out, err
}

// Booking loads a booking.
func (tx *Tx) Booking(id string) (Booking, error) {
	var b Booking
	err := tx.DB.Table("bookings").Where("tenant_id = ? AND id = ?", tx.TenantID, id).Take(&b).Error
	if err != nil {
		return b, notFound(err, "booking")
	}
	return b, nil
}

// CancelBooking marks a booking canceled; a canceled one is a Conflict.
func (tx *Tx) CancelBooking(id string, at time.Time) (Booking, error) {
	b, err := tx.Booking(id)
	if err != nil {
		return b, err
	}
	if b.Status == BookingCanceled {
		return b, apperr.New(apperr.Conflict, "this booking is already canceled")
	}
	b.Status, b.CanceledAt = BookingCanceled, &at
	return b, tx.DB.Table("bookings").Where("tenant_id = ? AND id = ?", tx.TenantID, id).
		Updates(map[string]any{"status": b.Status, "canceled_at": at}).Error
}
