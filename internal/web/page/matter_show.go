package page

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/masswork"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/web/view"
)

// MatterPage shows a matter as staff handle it: its facts and deadlines, every report, the
// timeline, the reporters' say, and the actions its status and the caller's rights allow.
type MatterPage struct {
	view.Base
	M               *masswork.Matter
	Category        string
	Reports         []*MatterReport
	Events          []*masswork.Event
	Feedback        []*masswork.Feedback
	ResponseOverdue bool
	ResolveOverdue  bool
	ResponseDue     string // the deadlines as the page shows them
	ResolveDue      string
	Weight          string
	CanReveal       bool
	Revealed        map[int64]string // clear phones by report ID
	Can             MatterActions
	// For the assignment: the organizations the caller administers and people to choose.
	Orgs    []*org.Organization
	People  []*org.Person
	Ratings []string
	// The action forms; the one that failed keeps what was typed, and opens.
	Accept, Reject, Assign, Reply, Resolve, Merge, Split, Public, Answer *view.Form
	// AnswerID is the feedback row the Answer form was for.
	AnswerID int64
	Alert    string // what went wrong with the action
	Opened   string // the failed action
}

// MatterReport is one report of a matter with its photos.
type MatterReport struct {
	*masswork.Problem
	Photos []*masswork.Photo
	Fields []MatterField
}

// MatterField is one extra field's answer: the question and the values given.
type MatterField struct {
	Question string
	Answer   string
}

// MatterActions says which actions the matter's status and the caller allow.
type MatterActions struct {
	Handle, Accept, Reject, Assign, Start, Reply, Resolve, Merge, Split, Public, Feedback, Adopt bool
}

// matterActions turns the actions the service allows the caller on a matter into the page's
// switches; a split needs two reports, and the people's say is recorded while it is resolved.
func matterActions(v *masswork.MatterView) MatterActions {
	m, acts := v.Matter, map[string]bool{}
	for _, act := range v.Actions {
		acts[act] = true
	}
	return MatterActions{Handle: len(v.Actions) > 0, Accept: acts[masswork.ActAccept], Reject: acts[masswork.ActReject],
		Assign: acts[masswork.ActAssign], Start: acts[masswork.ActStart], Reply: acts[masswork.ActReply],
		Resolve: acts[masswork.ActResolve], Merge: acts[masswork.ActMerge], Split: acts[masswork.ActSplit] && len(v.Problems) > 1,
		Public:   acts[masswork.ActPublic] && m.Status != masswork.StatusMerged,
		Feedback: len(v.Actions) > 0 && m.Status == masswork.StatusResolved, Adopt: v.CanHandle && masswork.Open(m.Status)}
}

// matterAnswers returns a report's answers to the category's extra questions, in the
// category's order, with the names of the choices.
func matterAnswers(fields []masswork.Field, given map[string][]string) []MatterField {
	var out []MatterField
	for _, f := range fields {
		vals := given[f.Code]
		if len(vals) == 0 {
			continue
		}
		names := make([]string, len(vals))
		for i, x := range vals {
			names[i] = x
			for _, fv := range f.Values {
				if fv.Key == x && fv.Name != "" {
					names[i] = fv.Name
				}
			}
		}
		out = append(out, MatterField{Question: f.Description, Answer: strings.Join(names, "、")})
	}
	return out
}

func matterURL(id int64) string { return "/matters/" + strconv.FormatInt(id, 10) }

