package app

import (
	"context"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/services/tenant/internal/domain"
	"github.com/parley-chat/parley/services/tenant/internal/store"
)

func requireAdmin(p contracts.Principal) error {
	if !p.Role.CanAdminister() {
		return apperr.New(apperr.Forbidden, "only owners and admins can change settings")
	}
	return nil
}

// Settings returns the caller's tenant settings (owners and admins).
func (a *App) Settings(ctx context.Context, r contracts.PrincipalRequest) (contracts.Settings, error) {
	if err := requireAdmin(r.Principal); err != nil {
		return contracts.Settings{}, err
	}
	return a.InternalSettings(ctx, contracts.TenantIDRequest{TenantID: r.Principal.TenantID})
}

// InternalSettings returns a tenant's settings to another service.
func (a *App) InternalSettings(ctx context.Context, r contracts.TenantIDRequest) (contracts.Settings, error) {
	if !ids.Valid(r.TenantID) {
		return contracts.Settings{}, apperr.NotFoundf("tenant not found")
	}
	var s contracts.Settings
	err := a.store.Tenant(ctx, r.TenantID, func(tx *store.Tx) (err error) {
		if _, err := tx.Get(); err != nil {
			return err
		}
		s, _, err = tx.Settings()
		return err
	})
	return s, err
}

// UpdateSettings validates and saves the sections present in the patch.
func (a *App) UpdateSettings(ctx context.Context, r contracts.SettingsPatch) (contracts.Settings, error) {
	if err := requireAdmin(r.Principal); err != nil {
		return contracts.Settings{}, err
	}
	var out contracts.Settings
	err := a.store.Tenant(ctx, r.Principal.TenantID, func(tx *store.Tx) error {
		before, _, err := tx.Settings()
		if err != nil {
			return err
		}
		s, err := applyPatch(before, r)
		if err != nil {
			return err
		}
		if err := tx.SaveSettings(s); err != nil {
			return err
		}
		out = s
		if err := a.settingsChanged(tx, s); err != nil {
			return err
		}
		b, af, err := changed(before, s)
		if err != nil || len(af) == 0 {
			return err
		}
		return audit(tx, r.Principal.AuditActor(), contracts.AuditSettingsUpdated, "settings", r.Principal.TenantID, b, af)
	})
	return out, err
}

func applyPatch(s contracts.Settings, r contracts.SettingsPatch) (contracts.Settings, error) {
	var err error
	if r.Widget != nil {
		w := *r.Widget
		if w.LogoURL, err = domain.KeepLogo(s.Widget.LogoURL, w.LogoURL); err != nil {
			return s, err
		}
		if s.Widget, err = domain.CheckWidget(w); err != nil {
			return s, err
		}
	}
	if r.AllowedDomains != nil {
		if s.AllowedDomains, err = domain.CheckAllowedDomains(*r.AllowedDomains); err != nil {
			return s, err
		}
	}
	if r.BusinessHours != nil {
		if s.BusinessHours, err = domain.CheckBusinessHours(*r.BusinessHours); err != nil {
			return s, err
		}
	}
	if r.OfflineMessage != nil {
		if s.OfflineMessage, err = domain.CheckOfflineMessage(*r.OfflineMessage); err != nil {
			return s, err
		}
	}
	if r.AgentOpenLimit != nil {
		if err = domain.CheckAgentOpenLimit(*r.AgentOpenLimit); err != nil {
			return s, err
		}
		s.AgentOpenLimit = *r.AgentOpenLimit
	}
	if r.RetentionDays != nil {
		if err = domain.CheckRetentionDays(*r.RetentionDays); err != nil {
			return s, err
		}
		s.RetentionDays = *r.RetentionDays
	}
	if r.Survey != nil {
		if err = domain.CheckSurvey(*r.Survey); err != nil {
			return s, err
		}
		s.Survey = *r.Survey
	}
	if r.Attachments != nil {
		if s.Attachments, err = domain.CheckAttachments(*r.Attachments); err != nil {
			return s, err
		}
	}
	return s, nil
}

// settingsChanged keeps the tenant row's copy of the retention and
// publishes the new settings for the services that cache them.
func (a *App) settingsChanged(tx *store.Tx, s contracts.Settings) error {
	return a.emitSettings(tx, s, false)
}

// emitSettings is settingsChanged, saying whether the identity secret was
// rotated.
func (a *App) emitSettings(tx *store.Tx, s contracts.Settings, rotated bool) error {
	t, err := tx.Get()
	if err != nil {
		return err
	}
	if t.RetentionDays != s.RetentionDays {
		t.RetentionDays = s.RetentionDays
		if err := tx.Update(&t); err != nil {
			return err
		}
	}
	return tx.Emit(contracts.TenantSettingsChanged, contracts.SettingsChanged{WidgetKey: t.WidgetKey, Settings: s, SecretRotated: rotated})
}

// ResolveWidget finds the active tenant behind a widget key. Unknown keys,
// pending tenants and disabled widgets are all NotFound.
func (a *App) ResolveWidget(ctx context.Context, r contracts.WidgetKeyRequest) (contracts.WidgetTenant, error) {
	var t store.Tenant
	if err := a.store.Global(ctx, func(tx *store.Tx) (err error) { t, err = tx.TenantByWidgetKey(r.WidgetKey); return err }); err != nil {
		return contracts.WidgetTenant{}, err
	}
	if t.Status != domain.Active {
		return contracts.WidgetTenant{}, apperr.NotFoundf("unknown widget key")
	}
	var out contracts.WidgetTenant
	err := a.store.Tenant(ctx, t.ID, func(tx *store.Tx) error {
		s, _, err := tx.Settings()
		out = contracts.WidgetTenant{TenantID: t.ID, Name: t.Name, Settings: s}
		return err
	})
	if err == nil && !out.Settings.Widget.Enabled {
		return contracts.WidgetTenant{}, apperr.NotFoundf("this widget is disabled")
	}
	return out, err
}

