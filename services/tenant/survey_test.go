package tenant_test

import (
	"testing"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/testkit"
)

func TestSurveySettings(t *testing.T) {
	testkit.ForEachDB(t, func(t *testing.T, d testkit.DB) {
		r := newRig(t, d)
		r.start(0)
		p := r.workspace("Survey")
		s := call(t, r.nc, contracts.TenantSettingsGet, contracts.PrincipalRequest{Principal: p})
		if s.Survey != (contracts.SurveySettings{Enabled: true, Scale: contracts.ScaleFive}) {
			t.Fatalf("a new workspace's survey is %+v, want on, 1–5", s.Survey)
		}
		for _, bad := range []string{"", "stars", "FIVE"} {
			refused(t, r.nc, contracts.TenantSettingsUpdate, contracts.SettingsPatch{Principal: p, Survey: &contracts.SurveySettings{Enabled: true, Scale: bad}}, apperr.Invalid, "survey.scale")
		}
		want := contracts.SurveySettings{Enabled: false, Scale: contracts.ScaleThumbs}
		call(t, r.nc, contracts.TenantSettingsUpdate, contracts.SettingsPatch{Principal: p, Survey: &want})
		if got := call(t, r.nc, contracts.TenantSettingsInternal, contracts.TenantIDRequest{TenantID: p.TenantID}).Survey; got != want {
			t.Fatalf("survey after the patch: %+v, want %+v", got, want)
		}
		// A patch without a survey leaves it alone.
		call(t, r.nc, contracts.TenantSettingsUpdate, contracts.SettingsPatch{Principal: p, OfflineMessage: ptr("Back soon")})
		if got := call(t, r.nc, contracts.TenantSettingsGet, contracts.PrincipalRequest{Principal: p}).Survey; got != want {
			t.Fatalf("survey after another patch: %+v", got)
		}
	})
}
