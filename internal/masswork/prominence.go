package masswork

import (
	"math"
	"time"
)

// Prominence weighs the people affected by a matter by how recently they joined it: a person
// who joined now counts 1, one who joined HalfLife ago counts ½, two half-lives ago ¼. The sum
// decays with time, but every matter decays at the same rate, so the order of two matters by
// prominence never changes while nobody joins: it is the order of a key that does not depend
// on the instant,
//
//	rank key = log2 Σ 2^((tᵢ − Epoch) / HalfLife)
//
// over the people of the matter, tᵢ the time of person i's latest report. The key is stored
// with the matter (matters.rank_key) and indexed; the board orders by it, and Prominence turns
// it into the weighted number of people at an instant.

// Epoch is the origin of rank keys.
var Epoch = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

// HalfLife is the time after which a person's weight in a matter's prominence halves.
const HalfLife = 30 * 24 * time.Hour

// halfLives returns (t − Epoch) / HalfLife, computed on milliseconds so that it neither
// overflows nor saturates for any instant of the next few million years (time.Duration would
// saturate after 292 years).
func halfLives(t time.Time) float64 {
	return float64(t.UnixMilli()-Epoch.UnixMilli()) / float64(HalfLife.Milliseconds())
}

// RankKey returns the rank key of a matter whose people's latest reports were at the given
// instants: log2 Σ 2^((t − Epoch) / HalfLife). It is computed as the largest exponent plus the
// log of a sum of powers of at most 1 (the log-sum-exp way), so that it stays exact for
// instants centuries away, where 2^x itself would overflow.
//
// A matter with no people has key 0, the key of one person who joined at Epoch: such a matter
// does not exist in practice (every matter has its first report), and 0 keeps the column
// simple.
func RankKey(latest []time.Time) float64 {
	if len(latest) == 0 {
		return 0
	}
	top := math.Inf(-1)
	xs := make([]float64, len(latest))
	for i, t := range latest {
		xs[i] = halfLives(t)
		top = math.Max(top, xs[i])
	}
	var sum float64
	for _, x := range xs {
		sum += math.Exp2(x - top)
	}
	return top + math.Log2(sum)
}

// Prominence returns the number of people of a matter, each weighted by the recency of their
// latest report (1 for now, ½ for HalfLife ago), at the instant now, from the matter's rank
// key: 2^(rankKey − (now − Epoch) / HalfLife).
func Prominence(rankKey float64, now time.Time) float64 {
	return math.Exp2(rankKey - halfLives(now))
}
