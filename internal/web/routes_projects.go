package web

import "net/http"

// projectRoutes registers the pages of mass work's projects.
func (s *Server) projectRoutes(mux *http.ServeMux, login func(http.HandlerFunc) http.Handler) {
}
