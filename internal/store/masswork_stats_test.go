package store_test

import (
	"context"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/dangjian/dangjian/internal/apperr"
	"github.com/dangjian/dangjian/internal/audit"
	"github.com/dangjian/dangjian/internal/masswork"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

// statsFact is what the test wrote of one matter, to count again without the database.
type statsFact struct {
	matter   *masswork.Matter
	inScope  bool
	reports  []statsReport
	events   []*masswork.Event
	answers  []statsAnswer
	channels []string
}

type statsReport struct {
	channel, category string
	at                time.Time
}

type statsAnswer struct {
	round  int
	rating string
	at     time.Time
}

// statsWorld writes a random but reproducible history of matters, reports, decisions,
// resolutions, answers and visits around the months June–August 2023, with facts on both
// sides of the month boundaries in the zone (which are not those of UTC), and returns what it
// wrote.
func statsWorld(t *testing.T, e *projectEnv) ([]*statsFact, []*masswork.Visit) {
	t.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(4, 2023))
	channels := masswork.Channels
	ratings := []string{masswork.RatingSatisfied, masswork.RatingBasic, masswork.RatingDissatisfied}
	start := e.day("2023-05-25 08:00")
	var facts []*statsFact
	// Fixed instants at the edges of the months, then random ones.
	instants := []time.Time{e.day("2023-05-31 23:59"), e.day("2023-06-01 00:01"), e.day("2023-06-30 23:30"),
		e.day("2023-07-01 00:30"), e.day("2023-08-31 23:59")}
	for i := 0; i < 70; i++ {
		instants = append(instants, start.Add(time.Duration(rng.IntN(100*24*60))*time.Minute))
	}
	for i, created := range instants {
		o := []*org.Organization{e.b2, e.b2, e.group, e.b1}[rng.IntN(4)]
		cat := []*masswork.Category{e.parking, e.network}[rng.IntN(2)]
		f := &statsFact{inScope: o.ID != e.b1.ID}
		first := channels[rng.IntN(len(channels))]
		m := e.matter(t, o, cat, "诉求", created, first)
		f.matter = m
		f.reports = append(f.reports, statsReport{first, cat.Code, created})
		problems := []*masswork.Problem{e.lastProblem}
		for n := rng.IntN(3); n > 0; n-- {
			ch := channels[rng.IntN(len(channels))]
			at := created.Add(time.Duration(rng.IntN(20*24)) * time.Hour)
			problems = append(problems, e.report(t, m, ch, at))
			f.reports = append(f.reports, statsReport{ch, cat.Code, at})
		}
		m.ResponseDue, m.ResolveDue = created.Add(24*time.Hour), created.Add(10*24*time.Hour)
		if i == 0 {
			m.ResponseDue, m.ResolveDue = time.Time{}, time.Time{} // no deadlines: on time
		}
		var evs []*masswork.Event
		event := func(kind string, at time.Time) *masswork.Event {
			ev := &masswork.Event{Kind: kind, At: at}
			evs = append(evs, ev)
			return ev
		}
		switch r := rng.IntN(10); {
		case r < 2: // not answered yet
		case r < 3: // rejected
			m.RespondedAt = created.Add(time.Duration(rng.IntN(48*60)) * time.Minute)
			m.Status, m.RejectReason, m.ClosedAt, m.CloseReason = masswork.StatusRejected, "不属于受理范围", m.RespondedAt, masswork.CloseRejected
			event(masswork.EventRejected, m.RespondedAt)
		default:
			m.RespondedAt = created.Add(time.Duration(rng.IntN(48*60)) * time.Minute)
			m.AcceptedAt, m.Status = m.RespondedAt, masswork.StatusAccepted
			event(masswork.EventAccepted, m.RespondedAt)
			if rng.IntN(3) > 0 {
				at := m.RespondedAt.Add(time.Duration(rng.IntN(20*24*60)) * time.Minute)
				resolved := event(masswork.EventResolved, at)
				m.Round = 1
				if i%3 != 0 { // the others as recorded before resolutions kept their deadline
					resolved.Due = m.ResolveDue
				}
				if rng.IntN(4) == 0 { // reopened with a new deadline and resolved again
					resolved.Due = m.ResolveDue
					reopened := at.Add(30 * time.Hour)
					event(masswork.EventReopened, reopened)
					if !m.ResolveDue.IsZero() {
						m.ResolveDue = reopened.Add(10 * 24 * time.Hour)
					}
					at = at.Add(time.Duration(40+rng.IntN(300)) * time.Hour)
					event(masswork.EventResolved, at).Due = m.ResolveDue
					m.Round = 2
				}
				m.Status, m.ResolvedAt = masswork.StatusResolved, at
			}
		}
		if i == 7 {
			m.Status, m.MergedInto, m.CloseReason, m.ClosedAt = masswork.StatusMerged, facts[0].matter.ID, masswork.CloseMerged, created.Add(time.Hour)
		}
		e.update(t, m, evs...)
		f.events = evs
		// Answers of each round asked, some given.
		for round := 1; round <= m.Round; round++ {
			var asked []*masswork.Feedback
			for _, p := range problems {
				asked = append(asked, &masswork.Feedback{MatterID: m.ID, ProblemID: p.ID, Round: round, AskedAt: m.ResolvedAt})
			}
			if err := e.db.AskFeedback(ctx, asked); err != nil {
				t.Fatal(err)
			}
			for _, fb := range asked {
				if rng.IntN(3) == 0 {
					continue
				}
				fb.Rating = ratings[rng.IntN(3)]
				fb.AnsweredAt = m.ResolvedAt.Add(time.Duration(rng.IntN(7*24*60)) * time.Minute)
				fb.Via = "link"
				if err := e.db.AnswerFeedback(ctx, fb, nil, nil, nil); err != nil {
					t.Fatal(err)
				}
				f.answers = append(f.answers, statsAnswer{round, fb.Rating, fb.AnsweredAt})
			}
		}
		facts = append(facts, f)
	}
	// Visits of the Second Branch to its contacts (and once to a member, who is not one of
	// the masses), and of the First Branch to its own.
	var visits []*masswork.Visit
	visit := func(o *org.Organization, contact *org.Person, at time.Time) {
		v := &masswork.Visit{OrgID: o.ID, ContactID: contact.ID, VisitorName: "王书记", VisitedAt: at, Summary: "走访"}
		if err := e.db.CreateVisit(ctx, v, &audit.Record{Action: "visit.create", ObjectType: "visit"}); err != nil {
			t.Fatal(err)
		}
		visits = append(visits, v)
	}
	for i := 0; i < 30; i++ {
		at := start.Add(time.Duration(rng.IntN(100*24*60)) * time.Minute)
		if i%5 == 4 {
			visit(e.b1, e.outsider, at)
			continue
		}
		visit([]*org.Organization{e.b2, e.group}[rng.IntN(2)], e.contacts[rng.IntN(len(e.contacts))], at)
	}
	visit(e.b2, e.owner, e.day("2023-07-01 00:10"))
	visit(e.b2, e.contacts[0], e.day("2023-06-30 23:50"))
	return facts, visits
}

