package masswork

import (
	"context"
	"maps"
	"sync"
	"time"
)

// The figures of a past month hardly change: every fact is written at the instant it
// happens, so later handling adds to the current month. (A matter merged or moved later, or
// a deadline set again when a matter is reopened, can still change a past month a little.)
// Insight and the public board, which count twelve months or more on every request, keep
// the past months' figures of a subtree for a few minutes and count only the current month
// again. The figures are counts and rates: nothing personal is kept.

// Bounds of the cache of past months.
const (
	insightCacheFor = 10 * time.Minute
	insightCacheMax = 20000 // months of subtrees
)

type insightCache struct {
	mu      sync.Mutex
	entries map[insightKey]insightCached
}

type insightKey struct {
	path  string
	month string
	rates bool
}

type insightCached struct {
	stats *MonthStats
	at    time.Time
}

// get returns a month's figures if kept and fresh at now; full figures serve a request for
// rates too.
func (c *insightCache) get(k insightKey, now time.Time) (*MonthStats, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, key := range []insightKey{k, {k.path, k.month, false}} {
		if e, ok := c.entries[key]; ok && !now.Before(e.at) && now.Sub(e.at) < insightCacheFor {
			return insightClone(e.stats), true
		}
		if !k.rates {
			break
		}
	}
	return nil, false
}

// put keeps months' figures counted at now.
func (c *insightCache) put(path string, rates bool, months []*MonthStats, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[insightKey]insightCached{}
	}
	if len(c.entries)+len(months) > insightCacheMax {
		for k, e := range c.entries {
			if now.Before(e.at) || now.Sub(e.at) >= insightCacheFor {
				delete(c.entries, k)
			}
		}
		if len(c.entries)+len(months) > insightCacheMax {
			clear(c.entries)
		}
	}
	for _, m := range months {
		c.entries[insightKey{path, m.Month, rates}] = insightCached{insightClone(m), now}
	}
}

func insightClone(m *MonthStats) *MonthStats {
	c := *m
	c.ByCategory, c.ByChannel = maps.Clone(m.ByCategory), maps.Clone(m.ByChannel)
	return &c
}

// monthStats returns the figures of a subtree for the months from–to (starts of months in
// the zone), the past ones from the cache when it has them all, the current and later ones
// counted now.
func (s *Service) monthStats(ctx context.Context, path string, from, to time.Time, rates bool) ([]*MonthStats, error) {
	now := s.now()
	local := now.In(s.zone)
	current := time.Date(local.Year(), local.Month(), 1, 0, 0, 0, 0, s.zone)
	var past []*MonthStats
	cached := true
	for t := from; t.Before(to) && t.Before(current); t = t.AddDate(0, 1, 0) {
		m, ok := s.months.get(insightKey{path, t.Format("2006-01"), rates}, now)
		if !ok {
			cached = false
			break
		}
		past = append(past, m)
	}
	query := StatsQuery{Roots: []string{path}, From: from, To: to, Zone: s.zone, Rates: rates}
	if cached && len(past) > 0 {
		if !current.Before(to) {
			return past, nil
		}
		query.From = current
	} else {
		past = nil
	}
	counted, err := s.store.Stats(ctx, query)
	if err != nil {
		return nil, err
	}
	var done []*MonthStats
	for _, m := range counted {
		if m.Month < current.Format("2006-01") {
			done = append(done, m)
		}
	}
	s.months.put(path, rates, done, now)
	return append(past, counted...), nil
}
