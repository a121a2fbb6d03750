package web

import "net/http"

// visitRoutes registers the pages of mass work's visits.
func (s *Server) visitRoutes(mux *http.ServeMux, login func(http.HandlerFunc) http.Handler) {
}