// statsRecount counts the months of the facts again, the slow way.
func statsRecount(e *projectEnv, facts []*statsFact, visits []*masswork.Visit, months []string) []*masswork.MonthStats {
	idx := map[string]int{}
	out := make([]*masswork.MonthStats, len(months))
	for i, m := range months {
		idx[m] = i
		out[i] = &masswork.MonthStats{Month: m, ByCategory: map[string]int{}, ByChannel: map[string]int{}}
	}
	month := func(t time.Time) (*masswork.MonthStats, int, bool) {
		i, ok := idx[t.In(e.zone).Format("2006-01")]
		if !ok {
			return nil, 0, false
		}
		return out[i], i, true
	}
	responses := make([][]time.Duration, len(months))
	resolutions := make([][]time.Duration, len(months))
	for _, f := range facts {
		if !f.inScope {
			continue
		}
		m := f.matter
		for _, r := range f.reports {
			if s, _, ok := month(r.at); ok {
				s.Problems++
				s.ByChannel[r.channel]++
				s.ByCategory[r.category]++
			}
		}
		if s, _, ok := month(m.CreatedAt); ok && m.Status != masswork.StatusMerged {
			s.Matters++
		}
		if s, i, ok := month(m.RespondedAt); ok && !m.RespondedAt.IsZero() {
			s.Responded++
			if m.ResponseDue.IsZero() || !m.RespondedAt.After(m.ResponseDue) {
				s.RespondedOnTime++
			}
			responses[i] = append(responses[i], m.RespondedAt.Sub(m.CreatedAt))
		}
		lastResolved := map[int]*masswork.Event{}
		for _, ev := range f.events {
			s, i, ok := month(ev.At)
			if !ok {
				continue
			}
			switch ev.Kind {
			case masswork.EventAccepted:
				s.Accepted++
			case masswork.EventRejected:
				s.Rejected++
			case masswork.EventResolved:
				if last := lastResolved[i]; last == nil || ev.At.After(last.At) {
					lastResolved[i] = ev
				}
			}
		}
		for i, ev := range lastResolved {
			out[i].Resolved++
			due := ev.Due // the deadline of its round; the matter's for one recorded without
			if due.IsZero() {
				due = m.ResolveDue
			}
			if due.IsZero() || !ev.At.After(due) {
				out[i].ResolvedOnTime++
			}
			resolutions[i] = append(resolutions[i], ev.At.Sub(m.CreatedAt))
		}
		for _, a := range f.answers {
			if s, _, ok := month(a.at); ok {
				s.Answers++
				if a.rating != masswork.RatingDissatisfied {
					s.Satisfied++
				}
			}
		}
	}
	median := func(ds []time.Duration) time.Duration {
		if len(ds) == 0 {
			return 0
		}
		slices.Sort(ds)
		if len(ds)%2 == 1 {
			return ds[len(ds)/2]
		}
		return (ds[len(ds)/2-1] + ds[len(ds)/2]) / 2
	}
	masses := map[int64]bool{}
	for _, c := range e.contacts {
		masses[c.ID] = true
	}
	visited := make([]map[int64]bool, len(months))
	for i := range visited {
		visited[i] = map[int64]bool{}
	}
	for _, v := range visits {
		s, i, ok := month(v.VisitedAt)
		if !ok || v.OrgID == e.b1.ID {
			continue
		}
		s.Visits++
		if masses[v.ContactID] {
			visited[i][v.ContactID] = true
		}
	}
	for i, s := range out {
		s.MedianResponse, s.MedianResolve = median(responses[i]), median(resolutions[i])
		s.ContactsVisited = len(visited[i])
		s.Contacts = len(e.contacts)
	}
	return out
}

