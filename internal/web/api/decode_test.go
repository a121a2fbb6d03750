package api

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzDecode feeds arbitrary bodies to the request decoder: it never panics, and it either
// fills the struct or answers a 400 or 413 problem whose fields name only keys of the body.
func FuzzDecode(f *testing.F) {
	for _, seed := range []string{
		`{"version": 1, "name": "张三", "tags": ["a"], "id_number": null}`,
		`{"id": 1}`, `{"Version": "1"}`, `{"nickname": 1}`, `{`, `[]`, `null`, `{"a":1}{"b":2}`,
		`{"tags": "x"}`, `{"org_id": 1e400}`, "{\"name\": \"\xff\"}", `{"version": 1, "version": 2}`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest(http.MethodPatch, "/api/v1/people/1", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		var dst PersonUpdate
		err := decode(httptest.NewRecorder(), req, &dst)
		if err == nil {
			return
		}
		var p *Problem
		if !errors.As(err, &p) {
			t.Fatalf("decode(%q) = %v, want a *Problem", body, err)
		}
		if p.Status != http.StatusBadRequest && p.Status != http.StatusRequestEntityTooLarge {
			t.Fatalf("decode(%q): status %d", body, p.Status)
		}
		for field := range p.Fields {
			if field == "" {
				t.Fatalf("decode(%q): a field error without a field: %v", body, p.Fields)
			}
		}
	})
}

// TestDecodeMediaType refuses bodies that are not declared JSON.
func TestDecodeMediaType(t *testing.T) {
	for ct, want := range map[string]int{"": 415, "text/plain": 415, "application/json; charset=utf-8": 0, "Application/JSON": 0} {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/people", strings.NewReader(`{"name": "x"}`))
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		var dst PersonFields
		err := decode(httptest.NewRecorder(), req, &dst)
		got := 0
		var p *Problem
		if errors.As(err, &p) {
			got = p.Status
		}
		if got != want || (want == 0 && (dst.Name == nil || *dst.Name != "x")) {
			t.Errorf("Content-Type %q: status %d, want %d (err %v)", ct, got, want, err)
		}
	}
}
