package httpapi

import (
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"

	"github.com/parley-chat/parley/pkg/config"
)

// Every route the gateway serves is in api/openapi.yaml, and every operation
// there is served: the contract and the code cannot drift apart.
func TestRoutesMatchTheOpenAPIDocument(t *testing.T) {
	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	h, err := New(Deps{Config: cfg, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	param := regexp.MustCompile(`:([a-z_]+)`)
	var served []string
	for _, r := range h.(*gin.Engine).Routes() {
		if strings.HasPrefix(r.Path, "/widget/") || r.Path == "/" || strings.HasPrefix(r.Path, "/assets/") {
			continue // static files are not part of the JSON API
		}
		if r.Method == "OPTIONS" {
			continue // CORS preflights of the visitor API
		}
		served = append(served, r.Method+" "+param.ReplaceAllString(r.Path, "{$1}"))
	}
	doc, err := openapi3.NewLoader().LoadFromFile("../../../../api/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var documented []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented = append(documented, method+" "+path)
		}
	}
	slices.Sort(served)
	slices.Sort(documented)
	for _, r := range served {
		if !slices.Contains(documented, r) {
			t.Errorf("served but not documented: %s", r)
		}
	}
	for _, d := range documented {
		if !slices.Contains(served, d) {
			t.Errorf("documented but not served: %s", d)
		}
	}
}
