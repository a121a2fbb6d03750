package web

import (
	"net/http"

	"github.com/dangjian/dangjian/internal/web/open311"
	"github.com/dangjian/dangjian/internal/web/page"
)

// open311Routes registers the Open311 GeoReport v2 API under /open311/v2/ and the pages on
// which an organization's administrators manage its API keys.
func (s *Server) open311Routes(mux *http.ServeMux, login func(http.HandlerFunc) http.Handler) {
	p := s.pages
	mux.Handle(open311.Prefix, open311.New(open311.Deps{Mass: p.Mass, Catalog: s.view.Catalog(), Log: s.log, Now: p.Now,
		BaseURL: s.cfg.BaseURL, Secure: s.cfg.Secure, ClientIP: page.ClientIP}))
	mux.Handle("GET /orgs/{id}/open311", login(p.Open311Keys))
	mux.Handle("POST /orgs/{id}/open311", login(p.CreateOpen311Key))
	mux.Handle("POST /orgs/{id}/open311/{kid}/revoke", login(p.RevokeOpen311Key))
}