func TestStatsAgainstRecount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		e := newProjectEnv(t, d)
		facts, visits := statsWorld(t, e)
		got, err := e.db.Stats(ctx, masswork.StatsQuery{Roots: []string{e.b2.Path}, From: e.day("2023-06-01 00:00"),
			To: e.day("2023-09-01 00:00"), Zone: e.zone})
		if err != nil {
			t.Fatal(err)
		}
		want := statsRecount(e, facts, visits, []string{"2023-06", "2023-07", "2023-08"})
		if len(got) != len(want) {
			t.Fatalf("months = %d, want %d", len(got), len(want))
		}
		busy := 0
		for i := range want {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Errorf("month %s:\n got %+v\nwant %+v", want[i].Month, got[i], want[i])
			}
			if want[i].Problems > 5 && want[i].Resolved > 2 && want[i].Answers > 2 && want[i].Visits > 2 && want[i].Rejected > 0 {
				busy++
			}
		}
		if busy < 2 {
			t.Errorf("the history is too thin to test anything: %+v", want)
		}

		// The rates alone: the same figures for what they count, nothing else.
		rates, err := e.db.Stats(ctx, masswork.StatsQuery{Roots: []string{e.b2.Path}, From: e.day("2023-06-01 00:00"),
			To: e.day("2023-09-01 00:00"), Zone: e.zone, Rates: true})
		if err != nil {
			t.Fatal(err)
		}
		for i, w := range want {
			r := &masswork.MonthStats{Month: w.Month, Matters: w.Matters, Accepted: w.Accepted, Rejected: w.Rejected, Resolved: w.Resolved,
				ResolvedOnTime: w.ResolvedOnTime, MedianResolve: w.MedianResolve, Answers: w.Answers, Satisfied: w.Satisfied,
				ByCategory: map[string]int{}, ByChannel: map[string]int{}}
			if !reflect.DeepEqual(rates[i], r) {
				t.Errorf("rates of %s:\n got %+v\nwant %+v", w.Month, rates[i], r)
			}
		}

		// The whole committee sees the First Branch's figures too; a subtree nobody asked for
		// (no roots) is all zeros; a month that to falls inside counts whole.
		all, err := e.db.Stats(ctx, masswork.StatsQuery{Roots: []string{e.committee.Path}, From: e.day("2023-07-01 00:00"),
			To: e.day("2023-07-20 00:00"), Zone: e.zone})
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 1 || all[0].Month != "2023-07" || all[0].Problems <= got[1].Problems {
			t.Errorf("committee July = %+v, branch %+v", all, got[1])
		}
		none, err := e.db.Stats(ctx, masswork.StatsQuery{From: e.day("2023-07-01 00:00"), To: e.day("2023-08-01 00:00"), Zone: e.zone})
		if err != nil {
			t.Fatal(err)
		}
		if len(none) != 1 || none[0].Problems != 0 || none[0].Contacts != 0 {
			t.Errorf("no roots = %+v", none)
		}
	})
}

