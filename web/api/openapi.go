package api

import (
	_ "embed"
	"net/http"
)

// openAPI is the document of every route, checked against the mux by
// web's tests.
//
//go:embed openapi.json
var openAPI []byte

// OpenAPIDocument returns the OpenAPI 3 document.
func OpenAPIDocument() []byte { return openAPI }

// OpenAPI answers GET /api/v1/openapi.json.
func (a *API) OpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(openAPI)
}
