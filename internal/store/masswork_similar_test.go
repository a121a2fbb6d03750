package store_test

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dangjian/dangjian/internal/masswork"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

// TestSimilarCopyFollowsEveryChange: instance a answers suggestions from its copy of the
// similarity index, and after every change made through instance b or by raw SQL — a matter
// filed, a me-too bringing words, a move to another category, a rejection, a merge, a split, a
// status changed by hand, a matter from before gram_set — a's answer is what the database
// holds. On PostgreSQL a transaction that commits after a later one is not missed.
func TestSimilarCopyFollowsEveryChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		a, b := openShared(t, d)
		e := &matterEnv{t: t, ctx: ctx, d: d, db: b, clk: &clock{t: time.Now()}}
		e.setUp()
		similar := func(cat *masswork.Category, grams ...int32) string {
			t.Helper()
			found, err := a.Similar(ctx, cat.ID, grams, 10)
			if err != nil {
				t.Fatal(err)
			}
			var s strings.Builder
			for _, m := range found {
				fmt.Fprintf(&s, "%d:%d/%d ", m.MatterID, m.Shared, m.Grams)
			}
			return s.String()
		}
		check := func(step, got, want string) {
			t.Helper()
			if got != want {
				t.Errorf("%s: similar = %q, want %q", step, got, want)
			}
		}
		first := func(step, got, want string) { // the best match, others sharing a character after it
			t.Helper()
			if !strings.HasPrefix(got, want) {
				t.Errorf("%s: similar = %q, want it first: %q", step, got, want)
			}
		}

		m1, _ := e.newMatter(e.b1.ID, e.cat, "东门停车难", nil, 1, 2, 3)
		check("first read", similar(e.cat, 1, 2, 3), fmt.Sprintf("%d:3/3 ", m1.ID))
		m2, _ := e.newMatter(e.b1.ID, e.cat, "东门没车位", nil, 3, 4)
		check("filed", similar(e.cat, 1, 2, 3, 4), fmt.Sprintf("%d:3/3 %d:2/2 ", m1.ID, m2.ID))
		if _, err := e.addProblem(m1.ID, nil, 4, 5); err != nil {
			t.Fatal(err)
		}
		check("me too", similar(e.cat, 4, 5), fmt.Sprintf("%d:2/5 %d:1/2 ", m1.ID, m2.ID))

		moved := e.matter(m2.ID)
		moved.CategoryID = e.cat2.ID
		if err := b.UpdateMatter(ctx, moved, nil, rec("matter.update")); err != nil {
			t.Fatal(err)
		}
		check("moved out", similar(e.cat, 3, 4), fmt.Sprintf("%d:2/5 ", m1.ID))
		check("moved in", similar(e.cat2, 3, 4), fmt.Sprintf("%d:2/2 ", m2.ID))
		moved.Status, moved.RejectReason = masswork.StatusRejected, "不属于本单位"
		if err := b.UpdateMatter(ctx, moved, nil, rec("matter.reject")); err != nil {
			t.Fatal(err)
		}
		check("rejected", similar(e.cat2, 3, 4), "")

		m3, _ := e.newMatter(e.b1.ID, e.cat, "东门停车位", nil, 6, 7)
		check("another", similar(e.cat, 6), fmt.Sprintf("%d:1/2 ", m3.ID))
		if err := b.Merge(ctx, e.matter(m1.ID), e.matter(m3.ID), nil, rec("matter.merge")); err != nil {
			t.Fatal(err)
		}
		check("merged", similar(e.cat, 1, 6, 7), fmt.Sprintf("%d:3/7 ", m1.ID))

		list, err := b.FindProblems(ctx, m1.ID)
		if err != nil {
			t.Fatal(err)
		}
		split := &masswork.Matter{Code: "S0001", Title: "分出来的", ResponseDue: time.Now(), ResolveDue: time.Now()}
		if err := b.Split(ctx, e.matter(m1.ID), []int64{list[len(list)-1].ID}, split, []int32{9}, nil, rec("matter.split")); err != nil {
			t.Fatal(err)
		}
		check("split off", similar(e.cat, 9), fmt.Sprintf("%d:1/1 ", split.ID))
		// What is left of m1 is found by its reports' own words now.
		left := e.matter(m1.ID)
		var words []int32
		for _, p := range list[:len(list)-1] {
			words = append(words, masswork.Grams(p.Description)...)
		}
		words = slices.Compact(slices.Sorted(slices.Values(words)))
		check("split from", similar(e.cat, words...), fmt.Sprintf("%d:%d/%d ", m1.ID, len(words), left.Grams))

		if _, err := b.SQL().Exec(placeholders(d, "UPDATE matters SET status = 'closed' WHERE id = ?"), split.ID); err != nil {
			t.Fatal(err)
		}
		check("closed by hand", similar(e.cat, 9), "")

		// A matter from before gram_set gets its grams from its reports, once.
		if _, err := b.SQL().Exec(placeholders(d, "UPDATE matters SET gram_set = NULL, status = 'submitted' WHERE id = ?"), split.ID); err != nil {
			t.Fatal(err)
		}
		text := masswork.Grams(list[len(list)-1].Description)
		first("made from its reports", similar(e.cat, text...), fmt.Sprintf("%d:%d/%d ", split.ID, len(text), len(text)))
		if g := e.grams(split.ID); len(g) != len(text) {
			t.Errorf("grams written for the old matter = %v, want %d", g, len(text))
		}

		// A me-too and a merge reaching matters from before gram_set keep their reports' words.
		old1, _ := e.newMatter(e.b1.ID, e.cat, "西门漏水", nil)
		old2, _ := e.newMatter(e.b1.ID, e.cat, "电梯坏了", nil)
		if _, err := b.SQL().Exec(placeholders(d, "UPDATE matters SET gram_set = NULL WHERE id IN (?, ?)"), old1.ID, old2.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.addProblem(old1.ID, nil, 99); err != nil {
			t.Fatal(err)
		}
		water, lift := masswork.Grams("西门漏水"), masswork.Grams("电梯坏了")
		n1 := len(water) + 1
		first("me too on an old matter", similar(e.cat, append(slices.Clone(water), 99)...), fmt.Sprintf("%d:%d/%d ", old1.ID, n1, n1))
		if err := b.Merge(ctx, e.matter(old1.ID), e.matter(old2.ID), nil, rec("matter.merge")); err != nil {
			t.Fatal(err)
		}
		first("merged from an old matter", similar(e.cat, lift...), fmt.Sprintf("%d:%d/%d ", old1.ID, len(lift), n1+len(lift)))

		if d != store.Postgres {
			return
		}
		// A transaction that began first and commits last: its change is read after the
		// later one's, though its gram_seq is lower.
		slow, err := b.SQL().BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer slow.Rollback()
		if _, err := slow.Exec("UPDATE matters SET gram_set = $1 WHERE id = $2", store.PackGrams([]int32{77}), m2.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := slow.Exec("UPDATE matters SET status = 'submitted', category_id = $1 WHERE id = $2", e.cat.ID, m2.ID); err != nil {
			t.Fatal(err)
		}
		m4, _ := e.newMatter(e.b1.ID, e.cat, "西门停车难", nil, 78)
		check("the later commit", similar(e.cat, 77, 78), fmt.Sprintf("%d:1/1 ", m4.ID))
		if err := slow.Commit(); err != nil {
			t.Fatal(err)
		}
		check("the earlier commit", similar(e.cat, 77, 78), fmt.Sprintf("%d:1/1 %d:1/1 ", m4.ID, m2.ID))
	})
}