// TestStatsResolutionByItsRoundsDeadline: a dissatisfied answer reopens a matter with a new
// resolution deadline; each resolution is judged by the deadline of its own round, not by the
// matter's latest one.
func TestStatsResolutionByItsRoundsDeadline(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		e := newProjectEnv(t, d)
		// resolveTwice opens a matter of o due by due1, resolves it at first, reopens it the
		// day after with the deadline due2 and resolves it again at second.
		resolveTwice := func(o *org.Organization, created, due1, first, due2, second time.Time) {
			t.Helper()
			m := e.matter(t, o, e.parking, "诉求", created, masswork.ChannelWeb)
			m.ResponseDue, m.ResolveDue = created.Add(24*time.Hour), due1
			m.Status, m.RespondedAt, m.AcceptedAt = masswork.StatusAccepted, created.Add(time.Hour), created.Add(time.Hour)
			e.update(t, m, &masswork.Event{Kind: masswork.EventAccepted, At: m.AcceptedAt})
			m.Status, m.ResolvedAt, m.Round = masswork.StatusResolved, first, 1
			e.update(t, m, &masswork.Event{Kind: masswork.EventResolved, At: first, Due: due1})
			m.Status, m.ResolvedAt, m.ResolveDue = masswork.StatusInProgress, time.Time{}, due2
			e.update(t, m, &masswork.Event{Kind: masswork.EventReopened, At: first.Add(24 * time.Hour)})
			m.Status, m.ResolvedAt, m.Round = masswork.StatusResolved, second, 2
			e.update(t, m, &masswork.Event{Kind: masswork.EventResolved, At: second, Due: due2})
		}
		// On time in June, reopened, late in July (after the new deadline).
		resolveTwice(e.b1, e.day("2023-06-01 09:00"), e.day("2023-06-15 23:59"), e.day("2023-06-10 10:00"),
			e.day("2023-06-26 23:59"), e.day("2023-07-05 10:00"))
		// Late in June (yet before the deadline the reopening set), on time in July.
		resolveTwice(e.group, e.day("2023-06-02 09:00"), e.day("2023-06-16 23:59"), e.day("2023-06-20 10:00"),
			e.day("2023-07-06 23:59"), e.day("2023-07-03 10:00"))
		// A resolution recorded before events kept their deadline is judged by the matter's.
		m := e.matter(t, e.b2, e.network, "旧诉求", e.day("2023-06-01 09:00"), masswork.ChannelWeb)
		m.Status, m.ResolveDue, m.ResolvedAt, m.Round = masswork.StatusResolved, e.day("2023-06-04 23:59"), e.day("2023-06-05 10:00"), 1
		e.update(t, m, &masswork.Event{Kind: masswork.EventResolved, At: m.ResolvedAt})

		for _, tt := range []struct {
			name string
			root string
			want [2][2]int // June and July: resolved, on time
		}{
			{"on time then late", e.b1.Path, [2][2]int{{1, 1}, {1, 0}}},
			{"late then on time", e.group.Path, [2][2]int{{1, 0}, {1, 1}}},
			{"all, with the old one late", e.committee.Path, [2][2]int{{3, 1}, {2, 1}}},
		} {
			for _, rates := range []bool{false, true} {
				got, err := e.db.Stats(ctx, masswork.StatsQuery{Roots: []string{tt.root}, From: e.day("2023-06-01 00:00"),
					To: e.day("2023-08-01 00:00"), Zone: e.zone, Rates: rates})
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != 2 {
					t.Fatalf("%s: %d months, want 2", tt.name, len(got))
				}
				g := [2][2]int{{got[0].Resolved, got[0].ResolvedOnTime}, {got[1].Resolved, got[1].ResolvedOnTime}}
				if g != tt.want {
					t.Errorf("%s (rates %v): June and July resolved, on time = %v, want %v", tt.name, rates, g, tt.want)
				}
			}
		}
	})
}

