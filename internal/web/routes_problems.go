package web

import (
	"net/http"

	"github.com/dangjian/dangjian/internal/web/page"
)

// problemRoutes registers the pages of mass work's problems.
func (s *Server) problemRoutes(mux *http.ServeMux, login func(http.HandlerFunc) http.Handler) {
	// Public pages (report form, tracking).
	rp := page.NewReports(s.pages)
	mux.HandleFunc("GET /report/{id}", rp.ReportForm)
	mux.HandleFunc("GET /report/{id}/similar", rp.ReportSimilar)
	s.handleBig(mux, "POST /report/{id}", page.ReportBodyLimit, http.HandlerFunc(rp.SubmitReport))
	mux.HandleFunc("GET /t", rp.TrackLookup)
	mux.HandleFunc("GET /t/{code}", rp.Track)
	mux.HandleFunc("GET /t/{code}/receipt", rp.Receipt)
	mux.HandleFunc("POST /t/{code}/answer", rp.AnswerTrack)
	mux.HandleFunc("GET /t/{code}/photos/{pid}", rp.TrackPhoto)
	mux.HandleFunc("GET /t/{code}/photos/{pid}/thumb", rp.TrackPhotoThumb)
	mux.Handle("GET /matters/{id}/photos/{pid}", login(rp.MatterPhoto))
	mux.Handle("GET /matters/{id}/photos/{pid}/thumb", login(rp.MatterPhotoThumb))
	// Staff pages.
	p := s.pages
	mux.Handle("GET /matters", login(p.ListMatters))
	mux.Handle("GET /matters/prominent", login(p.ProminentMatters))
	mux.Handle("GET /matters/new", login(p.NewMatter))
	mux.Handle("GET /matters/similar", login(p.SimilarMatters))
	mux.Handle("POST /matters", login(p.CreateMatter))
	mux.Handle("GET /matters/{id}", login(p.ShowMatter))
	mux.Handle("POST /matters/{id}/accept", login(p.AcceptMatter))
	mux.Handle("POST /matters/{id}/reject", login(p.RejectMatter))
	mux.Handle("POST /matters/{id}/assign", login(p.AssignMatter))
	mux.Handle("POST /matters/{id}/start", login(p.StartMatter))
	mux.Handle("POST /matters/{id}/reply", login(p.ReplyMatter))
	mux.Handle("POST /matters/{id}/resolve", login(p.ResolveMatter))
	mux.Handle("POST /matters/{id}/merge", login(p.MergeMatter))
	mux.Handle("POST /matters/{id}/split", login(p.SplitMatter))
	mux.Handle("POST /matters/{id}/public", login(p.SetMatterPublic))
	mux.Handle("POST /matters/{id}/feedback/{fid}", login(p.RecordMatterFeedback))
	mux.Handle("POST /matters/{id}/problems/{pid}/reveal", login(p.RevealMatterPhone))
	mux.Handle("GET /orgs/{id}/categories", login(p.ListCategories))
	mux.Handle("POST /orgs/{id}/categories", login(p.SaveCategory))
	mux.Handle("POST /orgs/{id}/categories/defaults", login(p.UseDefaultCategories))
	mux.Handle("GET /admin/holidays", login(p.ShowHolidays))
	mux.Handle("POST /admin/holidays", login(p.SaveHolidays))
}
