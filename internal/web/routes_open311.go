package web

import "net/http"

// open311Routes registers the Open311 GeoReport v2 API under /open311/v2/.
func (s *Server) open311Routes(mux *http.ServeMux) {
}
