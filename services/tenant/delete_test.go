package tenant_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/ids"
	"github.com/parley-chat/parley/pkg/testkit"
)

func TestWorkspaceDeletion(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		r := newRig(t, d)
		r.start(0)
		p := r.workspace("Closing Time")
		info := call(t, r.nc, contracts.TenantGet, contracts.PrincipalRequest{Principal: p})
		call(t, r.nc, contracts.TenantCannedWrite, contracts.CannedWriteRequest{Principal: p, Shortcut: ptr("hi"), Body: ptr("Hi")})
		e := call(t, r.nc, contracts.TenantExportCreate, contracts.PrincipalRequest{Principal: p})
		r.waitExport(p, e.ID, contracts.JobDone)
		testkit.Eventually(t, 10*time.Second, func() error {
			if n := len(call(t, r.nc, contracts.TenantAuditList, contracts.AuditListRequest{Principal: p}).Entries); n < 2 {
				return fmt.Errorf("%d audit entries", n)
			}
			return nil
		})

		admin := p
		admin.Role = contracts.RoleAdmin
		refused(t, r.nc, contracts.TenantDelete, contracts.TenantDeleteRequest{Principal: admin, ConfirmName: "Closing Time"}, apperr.Forbidden, "")
		for _, wrong := range []string{"", "closing time", "Closing Time ", "Closing"} {
			refused(t, r.nc, contracts.TenantDelete, contracts.TenantDeleteRequest{Principal: p, ConfirmName: wrong}, apperr.Invalid, "confirm_name")
		}
		call(t, r.nc, contracts.TenantGet, contracts.PrincipalRequest{Principal: p}) // still there
		call(t, r.nc, contracts.TenantDelete, contracts.TenantDeleteRequest{Principal: p, ConfirmName: "Closing Time"})

		// At once: NotFound everywhere, the widget key included.
		refused(t, r.nc, contracts.TenantGet, contracts.PrincipalRequest{Principal: p}, apperr.NotFound, "")
		refused(t, r.nc, contracts.TenantWidgetResolve, contracts.WidgetKeyRequest{WidgetKey: info.WidgetKey}, apperr.NotFound, "")
		refused(t, r.nc, contracts.TenantSettingsInternal, contracts.TenantIDRequest{TenantID: p.TenantID}, apperr.NotFound, "")
		refused(t, r.nc, contracts.TenantSecretInternal, contracts.TenantIDRequest{TenantID: p.TenantID}, apperr.NotFound, "")
		refused(t, r.nc, contracts.TenantExportCreate, contracts.PrincipalRequest{Principal: p}, apperr.NotFound, "")
		refused(t, r.nc, contracts.TenantDelete, contracts.TenantDeleteRequest{Principal: p, ConfirmName: "Closing Time"}, apperr.NotFound, "")
		r.waitEvent(contracts.TenantTenantDeleted.Subject(p.TenantID), `"reason":"deleted"`)

		// Then its data is erased; the id stays taken.
		testkit.Eventually(t, 10*time.Second, func() error {
			if n := len(call(t, r.nc, contracts.TenantCannedList, contracts.PrincipalRequest{Principal: p}).CannedResponses); n != 0 {
				return fmt.Errorf("%d canned responses left", n)
			}
			return nil
		})
		testkit.Eventually(t, 10*time.Second, func() error { return r.gone(contracts.ExportArchiveObject(p.TenantID, e.ID)) })
		if n := len(call(t, r.nc, contracts.TenantExportList, contracts.PrincipalRequest{Principal: p}).Exports); n != 0 {
			t.Fatalf("%d exports left", n)
		}
		refused(t, r.nc, contracts.TenantCreate, contracts.TenantCreateRequest{TenantID: p.TenantID, Name: "Again"}, apperr.Conflict, "")
		refused(t, r.nc, contracts.TenantActivate, contracts.TenantIDRequest{TenantID: p.TenantID}, apperr.NotFound, "")
		if hasPolicy(call(t, r.nc, contracts.TenantRetentionPolicies, contracts.Empty{}), p.TenantID, 0) {
			t.Fatal("a deleted tenant has a retention policy")
		}

		// An abandoned sign-up says so.
		pending := call(t, r.nc, contracts.TenantCreate, contracts.TenantCreateRequest{TenantID: ids.New(), Name: "Pending"})
		call(t, r.nc, contracts.TenantAbandon, contracts.TenantIDRequest{TenantID: pending.ID})
		r.waitEvent(contracts.TenantTenantDeleted.Subject(pending.ID), `"reason":"abandoned"`)
	})
}
