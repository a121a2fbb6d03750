package store_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/demo"
	"github.com/dangjian/dangjian/internal/masswork"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

// Fragments of the problems merchants raise, to generate texts whose bigrams are distributed
// as real ones are: a few places and complaints shared by many matters, details that vary.
var (
	benchPlaces   = []string{"东门", "西门", "南门", "北门", "A区", "B区", "C区", "D区", "E区", "二楼走廊", "三楼", "停车场", "卸货区", "电梯口", "消防通道", "公共厕所", "一楼大厅", "食堂门口"}
	benchProblems = [][]string{
		{"停车难，车位太少", "停车位不够用", "乱停车堵住路口"},
		{"走廊太热没有空调", "没有遮阳降温设施", "空调不制冷"},
		{"宽带经常断网", "网络信号差", "网速太慢影响直播"},
		{"消防通道被货物堵住", "灭火器过期", "安全出口指示灯不亮"},
		{"有外来摊贩卖假珍珠", "有人冒充商户卖假货", "以次充好坑顾客"},
		{"电梯坏了", "灯不亮", "漏水", "排水不畅下雨积水"},
		{"垃圾没人清运", "公共厕所太脏", "收费不合理", "噪音太大"},
	}
	benchDetails = []string{"已经好几天了", "影响生意", "顾客投诉很多", "希望尽快解决", "老人孩子不方便", "中午温度超过40度",
		"晚上特别严重", "周末更严重", "上周反映过还没解决", "大家都有意见", "请领导来看看", ""}
	benchCategories = []string{"parking", "heat", "network", "fire", "counterfeit", "repair", "other"}
)

func benchText(rng *rand.Rand, cat int, place string) string {
	ps := benchProblems[cat]
	return place + ps[rng.IntN(len(ps))] + "，" + benchDetails[rng.IntN(len(benchDetails))]
}

// massworkData is a generated set of matters and their reports.
type massworkData struct {
	committee  *org.Organization
	categories []int64
	texts      []string // sample texts to type
}

// generateMasswork writes matters matters and about problems reports (each matter gets one
// report or more, skewed: most have a few, some many) for the organizations of a generated
// tree, with the similarity index of the open ones.
func generateMasswork(b testing.TB, db *store.DB, matters, problems int) *massworkData {
	ctx := context.Background()
	g, err := demo.Generate(ctx, db, demo.GenerateOptions{People: 2000, Orgs: 400, Seed: 7, Now: time.Now()})
	if err != nil {
		b.Fatal(err)
	}
	pg := db.Dialect == store.Postgres
	now := time.Now()
	out := &massworkData{committee: g.Committee}
	var rows [][]any
	for i, code := range benchCategories {
		rows = append(rows, []any{g.Committee.ID, code, "类别" + code, code, 1, 10, "[]", true, i, now.UnixMilli(), now.UnixMilli()})
	}
	if err := storetest.BulkInsert(db.SQL(), pg, "INSERT INTO problem_categories (org_id, code, name_zh, name_en, response_days, resolve_days, fields, active, sort_order, created_at, updated_at) VALUES ", rows); err != nil {
		b.Fatal(err)
	}
	r, err := db.SQL().Query("SELECT id FROM problem_categories ORDER BY sort_order")
	if err != nil {
		b.Fatal(err)
	}
	for r.Next() {
		var id int64
		r.Scan(&id)
		out.categories = append(out.categories, id)
	}
	r.Close()
	var branches []*org.Organization
	for _, o := range g.Orgs {
		if o.Kind == org.KindBranch {
			branches = append(branches, o)
		}
	}
	rng := rand.New(rand.NewPCG(11, 4))
	// A matter is handled in weeks and the set spans a year: about one in ten is still open
	// (and in the similarity index), most are closed, some rejected.
	statuses := []string{masswork.StatusSubmitted, masswork.StatusAccepted, masswork.StatusInProgress, masswork.StatusInProgress,
		masswork.StatusResolved}
	for range 40 {
		statuses = append(statuses, masswork.StatusClosed)
	}
	statuses = append(statuses, masswork.StatusRejected, masswork.StatusRejected)
	// Reports per matter: a Pareto-like skew with the requested mean.
	mean := float64(problems) / float64(matters)
	var mrows, prows [][]any
	flush := func(force bool) {
		if len(mrows) >= 20000 || force && len(mrows) > 0 {
			if err := storetest.BulkInsert(db.SQL(), pg, "INSERT INTO matters (id, code, org_id, category_id, title, status, zone, people, rank_key, gram_set, response_due, resolve_due, responded_at, created_at, updated_at) VALUES ", mrows); err != nil {
				b.Fatal(err)
			}
			if err := storetest.BulkInsert(db.SQL(), pg, "INSERT INTO problems (matter_id, original_matter_id, code, secret_hash, kind, channel, category_id, description, zone, person_key, created_at) VALUES ", prows); err != nil {
				b.Fatal(err)
			}
			mrows, prows = mrows[:0], prows[:0]
		}
	}
	problemCode := 100000000000
	for m := 1; m <= matters; m++ {
		cat := rng.IntN(len(benchCategories))
		place := benchPlaces[rng.IntN(len(benchPlaces))]
		text := benchText(rng, cat, place)
		if len(out.texts) < 200 {
			out.texts = append(out.texts, benchText(rng, cat, place))
		}
		n := max(1, int(math.Round(mean*0.35/math.Pow(1-rng.Float64(), 0.65))))
		status := statuses[rng.IntN(len(statuses))]
		created := now.Add(-time.Duration(rng.IntN(365*24)) * time.Hour)
		if masswork.Open(status) {
			created = now.Add(-time.Duration(rng.IntN(30*24)) * time.Hour)
		}
		var latest []time.Time
		grams := masswork.Grams(text)
		for k := 0; k < n; k++ {
			at := created.Add(time.Duration(k*rng.IntN(48)) * time.Minute)
			latest = append(latest, at)
			desc := text
			if k > 0 {
				desc = benchText(rng, cat, place)
			}
			problemCode++
			prows = append(prows, []any{m, m, strconv.Itoa(problemCode), "x", masswork.KindReport, masswork.ChannelWeb, out.categories[cat], desc, place,
				"r:" + strconv.Itoa(problemCode), at.UnixMilli()})
		}
		o := branches[rng.IntN(len(branches))]
		mrows = append(mrows, []any{m, fmt.Sprintf("9%011d", m), o.ID, out.categories[cat], text, status, place, n, masswork.RankKey(latest), store.PackGrams(grams),
			created.Add(24 * time.Hour).UnixMilli(), created.Add(14 * 24 * time.Hour).UnixMilli(), created.Add(3 * time.Hour).UnixMilli(),
			created.UnixMilli(), created.UnixMilli()})
		flush(false)
	}
	flush(true)
	if pg {
		for _, q := range []string{"SELECT setval(pg_get_serial_sequence('matters', 'id'), (SELECT max(id) FROM matters))", "VACUUM ANALYZE"} {
			if _, err := db.SQL().Exec(q); err != nil {
				b.Fatal(err)
			}
		}
	} else if _, err := db.SQL().Exec("ANALYZE"); err != nil {
		b.Fatal(err)
	}
	return out
}

