package entitlements

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"gorm.io/gorm"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/db"
	"github.com/parley-chat/parley/pkg/natsx"
	"github.com/parley-chat/parley/pkg/service"
)

// Local is a service's copy of its tenants' entitlements.
type Local struct {
	db *db.DB
	nc *nats.Conn
}

// Register returns the local copy of b's service and adds the durable
// consumer ("<service>-entitlements") that keeps it current.
func Register(b *service.Base) *Local {
	l := New(b.DB, b.NC)
	b.Go(func(ctx context.Context) error {
		if err := natsx.EnsureStream(ctx, b.JS, contracts.BillingStream); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		return natsx.Consume(ctx, b.JS, natsx.ConsumerConfig{
			Stream: contracts.BillingStream, Durable: b.Name + "-entitlements",
			Filter: contracts.BillingEntitlementsChanged.AllTenants(),
		}, b.Log, l.Handle)
	})
	return l
}

// New returns a local copy in d that asks billing over nc when it has none.
// Register is what services use; New is for tests and custom wiring.
func New(d *db.DB, nc *nats.Conn) *Local { return &Local{db: d, nc: nc} }

// Handle applies one BillingEntitlementsChanged event.
func (l *Local) Handle(ctx context.Context, _ string, env contracts.Envelope) error {
	var ev contracts.EntitlementsChanged
	if err := env.Decode(&ev); err != nil {
		return apperr.New(apperr.Invalid, "bad entitlements event: %v", err)
	}
	_, err := l.Apply(ctx, env.TenantID, ev.Entitlements)
	return err
}

// Apply stores e for a tenant unless a higher version is already stored. It
// reports whether e is now the stored copy.
func (l *Local) Apply(ctx context.Context, tenantID string, e contracts.Entitlements) (bool, error) {
	body, err := json.Marshal(e)
	if err != nil {
		return false, err
	}
	var applied bool
	err = l.db.Tenant(ctx, tenantID, func(tx *gorm.DB) error {
		res := tx.Exec(`INSERT INTO entitlements (tenant_id, version, body, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (tenant_id) DO UPDATE SET version = excluded.version, body = excluded.body, updated_at = excluded.updated_at
			WHERE entitlements.version <= excluded.version`, tenantID, e.Version, string(body), time.Now().UTC())
		applied = res.RowsAffected > 0
		return res.Error
	})
	return applied, err
}

