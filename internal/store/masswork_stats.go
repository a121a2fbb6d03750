package store

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dangjian/dangjian/internal/masswork"
)

// maxStatsMonths bounds the months one statistics query may ask for.
const maxStatsMonths = 120

// insightMonths returns the month boundaries in the zone from the month of from to the month
// of to (a month that to falls inside counts whole): bounds[i] starts month i, the last ends
// the last month.
func insightMonths(from, to time.Time, zone *time.Location) []time.Time {
	if zone == nil {
		zone = time.UTC
	}
	from, to = from.In(zone), to.In(zone)
	start := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, zone)
	end := time.Date(to.Year(), to.Month(), 1, 0, 0, 0, 0, zone)
	if end.Before(to) {
		end = end.AddDate(0, 1, 0)
	}
	var bounds []time.Time
	for t := start; !t.After(end) && len(bounds) <= maxStatsMonths; t = t.AddDate(0, 1, 0) {
		bounds = append(bounds, t)
	}
	return bounds
}

// insightBucket returns the expression numbering the month an instant column falls in, from
// 0, and its arguments: a CASE over the boundaries, which both dialects group by.
func insightBucket(col string, bounds []time.Time) (string, []any) {
	var b strings.Builder
	args := make([]any, 0, len(bounds)-1)
	b.WriteString("CASE")
	for i, t := range bounds[1:] {
		b.WriteString(" WHEN " + col + " < ? THEN " + strconv.Itoa(i))
		args = append(args, ms(t))
	}
	b.WriteString(" ELSE -1 END")
	return b.String(), args
}

// insightScope returns the condition that the organization path column lies in one of the
// subtrees, and its arguments.
func (db *DB) insightScope(col string, roots []string) (string, []any) {
	var conds []string
	var args []any
	for _, root := range roots {
		c, a := db.underPath(col, root)
		conds, args = append(conds, c), append(args, a...)
	}
	return "(" + strings.Join(conds, " OR ") + ")", args
}

