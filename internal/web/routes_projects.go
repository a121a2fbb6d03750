package web

import (
	"net/http"
	"time"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/web/page"
	"github.com/dangjian/dangjian/internal/web/ratelimit"
)

// The public board and project pages count a year of figures: one address may open a burst
// of them and then one a second, generous for people, not for a crawler hammering every
// organization.
const (
	boardEvery = time.Second
	boardBurst = 60
)

// projectRoutes registers the pages of mass work's projects (我为群众办实事), the public
// board and the insight of an organization with its matter ledger.
func (s *Server) projectRoutes(mux *http.ServeMux, login func(http.HandlerFunc) http.Handler) {
	p := s.pages
	mux.Handle("GET /projects", login(p.ListProjects))
	mux.Handle("GET /projects/new", login(p.NewProject))
	mux.Handle("POST /projects", login(p.SaveProject))
	mux.Handle("GET /projects/{id}", login(p.ShowProject))
	mux.Handle("GET /projects/{id}/edit", login(p.EditProject))
	mux.Handle("POST /projects/{id}", login(p.SaveProject))
	mux.Handle("GET /orgs/{id}/insight", login(p.ShowInsight))
	mux.Handle("GET /orgs/{id}/matters.xlsx", login(p.ExportMatterLedger))
	// Open to everyone, without an account: they hold no personal data.
	lim := ratelimit.New(boardEvery, boardBurst, p.Now)
	public := func(h http.HandlerFunc) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !lim.Allow(ratelimit.Key(page.ClientIP(r))) {
				s.view.Error(w, r, apperr.New(apperr.Locked, "board.too_many"))
				return
			}
			h(w, r)
		})
	}
	mux.Handle("GET /p/{id}", public(p.ShowPublicProject))
	mux.Handle("GET /board/{id}", public(p.ShowBoard))
}