func TestMatterLedger(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		e := newProjectEnv(t, d)
		facts, _ := statsWorld(t, e)
		from, to := e.day("2023-06-01 00:00"), e.day("2023-09-01 00:00")
		rows, err := e.db.FindMatterLedger(ctx, []string{e.b2.Path}, from, to, 1000)
		if err != nil {
			t.Fatal(err)
		}
		var want []*statsFact
		for _, f := range facts {
			if f.inScope && !f.matter.CreatedAt.Before(from) && f.matter.CreatedAt.Before(to) {
				want = append(want, f)
			}
		}
		slices.SortStableFunc(want, func(a, b *statsFact) int { return a.matter.CreatedAt.Compare(b.matter.CreatedAt) })
		if len(rows) != len(want) {
			t.Fatalf("rows = %d, want %d", len(rows), len(want))
		}
		for i, row := range rows {
			f := want[i]
			if row.Code != f.matter.Code || row.Status != f.matter.Status || row.OrgName == "" || row.CategoryName == "" {
				t.Errorf("row %d = %s %s, want %s %s", i, row.Code, row.Status, f.matter.Code, f.matter.Status)
			}
			if !row.RespondedAt.Equal(f.matter.RespondedAt) || !row.ResolvedAt.Equal(f.matter.ResolvedAt) || !row.ResolveDue.Equal(f.matter.ResolveDue) {
				t.Errorf("%s: times %v %v %v", row.Code, row.RespondedAt, row.ResolvedAt, row.ResolveDue)
			}
			var channels []string
			firstAt := f.matter.CreatedAt
			for _, r := range f.reports {
				if !slices.Contains(channels, r.channel) {
					channels = append(channels, r.channel)
				}
				if r.at.Before(firstAt) {
					firstAt = r.at
				}
			}
			slices.SortFunc(channels, func(a, b string) int {
				return slices.Index(masswork.Channels, a) - slices.Index(masswork.Channels, b)
			})
			if !slices.Equal(row.Channels, channels) || !row.FirstReported.Equal(firstAt) {
				t.Errorf("%s: channels %v first %v, want %v %v", row.Code, row.Channels, row.FirstReported, channels, firstAt)
			}
			ratings, round := map[string]int{}, 0
			for _, a := range f.answers {
				if a.round > round {
					round, ratings = a.round, map[string]int{}
				}
				ratings[a.rating]++
			}
			if row.Round != round || !reflect.DeepEqual(row.Ratings, ratings) {
				t.Errorf("%s: round %d ratings %v, want %d %v", row.Code, row.Round, row.Ratings, round, ratings)
			}
		}
		if _, err := e.db.FindMatterLedger(ctx, []string{e.b2.Path}, from, to, 3); apperr.KindOf(err) != apperr.Invalid {
			t.Errorf("over the limit: err = %v, want invalid", err)
		}
		if rows, err := e.db.FindMatterLedger(ctx, nil, from, to, 10); err != nil || len(rows) != 0 {
			t.Errorf("no roots: %d rows, %v", len(rows), err)
		}
	})
}