// Stats counts the facts of the subtrees month by month, in the zone: reports by category and
// channel, matters opened, decisions, first responses and resolutions with their deadlines,
// the reporters' answers and visits. A handful of grouped queries serve every month at once;
// medians are taken in Go from the durations of the matters of the period.
//
// Acceptances, rejections and resolutions are counted from the timeline (the events of the
// month), so that a month's figures stay what they were when a matter is later reopened; a
// matter resolved twice in a month counts once, with its last resolution of the month, and
// each resolution is on time by the deadline of its own round. A first response is judged by
// the matter's response deadline, which is set once, when the matter is opened.
// With q.Rates only the matters opened, decisions, resolutions and answers are counted.
func (db *DB) Stats(ctx context.Context, q masswork.StatsQuery) ([]*masswork.MonthStats, error) {
	bounds := insightMonths(q.From, q.To, q.Zone)
	if len(bounds) < 2 {
		return nil, nil
	}
	out := make([]*masswork.MonthStats, len(bounds)-1)
	for i := range out {
		out[i] = &masswork.MonthStats{Month: bounds[i].Format("2006-01"), ByCategory: map[string]int{}, ByChannel: map[string]int{}}
	}
	if len(q.Roots) == 0 {
		return out, nil
	}
	err := db.readTx(ctx, func(tx *Tx) error {
		return db.insightCount(ctx, tx, q.Roots, bounds, q.Rates, out)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// insightCount runs the queries of Stats and fills out.
func (db *DB) insightCount(ctx context.Context, tx *Tx, roots []string, bounds []time.Time, rates bool, out []*masswork.MonthStats) error {
	lo, hi := ms(bounds[0]), ms(bounds[len(bounds)-1])
	scope, scopeArgs := db.insightScope("o.path", roots)
	// run runs "SELECT <bucket of col>, cols FROM ... WHERE scope AND cond AND col in the
	// period [GROUP BY]" and hands each row's month and scanned columns to fn.
	run := func(col, cols, from, cond string, condArgs []any, group string, dest []any, fn func(month int)) error {
		bucket, args := insightBucket(col, bounds)
		args = append(append(append(args, scopeArgs...), condArgs...), lo, hi)
		query := "SELECT " + bucket + ", " + cols + from + " WHERE " + scope + cond + " AND " + col + " >= ? AND " + col + " < ?" + group
		rows, err := tx.query(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		var month int
		for rows.Next() {
			if err := rows.Scan(append([]any{&month}, dest...)...); err != nil {
				return err
			}
			if month >= 0 && month < len(out) {
				fn(month)
			}
		}
		return rows.Err()
	}
	const matterOrg = " FROM matters m JOIN organizations o ON o.id = m.org_id"

	// Reports by channel and category.
	var channel, category string
	var n, m int
	if !rates {
		err := run("p.created_at", "p.channel, c.code, COUNT(*)",
			" FROM problems p JOIN matters m ON m.id = p.matter_id JOIN organizations o ON o.id = m.org_id JOIN problem_categories c ON c.id = p.category_id",
			"", nil, " GROUP BY 1, 2, 3", []any{&channel, &category, &n}, func(i int) {
				out[i].Problems += n
				out[i].ByChannel[channel] += n
				out[i].ByCategory[category] += n
			})
		if err != nil {
			return err
		}
	}
	// Matters opened; a matter merged into another is a report of that one.
	if err := run("m.created_at", "COUNT(*)", matterOrg, " AND m.status <> ?", []any{masswork.StatusMerged}, " GROUP BY 1",
		[]any{&n}, func(i int) { out[i].Matters += n }); err != nil {
		return err
	}
	// First responses, against their deadline. (The literal "> 0" lets the partial index on
	// the column serve the range.)
	responses := make([][]time.Duration, len(out))
	var created, at, due int64
	if !rates {
		if err := run("m.responded_at", "m.created_at, m.responded_at, m.response_due", matterOrg, " AND m.responded_at > 0", nil, "",
			[]any{&created, &at, &due}, func(i int) {
				out[i].Responded++
				if due == 0 || at <= due {
					out[i].RespondedOnTime++
				}
				responses[i] = append(responses[i], time.Duration(at-created)*time.Millisecond)
			}); err != nil {
			return err
		}
	}
	// Decisions and resolutions, from the timeline.
	type resolution struct{ at, created, due int64 }
	resolved := make([]map[int64]resolution, len(out))
	accepted := make([]map[int64]bool, len(out))
	rejected := make([]map[int64]bool, len(out))
	for i := range out {
		resolved[i], accepted[i], rejected[i] = map[int64]resolution{}, map[int64]bool{}, map[int64]bool{}
	}
	var matterID int64
	var kind string
	// A resolution is judged by the deadline of its round, kept on its event (a reopening
	// sets the matter a new one); resolutions recorded before it was kept have 0 there and
	// fall back to the matter's.
	if err := run("e.at", "e.matter_id, e.kind, e.at, m.created_at, CASE WHEN e.due > 0 THEN e.due ELSE m.resolve_due END",
		" FROM matter_events e JOIN matters m ON m.id = e.matter_id JOIN organizations o ON o.id = m.org_id",
		" AND e.kind IN (?, ?, ?)", []any{masswork.EventAccepted, masswork.EventRejected, masswork.EventResolved}, "",
		[]any{&matterID, &kind, &at, &created, &due}, func(i int) {
			switch kind {
			case masswork.EventAccepted:
				accepted[i][matterID] = true
			case masswork.EventRejected:
				rejected[i][matterID] = true
			case masswork.EventResolved:
				if r, ok := resolved[i][matterID]; !ok || at >= r.at {
					resolved[i][matterID] = resolution{at, created, due}
				}
			}
		}); err != nil {
		return err
	}
	resolutions := make([][]time.Duration, len(out))
	for i := range out {
		out[i].Accepted, out[i].Rejected, out[i].Resolved = len(accepted[i]), len(rejected[i]), len(resolved[i])
		for _, r := range resolved[i] {
			if r.due == 0 || r.at <= r.due {
				out[i].ResolvedOnTime++
			}
			resolutions[i] = append(resolutions[i], time.Duration(r.at-r.created)*time.Millisecond)
		}
		out[i].MedianResponse, out[i].MedianResolve = insightMedian(responses[i]), insightMedian(resolutions[i])
	}
	// The reporters' answers.
	var rating string
	if err := run("f.answered_at", "f.rating, COUNT(*)",
		" FROM matter_feedback f JOIN matters m ON m.id = f.matter_id JOIN organizations o ON o.id = m.org_id",
		" AND f.answered_at > 0", nil, " GROUP BY 1, 2", []any{&rating, &n}, func(i int) {
			out[i].Answers += n
			if rating == masswork.RatingSatisfied || rating == masswork.RatingBasic {
				out[i].Satisfied += n
			}
		}); err != nil {
		return err
	}
	if rates {
		return nil
	}
	// Visits, and the contacts among the masses they reached.
	if err := run("v.visited_at", "COUNT(*), COUNT(DISTINCT CASE WHEN pc.stage = 'masses' THEN v.contact_id END)",
		" FROM visits v JOIN organizations o ON o.id = v.org_id JOIN people pc ON pc.id = v.contact_id",
		"", nil, " GROUP BY 1", []any{&n, &m}, func(i int) {
			out[i].Visits += n
			out[i].ContactsVisited += m
		}); err != nil {
		return err
	}
	// The masses on the register: coverage's base.
	var contacts int
	if err := tx.queryRow(ctx, "SELECT COUNT(*) FROM people p JOIN organizations o ON o.id = p.org_id WHERE "+scope+
		" AND p.stage = 'masses' AND p.status = 'normal'", scopeArgs...).Scan(&contacts); err != nil {
		return err
	}
	for _, s := range out {
		s.Contacts = contacts
	}
	return nil
}

// insightMedian returns the median of durations (the mean of the middle two for an even
// count), 0 for none.
func insightMedian(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	n := len(ds)
	if n%2 == 1 {
		return ds[n/2]
	}
	return (ds[n/2-1] + ds[n/2]) / 2
}
