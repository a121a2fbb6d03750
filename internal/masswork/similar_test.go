package masswork

import (
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"testing/quick"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func gramStrings(t *testing.T, text string) []int32 {
	t.Helper()
	g := Grams(text)
	if len(g) != len(unique(g)) {
		t.Fatalf("Grams(%q) has duplicates: %v", text, g)
	}
	return g
}

func unique(g []int32) map[int32]bool {
	m := map[int32]bool{}
	for _, x := range g {
		m[x] = true
	}
	return m
}

func hashOf(s string) int32 { return Grams(s)[0] }

func TestNormalize(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"Ｂ区　宽带，又断网了！", "b区宽带又断网了"},
		{"WiFi 42°C 热", "wifi42c热"},
		{"  ", ""},
		{"\xff\xfe东门", "东门"},
		{"ＡＢＣ１２３", "abc123"},
	} {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestGrams(t *testing.T) {
	for _, tt := range []struct {
		text string
		want []string // the grams, in order
	}{
		{"东门停车难", []string{"东门", "门停", "停车", "车难", "东", "门", "停", "车", "难"}},
		{"停", []string{"停"}},
		{"了", []string{"了"}}, // a one-character run gives the character, even a function one
		{"又断网了", []string{"又断", "断网", "网了", "断", "网"}},
		{"B区宽带", []string{"b", "区宽", "宽带", "区", "宽", "带"}},
		{"WiFi 断网 wifi", []string{"wifi", "断网", "断", "网"}},
		{"Ｗｉｆｉ，５Ｇ", []string{"wifi", "5g"}},
		{"，。！ ", nil},
		{"", nil},
	} {
		var want []int32
		for _, w := range tt.want {
			want = append(want, hashOf(w))
		}
		if got := gramStrings(t, tt.text); !slices.Equal(got, want) {
			t.Errorf("Grams(%q) = %v, want %v (%v)", tt.text, got, want, tt.want)
		}
	}
}

// TestSimilarStory tunes the threshold on the market's reports: the same problem in other
// words scores above it, different problems below.
func TestSimilarStory(t *testing.T) {
	score := func(typed, matter string) float64 {
		a, b := Grams(typed), Grams(matter)
		shared := 0
		bs := unique(b)
		for _, g := range a {
			if bs[g] {
				shared++
			}
		}
		return matterSimilarity(shared, len(a), len(b))
	}
	for _, tt := range []struct {
		typed, matter string
		same          bool
	}{
		{"东门停车难，车位太少", "东大门那边停车太难了", true},
		{"B区宽带又断网了", "B区网络又断了，宽带老是掉线", true},
		{"外地摊贩卖假珍珠", "有外来商贩在卖假冒珍珠", true},
		{"走廊太热了，没有遮阳也没有降温", "天气42度，过道里热得受不了，没有空调没有遮阳", true},
		{"B区宽带又断网了", "东门停车难", false},
		{"东门停车难，车位太少", "B区宽带又断网了，网速太慢", false},
		{"B区宽带又断网了", "消防通道被货物堵住了", false},
	} {
		got := score(tt.typed, tt.matter)
		if (got >= SuggestThreshold) != tt.same {
			t.Errorf("%q vs %q: score %.3f, same problem %v (threshold %.2f)", tt.typed, tt.matter, got, tt.same, SuggestThreshold)
		}
	}
	// A matter of many reports (a large gram set) is still found by a short, fitting text.
	many := strings.Repeat("东门停车难，车位太少。", 1) + "东大门那边停车太难了。东门口总堵车，进货的车没处停。停车场收费太贵。晚上东门车辆乱停。"
	if got := score("东门停车太难", many); got < SuggestThreshold {
		t.Errorf("short text against a prominent matter: %.3f", got)
	}
}

func randomText(r *rand.Rand) string {
	alphabet := []rune("东门停车难车位太少宽带断网了B区ab12 ，。！\xff热遮阳")
	n := r.IntN(30)
	var b strings.Builder
	for range n {
		if r.IntN(20) == 0 {
			b.WriteByte(byte(r.IntN(256))) // invalid UTF-8 now and then
			continue
		}
		b.WriteRune(alphabet[r.IntN(len(alphabet))])
	}
	return b.String()
}

func TestJaccardProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 2023))
	for range 2000 {
		a, b := Grams(randomText(r)), Grams(randomText(r))
		ab, ba := Jaccard(a, b), Jaccard(b, a)
		if ab != ba {
			t.Fatalf("not symmetric: %v, %v", ab, ba)
		}
		if ab < 0 || ab > 1 {
			t.Fatalf("out of [0, 1]: %v", ab)
		}
		if len(a) > 0 && Jaccard(a, a) != 1 {
			t.Fatalf("identical sets: %v", Jaccard(a, a))
		}
	}
	if got := Jaccard(Grams("东门停车难"), Grams("B区宽带又断网")); got != 0 {
		t.Errorf("disjoint: %v", got)
	}
	if got := Jaccard(nil, nil); got != 0 {
		t.Errorf("empty: %v", got)
	}
	// The order of Latin words does not matter.
	words := func(ws []string) bool {
		if len(ws) == 0 {
			return true
		}
		a := strings.Join(ws, " ")
		rev := slices.Clone(ws)
		slices.Reverse(rev)
		b := strings.Join(rev, " ")
		ga, gb := Grams(a), Grams(b)
		return len(ga) == 0 || Jaccard(ga, gb) == 1
	}
	if err := quick.Check(words, nil); err != nil {
		t.Error(err)
	}
	if got := Jaccard(Grams("broadband down zone b"), Grams("zone b down broadband")); got != 1 {
		t.Errorf("word order: %v", got)
	}
	// The score never leaves [0, 1] either.
	for range 2000 {
		typed, matter := r.IntN(50), r.IntN(500)
		shared := r.IntN(typed + 1)
		if s := matterSimilarity(shared, typed, matter); s < 0 || s > 1 {
			t.Fatalf("similarity(%d, %d, %d) = %v", shared, typed, matter, s)
		}
	}
}

