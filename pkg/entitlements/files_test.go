package entitlements_test

import (
	"testing"

	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
	"github.com/parley-chat/parley/pkg/entitlements"
)

func TestMaxFileBytesFallsBackToTheDefault(t *testing.T) {
	for _, tc := range []struct{ plan, want int64 }{
		{0, contracts.DefaultMaxFileBytes},
		{-1, contracts.DefaultMaxFileBytes},
		{25 << 20, 25 << 20},
		{1, 1},
	} {
		if got := entitlements.MaxFileBytes(contracts.Entitlements{MaxFileBytes: tc.plan}); got != tc.want {
			t.Errorf("MaxFileBytes(%d) = %d, want %d", tc.plan, got, tc.want)
		}
	}
}

func TestCheckFileSize(t *testing.T) {
	free := contracts.Entitlements{PlanName: "Free", MaxFileBytes: 10 << 20, FileSizeUpgrade: "Starter"}
	for _, tc := range []struct {
		name string
		e    contracts.Entitlements
		size int64
		want string // "" means allowed
	}{
		{"under the limit", free, 1 << 20, ""},
		{"exactly the limit", free, 10 << 20, ""},
		{"one byte over", free, 10<<20 + 1, "too_large: files can be at most 10 MB on the Free plan; upgrade to Starter for larger files (file)"},
		{"no plan limit: the default", contracts.Entitlements{Plan: "unlimited"}, contracts.DefaultMaxFileBytes + 1, "too_large: files can be at most 10 MB on the unlimited plan (file)"},
		{"no plan limit, under the default", contracts.Entitlements{Plan: "unlimited"}, contracts.DefaultMaxFileBytes, ""},
		{"a limit that is not whole megabytes", contracts.Entitlements{PlanName: "Odd", MaxFileBytes: 5<<20 + 1<<19}, 6 << 20, "too_large: files can be at most 5.5 MB on the Odd plan (file)"},
		{"a large limit stays in MB", contracts.Entitlements{PlanName: "Big", MaxFileBytes: 2 << 30}, 3 << 30, "too_large: files can be at most 2048 MB on the Big plan (file)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := entitlements.CheckFileSize(tc.e, tc.size)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if !apperr.Is(err, apperr.TooLarge) || apperr.As(err).Field != "file" || err.Error() != tc.want {
				t.Fatalf("got %v, want %s", err, tc.want)
			}
		})
	}
}

func TestCheckStorage(t *testing.T) {
	free := contracts.Entitlements{PlanName: "Free", StorageBytes: 1 << 30, StorageUpgrade: "Starter"}
	for _, tc := range []struct {
		name       string
		e          contracts.Entitlements
		used, size int64
		want       string
	}{
		{"no limit", contracts.Entitlements{PlanName: "Pro"}, 1 << 40, 1 << 30, ""},
		{"room left", free, 512 << 20, 100 << 20, ""},
		{"fills it exactly", free, 1<<30 - 100, 100, ""},
		{"one byte too many", free, 1<<30 - 100, 101, "too_large: storage is full: the Free plan stores 1 GB of files and 1024 MB are used; delete old files or upgrade to Starter for more (file)"},
		{"already over (the plan shrank)", contracts.Entitlements{PlanName: "Free", StorageBytes: 100 << 20}, 150 << 20, 1, "too_large: storage is full: the Free plan stores 100 MB of files and 150 MB are used; delete old files to make room (file)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := entitlements.CheckStorage(tc.e, tc.used, tc.size)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if !apperr.Is(err, apperr.TooLarge) || apperr.As(err).Field != "file" || err.Error() != tc.want {
				t.Fatalf("got %v\nwant %s", err, tc.want)
			}
		})
	}
}
