package store

import (
	"time"

	"gorm.io/gorm"
)

// SigningKey is a stored Ed25519 key (the private key, base64 seed).
type SigningKey struct {
	Kid        string
	PrivateKey string
	CreatedAt  time.Time
	RetiredAt  *time.Time
}

// ActiveKeys lists keys that are not retired, newest first.
func (tx *Tx) ActiveKeys() ([]SigningKey, error) {
	var ks []SigningKey
	err := tx.DB.Table("signing_keys").Where("retired_at IS NULL").Order("created_at DESC").Find(&ks).Error
	return ks, err
}

// AddKey stores a new signing key.
func (tx *Tx) AddKey(k SigningKey) error {
	return tx.DB.Table("signing_keys").Create(&k).Error
}

// LoginFailures returns how many failures key has in the window that started
// at windowStart (0 when the window is over).
func (tx *Tx) LoginFailures(key string, window time.Duration) (failures int, windowStart time.Time, err error) {
	var row struct {
		Failures    int
		WindowStart time.Time
	}
	err = tx.DB.Table("login_failures").Where("key = ?", key).Take(&row).Error
	if err == gorm.ErrRecordNotFound || (err == nil && now().Sub(row.WindowStart) >= window) {
		return 0, time.Time{}, nil
	}
	return row.Failures, row.WindowStart, err
}

// RecordLoginFailure counts one failure for key, starting a new window if the
// last one is over.
func (tx *Tx) RecordLoginFailure(key string, window time.Duration) error {
	t := now()
	if err := tx.DB.Exec(`INSERT INTO login_failures (key, failures, window_start) VALUES (?, 0, ?) ON CONFLICT DO NOTHING`, key, t).Error; err != nil {
		return err
	}
	var row struct {
		Failures    int
		WindowStart time.Time
	}
	if err := tx.Locked().Table("login_failures").Where("key = ?", key).Take(&row).Error; err != nil {
		return err
	}
	if t.Sub(row.WindowStart) >= window {
		row.Failures, row.WindowStart = 0, t
	}
	return tx.DB.Exec(`UPDATE login_failures SET failures = ?, window_start = ? WHERE key = ?`, row.Failures+1, row.WindowStart, key).Error
}

// ClearLoginFailures forgets the failures of key (after a successful login).
func (tx *Tx) ClearLoginFailures(key string) error {
	return tx.DB.Exec(`DELETE FROM login_failures WHERE key = ?`, key).Error
}

// TrustedDevice reports whether tokenHash names a device that signed in as
// email before and has not expired.
func (tx *Tx) TrustedDevice(tokenHash, email string) (bool, error) {
	var n int64
	err := tx.DB.Table("login_devices").Where("token_hash = ? AND email = ? AND expires_at > ?", tokenHash, email, now()).Count(&n).Error
	return n > 0, err
}

// RememberDevice replaces the device token oldHash (if any) by newHash for
// email, until expires, and drops the email's expired devices.
func (tx *Tx) RememberDevice(oldHash, newHash, email string, expires time.Time) error {
	if err := tx.DB.Exec(`DELETE FROM login_devices WHERE token_hash = ? OR (email = ? AND expires_at <= ?)`, oldHash, email, now()).Error; err != nil {
		return err
	}
	return tx.DB.Exec(`INSERT INTO login_devices (token_hash, email, expires_at) VALUES (?, ?, ?)`, newHash, email, expires).Error
}
