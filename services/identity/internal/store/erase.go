package store

// DeleteTenant removes every row identity holds of the transaction's
// tenant: members and their email claims, sessions and refresh tokens,
// invites, API keys, account tokens, visitor revocations, the login limiter's
// counters and remembered devices of its members, its copy of the entitlements and any event of it
// not yet published. It is idempotent: a second run finds nothing.
func (tx *Tx) DeleteTenant() error {
	var userIDs, emails []string
	if err := tx.DB.Table("users").Where("tenant_id = ?", tx.TenantID).Pluck("id", &userIDs).Error; err != nil {
		return err
	}
	if err := tx.DB.Table("user_emails").Where("tenant_id = ?", tx.TenantID).Pluck("email", &emails).Error; err != nil {
		return err
	}
	// The limiter is keyed by email and by member (see LimitedAttempt).
	var keys []string
	for _, e := range emails {
		keys = append(keys, "email:"+e, "forgot:email:"+e)
	}
	for _, id := range userIDs {
		keys = append(keys, "email_change:user:"+id)
	}
	if len(keys) > 0 {
		if err := tx.DB.Exec(`DELETE FROM login_failures WHERE key IN ?`, keys).Error; err != nil {
			return err
		}
	}
	if len(emails) > 0 {
		if err := tx.DB.Exec(`DELETE FROM login_devices WHERE email IN ?`, emails).Error; err != nil {
			return err
		}
	}
	// Users first: a transaction issuing tokens locks its user (LockedUser),
	// so the tokens are deleted only once such a transaction has committed.
	for _, table := range []string{
		"users", "refresh_tokens", "sessions", "account_tokens", "invites", "api_keys",
		"visitor_revocations", "user_emails", "entitlements", "outbox",
	} {
		if err := tx.DB.Exec(`DELETE FROM `+table+` WHERE tenant_id = ?`, tx.TenantID).Error; err != nil {
			return err
		}
	}
	return nil
}
