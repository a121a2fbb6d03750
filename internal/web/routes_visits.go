package web

import "net/http"

// visitRoutes registers the pages of mass work's visits.
func (s *Server) visitRoutes(mux *http.ServeMux, login func(http.HandlerFunc) http.Handler) {
	p := s.pages
	mux.Handle("GET /visits", login(p.ListVisits))
	mux.Handle("GET /visits/new", login(p.NewVisit))
	mux.Handle("GET /visits/contacts", login(p.VisitContacts))
	mux.Handle("POST /visits", login(p.CreateVisit))
	mux.Handle("GET /visits/coverage", login(p.ShowCoverage))
	mux.Handle("POST /visits/reserve", login(p.ReserveContacts))
	mux.Handle("POST /visits/release", login(p.ReleaseContacts))
	mux.Handle("GET /visits/{id}", login(p.ShowVisit))
}