// RevealSecret shows the identity secret to an owner or admin, and records
// who saw it (never the secret).
func (a *App) RevealSecret(ctx context.Context, r contracts.PrincipalRequest) (contracts.IdentitySecret, error) {
	if err := requireAdmin(r.Principal); err != nil {
		return contracts.IdentitySecret{}, err
	}
	var out contracts.IdentitySecret
	err := a.store.Tenant(ctx, r.Principal.TenantID, func(tx *store.Tx) (err error) {
		if _, err := tx.Get(); err != nil {
			return err
		}
		if _, out.Secret, err = tx.Settings(); err != nil {
			return err
		}
		return audit(tx, r.Principal.AuditActor(), contracts.AuditSecretRevealed, "identity_secret", r.Principal.TenantID, nil, nil)
	})
	return out, err
}

// InternalSecret gives identity the secret it verifies user_hash with.
func (a *App) InternalSecret(ctx context.Context, r contracts.TenantIDRequest) (contracts.IdentitySecret, error) {
	if !ids.Valid(r.TenantID) {
		return contracts.IdentitySecret{}, apperr.NotFoundf("tenant not found")
	}
	var out contracts.IdentitySecret
	err := a.store.Tenant(ctx, r.TenantID, func(tx *store.Tx) (err error) {
		if _, err := tx.Get(); err != nil {
			return err
		}
		_, out.Secret, err = tx.Settings()
		return err
	})
	return out, err
}

// RotateSecret replaces the identity secret: every user_hash made with the
// old one stops verifying at once, and identity ends the verified visitors'
// sessions (see SettingsChanged.SecretRotated).
func (a *App) RotateSecret(ctx context.Context, r contracts.PrincipalRequest) (contracts.IdentitySecret, error) {
	if err := requireAdmin(r.Principal); err != nil {
		return contracts.IdentitySecret{}, err
	}
	out := contracts.IdentitySecret{Secret: domain.NewIdentitySecret()}
	err := a.store.Tenant(ctx, r.Principal.TenantID, func(tx *store.Tx) error {
		s, _, err := tx.Settings()
		if err != nil {
			return err
		}
		if err := tx.SaveSecret(out.Secret); err != nil {
			return err
		}
		if err := a.emitSettings(tx, s, true); err != nil {
			return err
		}
		return audit(tx, r.Principal.AuditActor(), contracts.AuditSecretRotated, "identity_secret", r.Principal.TenantID, nil, nil)
	})
	return out, err
}

// CannedList lists the tenant's canned responses (every role).
func (a *App) CannedList(ctx context.Context, r contracts.PrincipalRequest) (contracts.CannedResponses, error) {
	var out contracts.CannedResponses
	err := a.store.Tenant(ctx, r.Principal.TenantID, func(tx *store.Tx) (err error) {
		out.CannedResponses, err = tx.CannedResponses()
		return err
	})
	return out, err
}

// CannedWrite creates or updates a canned response (every role).
func (a *App) CannedWrite(ctx context.Context, r contracts.CannedWriteRequest) (contracts.CannedResponse, error) {
	var out contracts.CannedResponse
	if r.ID != "" && !ids.Valid(r.ID) {
		return out, apperr.NotFoundf("canned response not found")
	}
	err := a.store.Tenant(ctx, r.Principal.TenantID, func(tx *store.Tx) error {
		var before *contracts.CannedResponse
		if r.ID != "" {
			cur, err := tx.CannedResponse(r.ID)
			if err != nil {
				return err
			}
			out, before = cur, &cur
		} else if r.Shortcut == nil || r.Body == nil {
			field := "shortcut"
			if r.Shortcut != nil {
				field = "body"
			}
			return apperr.InvalidField(field, "%s is required", field)
		}
		if r.Shortcut != nil {
			out.Shortcut = *r.Shortcut
		}
		if r.Body != nil {
			out.Body = *r.Body
		}
		var err error
		if out.Shortcut, out.Body, err = domain.CheckCanned(out.Shortcut, out.Body); err != nil {
			return err
		}
		if err := tx.SaveCanned(&out); err != nil {
			return err
		}
		if before == nil {
			return audit(tx, r.Principal.AuditActor(), contracts.AuditCannedCreated, "canned_response", out.ID, nil, cannedFields(out))
		}
		b, af, err := changed(cannedFields(*before), cannedFields(out))
		if err != nil || len(af) == 0 {
			return err
		}
		return audit(tx, r.Principal.AuditActor(), contracts.AuditCannedUpdated, "canned_response", out.ID, b, af)
	})
	return out, err
}

// CannedDelete removes a canned response.
func (a *App) CannedDelete(ctx context.Context, r contracts.IDRequest) (contracts.Empty, error) {
	if !ids.Valid(r.ID) {
		return contracts.Empty{}, apperr.NotFoundf("canned response not found")
	}
	return contracts.Empty{}, a.store.Tenant(ctx, r.Principal.TenantID, func(tx *store.Tx) error {
		cur, err := tx.CannedResponse(r.ID)
		if err != nil {
			return err
		}
		if err := tx.DeleteCanned(r.ID); err != nil {
			return err
		}
		return audit(tx, r.Principal.AuditActor(), contracts.AuditCannedDeleted, "canned_response", r.ID, cannedFields(cur), nil)
	})
}

// cannedFields is what the audit log records of a canned response.
func cannedFields(c contracts.CannedResponse) map[string]string {
	return map[string]string{"shortcut": c.Shortcut, "body": c.Body}
}
