package api

import (
	_ "embed" // the OpenAPI document
	"net/http"
)

// document is the hand-written OpenAPI 3.1 description of every path, parameter, body,
// response and error of the API. The API tests load it with kin-openapi and validate every
// response they receive against it, so the two cannot drift apart unnoticed.
//
//go:embed openapi.json
var document []byte

// Document returns a copy of the OpenAPI 3.1 document, as JSON.
func Document() []byte { return append([]byte(nil), document...) }

// serveDocument answers GET /api/v1/openapi.json. It needs no token: the document holds no
// data, and clients read it before they have one.
func serveDocument(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(document)
}