// Get returns a tenant's entitlements: the local copy, or billing's answer
// (then stored, unless it is version 0: the workspace has no account, being
// signed up or deleted) when there is none yet. Never call it inside a
// transaction.
func (l *Local) Get(ctx context.Context, tenantID string) (contracts.Entitlements, error) {
	var e contracts.Entitlements
	var body string
	err := l.db.Tenant(ctx, tenantID, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT body FROM entitlements WHERE tenant_id = ?`, tenantID).Scan(&body).Error
	})
	if err != nil {
		return e, err
	}
	if body != "" {
		if err := json.Unmarshal([]byte(body), &e); err != nil {
			return e, fmt.Errorf("decode stored entitlements: %w", err)
		}
		return e, nil
	}
	e, err = natsx.Call(ctx, l.nc, contracts.BillingEntitlements, contracts.TenantIDRequest{TenantID: tenantID})
	if err != nil || e.Version == 0 {
		return e, err
	}
	if _, err := l.Apply(ctx, tenantID, e); err != nil {
		return e, err
	}
	return e, nil
}

// Require returns nil if the tenant's plan includes feature, else a 402
// naming the feature and the plan that has it.
func (l *Local) Require(ctx context.Context, tenantID, feature string) error {
	e, err := l.Get(ctx, tenantID)
	if err != nil {
		return err
	}
	return Check(e, feature)
}

// Check is Require on entitlements the caller already holds.
func Check(e contracts.Entitlements, feature string) error {
	if e.Has(feature) {
		return nil
	}
	msg := fmt.Sprintf("your %s plan does not include %s", planName(e), FeatureName(feature))
	if up := e.FeatureUpgrades[feature]; up != "" {
		msg += "; upgrade to " + up + " to use it"
	}
	return apperr.New(apperr.PaymentRequired, "%s", msg)
}

// Period is the billing period that contains now. Billing publishes the
// period its entitlements were computed in; later periods follow it month
// by month (a free plan has no Stripe event at each renewal).
func Period(e contracts.Entitlements, now time.Time) (start, end time.Time) {
	now = now.UTC()
	anchor := e.PeriodStart.UTC()
	if anchor.IsZero() {
		start = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
		return start, start.AddDate(0, 1, 0)
	}
	if end = e.PeriodEnd.UTC(); end.After(anchor) && now.Before(end) {
		return anchor, end // the published period, as Stripe set it
	}
	if now.Before(anchor) {
		return anchor, anchor.AddDate(0, 1, 0)
	}
	months := (now.Year()-anchor.Year())*12 + int(now.Month()-anchor.Month())
	for anchor.AddDate(0, months, 0).After(now) {
		months--
	}
	for !anchor.AddDate(0, months+1, 0).After(now) {
		months++
	}
	return anchor.AddDate(0, months, 0), anchor.AddDate(0, months+1, 0)
}

// FeatureName is a feature as people read it.
func FeatureName(feature string) string {
	switch feature {
	case contracts.FeatureBotFAQ:
		return "the FAQ bot"
	case contracts.FeatureBotOrderStatus:
		return "the order-status bot"
	case contracts.FeatureBotAppointments:
		return "the appointments bot"
	case contracts.FeatureBotAfterHours:
		return "the after-hours bot"
	case contracts.FeatureBotExternal:
		return "external bots"
	case contracts.FeatureAPIKeys:
		return "API keys"
	}
	return strings.ReplaceAll(feature, "_", " ")
}

func planName(e contracts.Entitlements) string {
	if e.PlanName != "" {
		return e.PlanName
	}
	return e.Plan
}

// CheckSeats returns a 402 when a tenant using used seats (members and open
// invites) may not take one more.
func CheckSeats(e contracts.Entitlements, used int) error {
	if e.Seats == 0 || used < e.Seats {
		return nil
	}
	msg := fmt.Sprintf("your %s plan includes %d seats (members and open invites) and all are taken", planName(e), e.Seats)
	if e.SeatsUpgrade != "" {
		msg += "; upgrade to " + e.SeatsUpgrade + " for more"
	}
	return apperr.New(apperr.PaymentRequired, "%s", msg)
}

// CheckConversations returns a 402 when a tenant that started used
// conversations this period may not start one more.
func CheckConversations(e contracts.Entitlements, used int) error {
	if e.ConversationsPerMonth == 0 || used < e.ConversationsPerMonth {
		return nil
	}
	msg := fmt.Sprintf("this month's %d conversations of the %s plan are used up", e.ConversationsPerMonth, planName(e))
	if e.ConversationsUpgrade != "" {
		msg += "; upgrade to " + e.ConversationsUpgrade + " for more"
	}
	return apperr.New(apperr.PaymentRequired, "%s", msg)
}

// MaxFileBytes is the size limit of one attachment: the plan's, or
// contracts.DefaultMaxFileBytes when it sets none.
func MaxFileBytes(e contracts.Entitlements) int64 {
	if e.MaxFileBytes > 0 {
		return e.MaxFileBytes
	}
	return contracts.DefaultMaxFileBytes
}

// CheckFileSize returns a 413 (field "file") when a file of size bytes is
// over the plan's limit on one attachment.
func CheckFileSize(e contracts.Entitlements, size int64) error {
	limit := MaxFileBytes(e)
	if size <= limit {
		return nil
	}
	msg := fmt.Sprintf("files can be at most %s on the %s plan", bytesText(limit, false), planName(e))
	if e.FileSizeUpgrade != "" {
		msg += "; upgrade to " + e.FileSizeUpgrade + " for larger files"
	}
	return &apperr.Error{Code: apperr.TooLarge, Field: "file", Message: msg}
}

// CheckStorage returns a 413 (field "file") saying storage is full when a
// tenant storing used bytes may not store size more. StorageBytes 0 is no limit.
func CheckStorage(e contracts.Entitlements, used, size int64) error {
	if e.StorageBytes <= 0 || used+size <= e.StorageBytes {
		return nil
	}
	msg := fmt.Sprintf("storage is full: the %s plan stores %s of files and %s are used", planName(e), bytesText(e.StorageBytes, true), bytesText(used, true))
	if e.StorageUpgrade != "" {
		msg += "; delete old files or upgrade to " + e.StorageUpgrade + " for more"
	} else {
		msg += "; delete old files to make room"
	}
	return &apperr.Error{Code: apperr.TooLarge, Field: "file", Message: msg}
}

// bytesText is a byte count as people read it, in binary units as the
// plans are configured: "10 MB", "2.5 MB", and with gb "1 GB".
func bytesText(n int64, gb bool) string {
	unit, div := "MB", float64(1<<20)
	if gb && n >= 1<<30 {
		unit, div = "GB", float64(1<<30)
	}
	return strconv.FormatFloat(math.Round(float64(n)/div*10)/10, 'f', -1, 64) + " " + unit
}