// TestSimilarityMigration runs the migration that packs the similarity index's rows (one a
// gram) into each matter's gram_set, up and down, on both databases, on grams of two matters
// in two categories, negative ones and the extremes among them, and a closed matter: every gram
// comes through both ways, under its matter and category (and their number, a column before),
// and gram_seq moves on a change of what the index holds only.
func TestSimilarityMigration(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		opts := store.Options{Sealer: storetest.Sealer(t)}
		if d == store.Postgres {
			opts.URL = storetest.NewPostgresDB(t)
		} else {
			opts.Path = filepath.Join(t.TempDir(), "dangjian.db")
		}
		sdb, err := store.Open(context.Background(), opts)
		if err != nil {
			t.Fatal(err)
		}
		defer sdb.Close()
		db := sdb.SQL()
		src, err := fs.ReadFile((&store.DB{Dialect: d}).MigrationsFS(), "00018_similarity_copy.sql")
		if err != nil {
			t.Fatal(err)
		}
		up, down, ok := strings.Cut(string(src), "-- +goose Down")
		if !ok {
			t.Fatal("no Down section")
		}
		for _, q := range []string{"CREATE TABLE matters (id BIGINT PRIMARY KEY, category_id BIGINT NOT NULL, status TEXT NOT NULL, grams INTEGER NOT NULL DEFAULT 0)",
			`CREATE TABLE matter_grams (category_id BIGINT NOT NULL, gram INTEGER NOT NULL, matter_id BIGINT NOT NULL,
				PRIMARY KEY (category_id, gram, matter_id))`,
			"INSERT INTO matters (id, category_id, status) VALUES (1, 10, 'submitted'), (2, 20, 'in_progress'), (3, 10, 'closed')",
			"INSERT INTO matter_grams VALUES (10, 5, 1), (10, -7, 1), (10, 2147483647, 1), (20, -2147483648, 2), (20, 0, 2), (20, -1, 2)"} {
			if _, err := db.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		rows := func(q string) []string {
			t.Helper()
			r, err := db.Query(q)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			var out []string
			for r.Next() {
				var s string
				if err := r.Scan(&s); err != nil {
					t.Fatal(err)
				}
				out = append(out, s)
			}
			return out
		}
		const grams = "SELECT category_id || ' ' || gram || ' ' || matter_id FROM matter_grams ORDER BY category_id, gram, matter_id"
		before := rows(grams)
		if _, err := db.Exec(up); err != nil {
			t.Fatalf("up: %v", err)
		}
		var sets []string
		r, err := db.Query("SELECT id, gram_set FROM matters ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		for r.Next() {
			var id int64
			var set []byte
			if err := r.Scan(&id, &set); err != nil {
				t.Fatal(err)
			}
			sets = append(sets, fmt.Sprint(id, set != nil, store.UnpackGrams(set)))
		}
		r.Close()
		if want := []string{"1 true [-7 5 2147483647]", "2 true [-2147483648 -1 0]", "3 false []"}; !slices.Equal(sets, want) {
			t.Fatalf("gram sets after up = %q, want %q", sets, want)
		}
		var seq0, seq1, seq2 int64
		db.QueryRow("SELECT gram_seq FROM matters WHERE id = 1").Scan(&seq0)
		db.Exec("UPDATE matters SET id = id WHERE id = 1")
		db.QueryRow("SELECT gram_seq FROM matters WHERE id = 1").Scan(&seq1)
		db.Exec("UPDATE matters SET status = 'accepted' WHERE id = 1")
		db.QueryRow("SELECT gram_seq FROM matters WHERE id = 1").Scan(&seq2)
		if seq1 != seq0 || seq2 <= seq1 {
			t.Errorf("gram_seq %d, after an update of nothing it holds %d, after a status change %d", seq0, seq1, seq2)
		}
		if _, err := db.Exec(down); err != nil {
			t.Fatalf("down: %v", err)
		}
		if after := rows(grams); !slices.Equal(after, before) {
			t.Fatalf("grams after down = %q, want %q", after, before)
		}
		if n := rows("SELECT id || ' ' || grams FROM matters ORDER BY id"); !slices.Equal(n, []string{"1 3", "2 3", "3 0"}) {
			t.Fatalf("numbers of grams after down = %q", n)
		}
	})
}
