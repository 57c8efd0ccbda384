package contracts

import "time"

// TenantInfo is a tenant as clients see it.
type TenantInfo struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Slug      string    `json:"slug"`
	WidgetKey string    `json:"widget_key"`
	CreatedAt time.Time `json:"created_at"`
}

// TenantCreateRequest creates a pending tenant during sign-up. It is
// idempotent on TenantID so a retried sign-up step does not create two.
type TenantCreateRequest struct {
	TenantID string `json:"tenant_id"`
	Name     string `json:"name"`
}

// TenantIDRequest addresses a tenant by id, for service-to-service calls.
type TenantIDRequest struct {
	TenantID string `json:"tenant_id"`
}

// TenantUpdateRequest changes tenant fields; nil means unchanged.
type TenantUpdateRequest struct {
	Principal Principal `json:"principal"`
	Name      *string   `json:"name,omitempty"`
}

// Tenant endpoints.
var (
	TenantCreate   = Endpoint[TenantCreateRequest, TenantInfo]{ServiceTenant, "create"}
	TenantActivate = Endpoint[TenantIDRequest, TenantInfo]{ServiceTenant, "activate"}
	TenantAbandon  = Endpoint[TenantIDRequest, Empty]{ServiceTenant, "abandon"}
	TenantGet      = Endpoint[PrincipalRequest, TenantInfo]{ServiceTenant, "get"}
	TenantUpdate   = Endpoint[TenantUpdateRequest, TenantInfo]{ServiceTenant, "update"}
)

// TenantChanged carries a tenant's new state after any change.
type TenantChanged struct {
	Tenant TenantInfo `json:"tenant"`
}

// TenantDeleted says a tenant is gone (an abandoned sign-up, or a deletion):
// every service erases what it holds of the tenant.
type TenantDeleted struct {
	Reason string `json:"reason,omitempty"` // TenantAbandoned or TenantClosed
}

// Tenant events.
var (
	TenantTenantChanged = EventType{ServiceTenant, "tenant", "changed", 1}
	TenantTenantDeleted = EventType{ServiceTenant, "tenant", "deleted", 1}
)
