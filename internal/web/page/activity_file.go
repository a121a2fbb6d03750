package page

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"

	"github.com/dangjian/dangjian/internal/activity"
	"github.com/dangjian/dangjian/internal/apperr"
)

// UploadLimit is the largest upload request body: one file's worth, plus the multipart
// framing and the small fields beside it. Several files go in one request only as long as
// they fit together.
const UploadLimit = activity.MaxFileSize + 64<<10

// maxUploadField bounds each text field of an upload form.
const maxUploadField = 4 << 10

// UploadFiles takes photos and documents of an activity from a multipart form. The parts are
// read as they stream in, nothing goes to a temporary file, and the body is limited to
// UploadLimit by the server.
func (h *Handlers) UploadFiles(w http.ResponseWriter, r *http.Request) {
	a, id, err := actorID(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	values := url.Values{}
	fail := func(err error) { h.rerenderRecord(w, r, "upload", values, err) }
	mr, err := r.MultipartReader()
	if err != nil {
		fail(apperr.New(apperr.Invalid, "error.upload_none"))
		return
	}
	var ups []activity.Upload
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			fail(uploadError(err))
			return
		}
		switch name := part.FormName(); name {
		case "file":
			if part.FileName() == "" {
				continue // an empty file input
			}
			// One byte beyond the limit is enough for the service to refuse the file by name.
			data, err := io.ReadAll(io.LimitReader(part, activity.MaxFileSize+1))
			if err != nil {
				fail(uploadError(err))
				return
			}
			ups = append(ups, activity.Upload{Name: part.FileName(), Data: data})
		case "caption", "reason":
			b, err := io.ReadAll(io.LimitReader(part, maxUploadField))
			if err != nil {
				fail(uploadError(err))
				return
			}
			values.Set(name, string(b))
		}
	}
	for i := range ups {
		ups[i].Caption = values.Get("caption")
	}
	added, err := h.Activity.AddFiles(r.Context(), a, id, ups, values.Get("reason"))
	if err != nil {
		fail(err)
		return
	}
	flash := "flash.files_added"
	if len(added) < len(ups) {
		flash = "flash.files_duplicates_skipped"
	}
	redirect(w, r, recordURL(id)+"?added="+strconv.Itoa(len(added)), flash)
}

// uploadError turns a failure to read an upload into what the form says: too large when the
// body went beyond its limit.
func uploadError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return &apperr.Error{Kind: apperr.Invalid, Key: "error.upload_too_large", Args: map[string]any{"MB": activity.MaxFileSize >> 20}}
	}
	return apperr.New(apperr.Invalid, "error.bad_request")
}

// ShowFile sends a file of an activity.
func (h *Handlers) ShowFile(w http.ResponseWriter, r *http.Request) { h.sendFile(w, r, false) }

// ShowThumbnail sends the thumbnail of a photo of an activity.
func (h *Handlers) ShowThumbnail(w http.ResponseWriter, r *http.Request) { h.sendFile(w, r, true) }

// sendFile sends a file with the type it was stored under (sniffed at upload), never sniffed
// again by the browser, shown inline only when it is a photo and otherwise downloaded, and
// sandboxed, so that nothing in it can run on this origin.
func (h *Handlers) sendFile(w http.ResponseWriter, r *http.Request, thumb bool) {
	a, id, err := actorID(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	fid, err := idParam(r, "fid")
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	f, err := h.Activity.File(r.Context(), a, id, fid, thumb)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	ct, data, etag, disposition := f.ContentType, f.Data, `"`+f.SHA256+`"`, "attachment"
	if thumb {
		ct, data, etag = "image/jpeg", f.Thumb, `"`+f.SHA256+`-t"`
	}
	if f.IsImage() {
		disposition = "inline"
	}
	hdr := w.Header()
	hdr.Set("Content-Type", ct)
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	if d := mime.FormatMediaType(disposition, map[string]string{"filename": f.Name}); d != "" {
		hdr.Set("Content-Disposition", d)
	} else {
		hdr.Set("Content-Disposition", disposition)
	}
	hdr.Set("ETag", etag)
	if thumb {
		// Thumbnails never change (a file's bytes are fixed); the photo grid loads them again
		// on every visit otherwise.
		hdr.Set("Cache-Control", "private, max-age=86400")
	}
	http.ServeContent(w, r, "", f.UploadedAt, bytes.NewReader(data))
}

// DeleteFile removes a file of a draft record.
func (h *Handlers) DeleteFile(w http.ResponseWriter, r *http.Request) {
	a, id, err := actorID(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	fid, err := idParam(r, "fid")
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	if err := h.Activity.DeleteFile(r.Context(), a, id, fid); err != nil {
		h.View.Error(w, r, err)
		return
	}
	redirect(w, r, recordURL(id), "flash.file_deleted")
}