// BenchmarkMasswork measures, on DANGJIAN_BENCH_MATTERS matters (200,000 when unset) with
// five reports each on average (1,000,000), the suggestion of similar problems while a
// reporter types and the prominent-problems board of the whole committee, and reports the
// 99th percentile of each. Generating takes minutes, so it runs only with -bench:
//
//	go test ./internal/store -run '^$' -bench Masswork -benchtime 2000x -timeout 60m
//
// docs/performance.md has the figures.
func BenchmarkMasswork(b *testing.B) {
	if testing.Short() {
		b.Skip("generates a large data set")
	}
	matters := 200000
	if s := os.Getenv("DANGJIAN_BENCH_MATTERS"); s != "" {
		var err error
		if matters, err = strconv.Atoi(s); err != nil {
			b.Fatalf("DANGJIAN_BENCH_MATTERS: %v", err)
		}
	}
	for _, d := range storetest.Dialects {
		b.Run(string(d), func(b *testing.B) {
			ctx := context.Background()
			db := storetest.Open(b, d, nil)
			start := time.Now()
			data := generateMasswork(b, db, matters, matters*5)
			b.Logf("generated %d matters in %v", matters, time.Since(start).Round(time.Second))
			svc := masswork.NewService(db, db, time.UTC, time.Now)
			admin := auth.System("bench")
			measure := func(b *testing.B, op func(i int) error) {
				var times []time.Duration
				i := 0
				for b.Loop() {
					t0 := time.Now()
					if err := op(i); err != nil {
						b.Fatal(err)
					}
					times = append(times, time.Since(t0))
					i++
				}
				slices.Sort(times)
				b.ReportMetric(float64(times[len(times)*99/100].Microseconds())/1000, "p99-ms")
			}
			b.Run("suggest", func(b *testing.B) {
				measure(b, func(i int) error {
					text := data.texts[i%len(data.texts)]
					cat := data.categories[i%len(data.categories)]
					_, err := svc.Suggest(ctx, cat, text, masswork.Place{}, 5)
					return err
				})
			})
			b.Run("prominent-committee", func(b *testing.B) {
				measure(b, func(int) error {
					_, err := svc.Prominent(ctx, admin, data.committee.ID, 50)
					return err
				})
			})
		})
	}
}
