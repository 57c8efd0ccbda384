package allinone_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// specPath is the API contract, api/openapi.yaml at the repository root.
const specPath = "../../api/openapi.yaml"

var (
	specOnce   sync.Once
	specRouter routers.Router
	specErr    error
)

func loadSpec() (routers.Router, error) {
	specOnce.Do(func() {
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromFile(specPath)
		if err != nil {
			specErr = err
			return
		}
		if err = doc.Validate(context.Background()); err != nil {
			specErr = err
			return
		}
		doc.Servers = nil // match any host: the tests run on random ports
		specRouter, specErr = gorillamux.NewRouter(doc)
	})
	return specRouter, specErr
}

// contractChecker validates every exchange of a test client against the
// OpenAPI document: the response always, the request whenever the server
// accepted it (requests that are malformed on purpose are answered with a
// 4xx the spec documents).
type contractChecker struct {
	t    *testing.T
	next http.RoundTripper
}

func (c *contractChecker) RoundTrip(req *http.Request) (*http.Response, error) {
	router, err := loadSpec()
	if err != nil {
		c.t.Errorf("openapi.yaml: %v", err)
		return c.next.RoundTrip(req)
	}
	var reqBody []byte
	if req.Body != nil {
		reqBody, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	res, err := c.next.RoundTrip(req)
	if err != nil {
		return res, err
	}
	resBody, _ := io.ReadAll(res.Body)
	res.Body = io.NopCloser(bytes.NewReader(resBody))

	check := req.Clone(context.Background())
	check.Body = io.NopCloser(bytes.NewReader(reqBody))
	route, params, err := router.FindRoute(check)
	if err != nil {
		// Probing an undocumented route or method must be refused as such.
		refused := (res.StatusCode == 404 || res.StatusCode == 405) && res.Header.Get("Content-Type") == "application/problem+json"
		if !refused {
			c.t.Errorf("contract: %s %s is not in openapi.yaml (%v) but answered %d", req.Method, req.URL.Path, err, res.StatusCode)
		}
		return res, nil
	}
	in := &openapi3filter.RequestValidationInput{
		Request: check, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true},
	}
	if res.StatusCode < 400 {
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			c.t.Errorf("contract: request %s %s: %v", req.Method, req.URL.Path, err)
		}
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: res.StatusCode, Header: res.Header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	out.SetBodyBytes(resBody)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		c.t.Errorf("contract: response %d to %s %s: %v\n%s", res.StatusCode, req.Method, req.URL.Path, err, resBody)
	}
	return res, nil
}
