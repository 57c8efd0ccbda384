package backup

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func archive(t *testing.T, entries ...[2]string) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, e := range entries {
		if err := addBytes(tw, e[0], []byte(e[1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func manifest(t *testing.T, m Manifest) string {
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Archives that are not a complete Parley backup are refused, and what a
// refused restore wrote is removed again.
func TestRestoreRefusesWhatIsNotACompleteBackup(t *testing.T) {
	for _, tc := range []struct {
		name    string
		archive [][2]string
		want    string
	}{
		{"not a backup", [][2]string{{"hello.txt", "hi"}}, "not a Parley backup"},
		{"another format", [][2]string{{"manifest.json", manifest(t, Manifest{Format: "parley-backup/0"})}}, "format"},
		{"a database missing", [][2]string{
			{"manifest.json", manifest(t, Manifest{Format: Format, Databases: []string{"identity", "tenant"}})},
			{"databases/identity.db", "SQLite format 3"},
		}, "no tenant database"},
		{"a snapshot without its configuration", [][2]string{
			{"manifest.json", manifest(t, Manifest{Format: Format, Databases: []string{"identity"}, Streams: []string{"TENANT"}})},
			{"databases/identity.db", "SQLite format 3"},
			{"streams/TENANT.snap", "x"},
		}, "without its configuration"},
		{"an unknown entry", [][2]string{
			{"manifest.json", manifest(t, Manifest{Format: Format})},
			{"../../etc/passwd", "x"},
		}, "unexpected entry"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			target := Target{Database: func(s string) string { return filepath.Join(dir, s+".db") }, NATSDir: filepath.Join(dir, "nats")}
			err := Restore(bytes.NewReader(archive(t, tc.archive...)), target)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Restore: %v, want an error with %q", err, tc.want)
			}
			if left, _ := os.ReadDir(dir); len(left) != 0 {
				t.Errorf("a refused restore left %d entries behind (first %s)", len(left), left[0].Name())
			}
		})
	}
}

// A directory that already holds a database is never overwritten.
func TestRestoreNeverOverwrites(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "identity.db")
	if err := os.WriteFile(existing, []byte("live data"), 0o600); err != nil {
		t.Fatal(err)
	}
	target := Target{Database: func(s string) string { return filepath.Join(dir, s+".db") }, NATSDir: filepath.Join(dir, "nats")}
	err := Restore(bytes.NewReader(archive(t,
		[2]string{"manifest.json", manifest(t, Manifest{Format: Format, Databases: []string{"identity"}})},
		[2]string{"databases/identity.db", "SQLite format 3"})), target)
	if err == nil || !strings.Contains(err.Error(), "empty data directory") {
		t.Fatalf("Restore over a database: %v", err)
	}
	if b, _ := os.ReadFile(existing); string(b) != "live data" {
		t.Errorf("the existing database now holds %q", b)
	}
}
