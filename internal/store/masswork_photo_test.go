package store_test

import (
	"bytes"
	"testing"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/masswork"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

// photoOf is a stored photo's stand-in: its bytes need not be an image here.
func photoOf(name string) *masswork.Photo {
	data := []byte("data of " + name)
	return &masswork.Photo{Name: name, ContentType: "image/png", Size: int64(len(data)), SHA256: name + "-sum",
		Width: 40, Height: 30, Thumb: []byte("thumb of " + name), Data: data}
}

func TestMatterPhotos(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		e := newMatterEnv(t, d)
		ctx := e.ctx
		m1, p1 := e.newMatter(e.b2.ID, e.cat, "东门停车难", nil)
		m2, p2 := e.newMatter(e.b2.ID, e.cat, "东门车位太少", nil)

		first := []*masswork.Photo{photoOf("a.png"), photoOf("b.png")}
		if err := e.db.AddPhotos(ctx, p1.ID, first, masswork.MaxPhotos); err != nil {
			t.Fatal(err)
		}
		for _, ph := range first {
			if ph.ID == 0 || ph.ProblemID != p1.ID || ph.MatterID != m1.ID || ph.CreatedAt.IsZero() {
				t.Errorf("added photo %+v", ph)
			}
		}
		// Beyond the limit: nothing more is added.
		err := e.db.AddPhotos(ctx, p1.ID, []*masswork.Photo{photoOf("c.png"), photoOf("d.png")}, masswork.MaxPhotos)
		if ae := apperr.As(err); ae == nil || ae.Kind != apperr.Invalid || ae.Key != "report.error.photo_count" {
			t.Errorf("beyond the limit: err = %v", err)
		}
		if err := e.db.AddPhotos(ctx, p2.ID, []*masswork.Photo{photoOf("e.png")}, masswork.MaxPhotos); err != nil {
			t.Fatal(err)
		}
		if err := e.db.AddPhotos(ctx, 999999, []*masswork.Photo{photoOf("f.png")}, masswork.MaxPhotos); apperr.KindOf(err) != apperr.NotFound {
			t.Errorf("unknown report: err = %v", err)
		}

		list, err := e.db.FindPhotos(ctx, m1.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].Name != "a.png" || list[1].Name != "b.png" {
			t.Fatalf("photos of m1 = %+v", list)
		}
		for _, ph := range list {
			if ph.Data != nil || ph.Thumb != nil || ph.Width != 40 || ph.Height != 30 || ph.ContentType != "image/png" ||
				ph.ProblemID != p1.ID || ph.MatterID != m1.ID {
				t.Errorf("listed photo %+v", ph)
			}
		}

		tests := []struct {
			name      string
			id        int64
			thumb     bool
			wantData  []byte
			wantThumb []byte
		}{
			{"photo", first[0].ID, false, first[0].Data, nil},
			{"thumbnail", first[1].ID, true, nil, first[1].Thumb},
		}
		for _, tt := range tests {
			got, err := e.db.FindPhotoContent(ctx, tt.id, tt.thumb)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if !bytes.Equal(got.Data, tt.wantData) || !bytes.Equal(got.Thumb, tt.wantThumb) || got.MatterID != m1.ID || got.ProblemID != p1.ID {
				t.Errorf("%s: got %+v", tt.name, got)
			}
		}
		if _, err := e.db.FindPhotoContent(ctx, 999999, false); apperr.KindOf(err) != apperr.NotFound {
			t.Errorf("unknown photo: err = %v", err)
		}

		// Merged, a report's photos follow it into the surviving matter.
		if err := e.db.Merge(ctx, e.matter(m1.ID), e.matter(m2.ID), nil, rec("matter.merge")); err != nil {
			t.Fatal(err)
		}
		if list, err = e.db.FindPhotos(ctx, m1.ID); err != nil || len(list) != 3 {
			t.Fatalf("after merge: %d photos, %v", len(list), err)
		}
		if rest, err := e.db.FindPhotos(ctx, m2.ID); err != nil || len(rest) != 0 {
			t.Errorf("merged matter keeps %d photos, %v", len(rest), err)
		}
	})
}