func (h *Handlers) matterPage(r *http.Request) (*MatterPage, error) {
	a, id, err := actorID(r)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	v, err := h.Mass.Matter(ctx, a, id)
	if err != nil {
		return nil, err
	}
	// The person responsible for a matter outside the subtrees they view reads it without
	// its photos.
	photos, err := h.Mass.MatterPhotos(ctx, a, id)
	if err != nil && !errors.Is(err, apperr.ErrNotFound) {
		return nil, err
	}
	m := v.Matter
	now := h.Now()
	p := &MatterPage{Base: h.View.NewBase(r, "matters.title"), M: m, Events: v.Events, Feedback: v.Feedback,
		CanReveal: a.CanReveal, Revealed: map[int64]string{},
		Ratings: masswork.Ratings}
	p.NavItem = "masswork"
	p.Title = m.Title
	row := matterRow(m, p.Lang, p.Zone, now)
	p.ResponseDue, p.ResolveDue = matterDueText(m.ResponseDue, p.Zone), matterDueText(m.ResolveDue, p.Zone)
	p.Category, p.Weight = row.Category, row.Weight
	if masswork.Open(m.Status) && m.Status != masswork.StatusResolved {
		p.ResponseOverdue = m.RespondedAt.IsZero() && !m.ResponseDue.IsZero() && now.After(m.ResponseDue)
		p.ResolveOverdue = m.ResolvedAt.IsZero() && !m.ResolveDue.IsZero() && now.After(m.ResolveDue)
	}
	byProblem := map[int64][]*masswork.Photo{}
	for _, ph := range photos {
		byProblem[ph.ProblemID] = append(byProblem[ph.ProblemID], ph)
	}
	for _, pr := range v.Problems {
		rep := &MatterReport{Problem: pr, Photos: byProblem[pr.ID]}
		if v.Category != nil {
			rep.Fields = matterAnswers(v.Category.Fields, pr.Attributes)
		}
		p.Reports = append(p.Reports, rep)
	}
	p.Can = matterActions(v)
	forms := []**view.Form{&p.Accept, &p.Reject, &p.Assign, &p.Reply, &p.Resolve, &p.Merge, &p.Split, &p.Public, &p.Answer}
	for _, f := range forms {
		*f = view.NewForm(p.Translator, nil)
	}
	p.Public.Values.Set("title", m.Title)
	p.Public.Values.Set("summary", m.Summary)
	if m.Withheld {
		p.Public.Values.Set("withheld", "1")
	}
	if m.EscalatedOrgID != 0 {
		p.Assign.Values.Set("org_id", strconv.FormatInt(m.EscalatedOrgID, 10))
	} else {
		p.Assign.Values.Set("org_id", strconv.FormatInt(m.OrgID, 10))
	}
	if m.AssigneeID != 0 {
		p.Assign.Values.Set("person_id", strconv.FormatInt(m.AssigneeID, 10))
	}
	p.Merge.Values.Set("direction", "into_this")
	if p.Can.Assign {
		tree, err := h.Org.Tree(ctx, a)
		if err != nil {
			return nil, err
		}
		for _, o := range tree {
			if a.CanAdmin(o.Path) {
				p.Orgs = append(p.Orgs, o)
			}
		}
		if p.People, _, err = h.Org.People(ctx, a, org.PeopleFilter{Members: true, Limit: org.MaxPageSize, Sort: "name", Brief: true}); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// AnswerFor returns the form of the call-back answer of a feedback row: the one that failed
// keeps what was typed, the others are blank.
func (p *MatterPage) AnswerFor(feedbackID int64) *view.Form {
	if feedbackID == p.AnswerID {
		return p.Answer
	}
	return view.NewForm(p.Translator, nil)
}

// ShowMatter renders a matter.
func (h *Handlers) ShowMatter(w http.ResponseWriter, r *http.Request) {
	p, err := h.matterPage(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	h.View.Render(w, r, http.StatusOK, "matter", p)
}

// rerenderMatter shows the matter again after an action failed: the action's form keeps what
// was typed (and the version it was made from), the message says what went wrong; when
// someone changed the matter meanwhile the answer is 409 and says to reload.
func (h *Handlers) rerenderMatter(w http.ResponseWriter, r *http.Request, which string, err error) {
	p, perr := h.matterPage(r)
	if perr != nil {
		h.View.Error(w, r, perr)
		return
	}
	f := map[string]*view.Form{"accept": p.Accept, "reject": p.Reject, "assign": p.Assign, "reply": p.Reply, "resolve": p.Resolve,
		"merge": p.Merge, "split": p.Split, "public": p.Public, "answer": p.Answer, "start": p.Accept}[which]
	f.Values = r.PostForm
	if !f.Fail(err) {
		h.View.Error(w, r, err)
		return
	}
	p.Opened, p.Alert = which, f.Message
	if which == "answer" {
		p.AnswerID, _ = idParam(r, "fid")
	}
	if errors.Is(err, apperr.ErrStale) {
		p.Alert = p.T("matters.stale")
	}
	status := view.StatusOf(apperr.KindOf(err))
	if status == http.StatusInternalServerError || status == http.StatusUnauthorized {
		status = http.StatusUnprocessableEntity
	}
	h.View.Render(w, r, status, "matter", p)
}

// matterAction runs one action of the matter page: do gets the caller, the matter's ID and the
// form; on success the browser goes to the matter (or the one do names) with flash.
func (h *Handlers) matterAction(w http.ResponseWriter, r *http.Request, which, flash string,
	do func(a *auth.Actor, id int64, f url.Values) (int64, error)) {
	a, id, err := actorID(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	next, err := do(a, id, r.PostForm)
	if err != nil {
		h.rerenderMatter(w, r, which, err)
		return
	}
	if next == 0 {
		next = id
	}
	redirect(w, r, matterURL(next), flash)
}

func matterVersion(f url.Values) int { return atoi(f.Get("version")) }

// AcceptMatter accepts a submitted matter, with an optional public reply.
func (h *Handlers) AcceptMatter(w http.ResponseWriter, r *http.Request) {
	h.matterAction(w, r, "accept", "flash.matters.accepted", func(a *auth.Actor, id int64, f url.Values) (int64, error) {
		return 0, h.Mass.Accept(r.Context(), a, id, matterVersion(f), f.Get("note"))
	})
}

// RejectMatter rejects a matter with the reason its reporters see.
func (h *Handlers) RejectMatter(w http.ResponseWriter, r *http.Request) {
	h.matterAction(w, r, "reject", "flash.matters.rejected", func(a *auth.Actor, id int64, f url.Values) (int64, error) {
		return 0, h.Mass.Reject(r.Context(), a, id, matterVersion(f), f.Get("reason"))
	})
}

// AssignMatter gives a matter to an organization and a responsible person.
func (h *Handlers) AssignMatter(w http.ResponseWriter, r *http.Request) {
	h.matterAction(w, r, "assign", "flash.matters.assigned", func(a *auth.Actor, id int64, f url.Values) (int64, error) {
		orgID, _ := strconv.ParseInt(f.Get("org_id"), 10, 64)
		personID, _ := strconv.ParseInt(f.Get("person_id"), 10, 64)
		return 0, h.Mass.Assign(r.Context(), a, id, matterVersion(f), orgID, personID)
	})
}

// StartMatter marks an accepted matter in progress.
func (h *Handlers) StartMatter(w http.ResponseWriter, r *http.Request) {
	h.matterAction(w, r, "start", "flash.matters.started", func(a *auth.Actor, id int64, f url.Values) (int64, error) {
		return 0, h.Mass.Start(r.Context(), a, id, matterVersion(f))
	})
}

// ReplyMatter adds a public reply or, without public=1, an internal note.
func (h *Handlers) ReplyMatter(w http.ResponseWriter, r *http.Request) {
	h.matterAction(w, r, "reply", "flash.matters.replied", func(a *auth.Actor, id int64, f url.Values) (int64, error) {
		return 0, h.Mass.Reply(r.Context(), a, id, f.Get("body"), f.Get("public") == "1")
	})
}

// ResolveMatter marks a matter resolved with what was done.
func (h *Handlers) ResolveMatter(w http.ResponseWriter, r *http.Request) {
	h.matterAction(w, r, "resolve", "flash.matters.resolved", func(a *auth.Actor, id int64, f url.Values) (int64, error) {
		return 0, h.Mass.Resolve(r.Context(), a, id, matterVersion(f), f.Get("body"))
	})
}

// MergeMatter merges another matter, named by its code, into this one (direction into_this)
// or this one into it (into_other).
func (h *Handlers) MergeMatter(w http.ResponseWriter, r *http.Request) {
	h.matterAction(w, r, "merge", "flash.matters.merged", func(a *auth.Actor, id int64, f url.Values) (int64, error) {
		ctx := r.Context()
		if strings.TrimSpace(f.Get("code")) == "" {
			return 0, matterFieldError("code", "matters.error.code_required")
		}
		code, ok := masswork.ParseCode(f.Get("code"))
		if !ok {
			return 0, matterFieldError("code", "matters.error.code_unknown")
		}
		found, _, err := h.Mass.Matters(ctx, a, masswork.MatterFilter{Query: code, Now: h.Now(), Limit: 10})
		if err != nil {
			return 0, err
		}
		var other *masswork.Matter
		for _, m := range found {
			if m.Code == code {
				other = m
			}
		}
		if other == nil {
			return 0, matterFieldError("code", "matters.error.code_unknown")
		}
		if f.Get("direction") == "into_other" {
			return other.ID, h.Mass.Merge(ctx, a, other.ID, other.Version, id, matterVersion(f))
		}
		return 0, h.Mass.Merge(ctx, a, id, matterVersion(f), other.ID, other.Version)
	})
}

func matterFieldError(field, key string) error {
	var v apperr.Validation
	v.Add(field, key)
	return v.Err()
}

// SplitMatter moves the checked reports into a new matter and shows it.
func (h *Handlers) SplitMatter(w http.ResponseWriter, r *http.Request) {
	h.matterAction(w, r, "split", "flash.matters.split", func(a *auth.Actor, id int64, f url.Values) (int64, error) {
		var ids []int64
		for _, s := range f["problem_ids"] {
			if n, err := strconv.ParseInt(s, 10, 64); err == nil {
				ids = append(ids, n)
			}
		}
		m, err := h.Mass.Split(r.Context(), a, id, matterVersion(f), ids)
		if err != nil {
			return 0, err
		}
		return m.ID, nil
	})
}

// SetMatterPublic sets the matter's public title and summary and whether its reports' text is
// withheld from the public board.
func (h *Handlers) SetMatterPublic(w http.ResponseWriter, r *http.Request) {
	h.matterAction(w, r, "public", "flash.saved", func(a *auth.Actor, id int64, f url.Values) (int64, error) {
		return 0, h.Mass.SetPublic(r.Context(), a, id, matterVersion(f), f.Get("title"), f.Get("summary"), f.Get("withheld") != "")
	})
}

// RecordMatterFeedback records a reporter's say that staff collected by calling back.
func (h *Handlers) RecordMatterFeedback(w http.ResponseWriter, r *http.Request) {
	fid, err := idParam(r, "fid")
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	h.matterAction(w, r, "answer", "flash.matters.feedback", func(a *auth.Actor, id int64, f url.Values) (int64, error) {
		solved := f.Get("solved")
		if solved != "1" && solved != "0" {
			return 0, matterFieldError("solved", "matters.error.solved")
		}
		return 0, h.Mass.RecordFeedback(r.Context(), a, fid, solved == "1", f.Get("rating"), f.Get("comment"))
	})
}

// RevealMatterPhone shows the clear phone of a report of the matter, audited. With htmx it
// answers with the number alone.
func (h *Handlers) RevealMatterPhone(w http.ResponseWriter, r *http.Request) {
	a, id, err := actorID(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	pid, err := idParam(r, "pid")
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	p, err := h.matterPage(r)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	found := false
	for _, rep := range p.Reports {
		found = found || rep.ID == pid
	}
	if !found || p.M.ID != id {
		h.View.Error(w, r, apperr.ErrNotFound)
		return
	}
	phone, err := h.Mass.RevealPhone(r.Context(), a, pid)
	if err != nil {
		h.View.Error(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	if r.Header.Get("HX-Request") == "true" {
		h.View.Render(w, r, http.StatusOK, "reveal", &RevealPage{Base: h.View.NewBase(r, "matters.title"), Value: phone})
		return
	}
	p.Revealed[pid] = phone
	h.View.Render(w, r, http.StatusOK, "matter", p)
}