func FuzzGrams(f *testing.F) {
	var many strings.Builder // a text of more than a hundred distinct grams
	for r := '一'; r < '一'+120; r++ {
		many.WriteRune(r)
	}
	for _, s := range []string{"东门停车难，车位太少", "B区宽带又断网了", "Ｗｉｆｉ", "\xff\xfe", "", "a", "了", strings.Repeat("停车", 3000), many.String() + "，abc 12 " + many.String()} {
		f.Add(s, "东大门那边停车太难了")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		ga, gb := Grams(a), Grams(b)
		// The grams are stored with the matters: they must stay what hash/fnv gives.
		if want := gramsFNV(a); !slices.Equal(ga, want) {
			t.Fatalf("Grams(%q) = %v, hash/fnv gives %v", a, ga, want)
		}
		if len(ga) != len(unique(ga)) || len(ga) > matterMaxGrams {
			t.Fatalf("Grams(%q): %d grams, %d distinct", a, len(ga), len(unique(ga)))
		}
		j := Jaccard(ga, gb)
		if j < 0 || j > 1 || j != Jaccard(gb, ga) {
			t.Fatalf("Jaccard %v", j)
		}
		if len(ga) > 0 && Jaccard(ga, ga) != 1 {
			t.Fatal("Jaccard of a set with itself is not 1")
		}
		if n := Normalize(a); strings.ContainsAny(n, " ，。\t\n") {
			t.Fatalf("Normalize(%q) = %q keeps punctuation or space", a, n)
		}
	})
}

// gramsFNV is Grams as first written, with hash/fnv and a map: the reference the stored grams
// were made with.
func gramsFNV(text string) []int32 {
	text = strings.ToLower(norm.NFKC.String(strings.ToValidUTF8(text, " ")))
	seen := map[int32]bool{}
	var out []int32
	add := func(s string) {
		if len(out) >= matterMaxGrams {
			return
		}
		h := fnv.New32a()
		h.Write([]byte(s))
		if g := int32(h.Sum32()); !seen[g] {
			seen[g] = true
			out = append(out, g)
		}
	}
	var han []rune
	var word []byte
	flushHan := func() {
		for i := 0; i+1 < len(han); i++ {
			add(string(han[i : i+2]))
		}
		for _, r := range han {
			if len(han) == 1 || !matterStopHan[r] {
				add(string(r))
			}
		}
		han = han[:0]
	}
	flushWord := func() {
		if len(word) > 0 {
			add(string(word))
			word = word[:0]
		}
	}
	for _, r := range text {
		switch {
		case unicode.Is(unicode.Han, r):
			flushWord()
			han = append(han, r)
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			flushHan()
			if len(word) < 64 {
				word = utf8.AppendRune(word, r)
			}
		default:
			flushHan()
			flushWord()
		}
	}
	flushHan()
	flushWord()
	return out
}
