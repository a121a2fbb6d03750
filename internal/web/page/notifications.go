package page

import (
	"net/http"
	"strconv"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/notify"
	"github.com/dangjian/dangjian/internal/web/view"
)

// NotificationsPage lists the caller's own notices, newest first.
type NotificationsPage struct {
	view.Base
	Rows     []*NoticeRow
	Total    int
	Unread   int
	Page     int // 1-based
	Prev     int // previous page, 0 when none
	Next     int // next page, 0 when none
	Emailing bool
}

// NoticeRow is a notice ready to show: its headline in the reader's language, the time it is
// about and where it leads.
type NoticeRow struct {
	*notify.Notification
	Headline string
	When     string
	Link     string
}

// noticeRows renders notices in the page's language and zone.
func noticeRows(b *view.Base, ns []*notify.Notification) []*NoticeRow {
	rows := make([]*NoticeRow, 0, len(ns))
	for _, n := range ns {
		key, link := "notify.headline.activity_soon", "/activities/"+strconv.FormatInt(n.ActivityID, 10)
		switch {
		case n.Kind == notify.KindRecordDue:
			key, link = "notify.headline.record_due", link+"/record"
		case n.Params.Changed:
			key = "notify.headline.activity_changed"
		}
		if n.ActivityID == 0 {
			link = ""
		}
		rows = append(rows, &NoticeRow{Notification: n, Headline: b.T(key, "Title", n.Params.Title),
			When: notify.When(n.Params, b.Zone, b.T("notify.to"), b.T("notify.all_day")), Link: link})
	}
	return rows
}

// Notifications renders the caller's notices.
func (h *Handlers) Notifications(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p := &NotificationsPage{Base: h.View.NewBase(r, "notify.title"), Page: max(atoi(r.URL.Query().Get("page")), 1),
		Emailing: h.Notify.Emailing()}
	p.NavItem = "notifications"
	size := notify.DefaultPageSize
	ns, total, err := h.Notify.Notifications(r.Context(), a, size, (p.Page-1)*size)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	if p.Unread, err = h.Notify.Unread(r.Context(), a); err != nil {
		h.View.Error(w, r, err)
		return
	}
	p.Rows, p.Total = noticeRows(&p.Base, ns), total
	if p.Page > 1 {
		p.Prev = p.Page - 1
	}
	if p.Page*size < total {
		p.Next = p.Page + 1
	}
	h.View.Render(w, r, http.StatusOK, "notifications", p)
}

// MarkNotificationsRead marks one of the caller's notices read (id), or all of them (all=1),
// and goes back to the list.
func (h *Handlers) MarkNotificationsRead(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	flash := "flash.notify.all_read"
	if r.PostForm.Get("all") != "" {
		_, err = h.Notify.MarkAllRead(r.Context(), a)
	} else {
		flash = "flash.notify.read"
		id, perr := strconv.ParseInt(r.PostForm.Get("id"), 10, 64)
		if perr != nil || id <= 0 {
			h.View.Error(w, r, apperr.ErrNotFound)
			return
		}
		err = h.Notify.MarkRead(r.Context(), a, id)
	}
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	next := "/notifications"
	if pg := atoi(r.PostForm.Get("page")); pg > 1 {
		next += "?page=" + strconv.Itoa(pg)
	}
	redirect(w, r, next, flash)
}

// SaveEmail sets or removes the caller's address for emailed notices.
func (h *Handlers) SaveEmail(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	if err := h.Notify.SetEmail(r.Context(), a, r.PostForm.Get("email")); err != nil {
		p, perr := h.accountPage(r, a)
		if perr != nil {
			h.View.Error(w, r, perr)
			return
		}
		p.Email = view.NewForm(p.Translator, r.PostForm)
		if !p.Email.Fail(err) {
			h.View.Error(w, r, err)
			return
		}
		h.View.Render(w, r, http.StatusUnprocessableEntity, "account", p)
		return
	}
	redirect(w, r, "/account", "flash.notify.email_saved")
}
