package masswork

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

func TestProminence(t *testing.T) {
	now := time.Date(2025, 6, 3, 9, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	for _, tt := range []struct {
		name   string
		latest []time.Time
		at     time.Time
		want   float64
	}{
		{"one person now", []time.Time{now}, now, 1},
		{"one person a half-life ago", []time.Time{now.Add(-30 * day)}, now, 0.5},
		{"two half-lives ago", []time.Time{now.Add(-60 * day)}, now, 0.25},
		{"two people now", []time.Time{now, now}, now, 2},
		{"now and a half-life ago", []time.Time{now, now.Add(-30 * day)}, now, 1.5},
		{"read a half-life later", []time.Time{now, now}, now.Add(30 * day), 1},
		{"at the epoch", []time.Time{Epoch}, Epoch, 1},
		{"far in the future", []time.Time{now.AddDate(600, 0, 0), now.AddDate(600, 0, 0)}, now.AddDate(600, 0, 0), 2},
		{"before the epoch", []time.Time{time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)}, time.Date(1900, 1, 31, 0, 0, 0, 0, time.UTC), 0.5},
	} {
		key := RankKey(tt.latest)
		if math.IsInf(key, 0) || math.IsNaN(key) {
			t.Errorf("%s: key = %v", tt.name, key)
			continue
		}
		if got := Prominence(key, tt.at); math.Abs(got-tt.want) > 1e-9*tt.want {
			t.Errorf("%s: prominence = %v, want %v", tt.name, got, tt.want)
		}
	}
	if got := RankKey(nil); got != 0 {
		t.Errorf("RankKey(nil) = %v, want 0", got)
	}
	// Centuries away the key stays exact where 2^x itself would overflow.
	far := now.AddDate(900000, 0, 0)
	if k1, k2 := RankKey([]time.Time{far}), RankKey([]time.Time{far, far}); math.IsInf(k1, 0) || math.Abs(k2-k1-1) > 1e-6 {
		t.Errorf("far future: keys %v and %v, want them 1 apart", k1, k2)
	}
}

// randomPeople returns 1 to 20 instants in the two years after the epoch's fifth year.
func randomPeople(r *rand.Rand) []time.Time {
	out := make([]time.Time, 1+r.IntN(20))
	base := Epoch.AddDate(5, 0, 0)
	for i := range out {
		out[i] = base.Add(time.Duration(r.Int64N(int64(2 * 365 * 24 * time.Hour))))
	}
	return out
}

// TestRankKeyProperties: adding a person never lowers the key, the order of the people does
// not matter, and ordering by key is ordering by prominence at any instant.
func TestRankKeyProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 2))
	for i := 0; i < 2000; i++ {
		a, b := randomPeople(r), randomPeople(r)
		ka, kb := RankKey(a), RankKey(b)
		extra := append(append([]time.Time(nil), a...), randomPeople(r)[0])
		if k := RankKey(extra); k < ka {
			t.Fatalf("adding a person lowered the key: %v < %v", k, ka)
		}
		shuffled := append([]time.Time(nil), a...)
		r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		if k := RankKey(shuffled); math.Abs(k-ka) > 1e-9 {
			t.Fatalf("order changed the key: %v != %v", k, ka)
		}
		at := Epoch.AddDate(r.IntN(40), 0, r.IntN(365))
		pa, pb := Prominence(ka, at), Prominence(kb, at)
		if (ka < kb) != (pa < pb) && pa != pb {
			t.Fatalf("keys %v < %v disagree with prominence %v < %v at %v", ka, kb, pa, pb, at)
		}
		// The key is the prominence at the epoch, in halvings: a direct sum agrees.
		var sum float64
		now := Epoch.AddDate(6, 0, 0)
		for _, ti := range a {
			sum += math.Exp2(-now.Sub(ti).Hours() / HalfLife.Hours())
		}
		if got := Prominence(ka, now); math.Abs(got-sum) > 1e-9*sum {
			t.Fatalf("prominence %v, direct sum %v", got, sum)
		}
	}
}
