package web

import "net/http"

// problemRoutes registers the pages of mass work's problems.
func (s *Server) problemRoutes(mux *http.ServeMux, login func(http.HandlerFunc) http.Handler) {
}
