package masswork

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Similarity of problems. Whitespace words fail for Chinese, where a sentence is one token,
// so the text is cut into the grams of civic-systems.md section 4.5: character bigrams inside
// runs of Han characters and whole words for runs of Latin letters or digits. Bigrams alone
// are too strict for the short, freely worded reports of a market ("东门停车难，车位太少" and
// "东大门那边停车太难了" share one bigram of fifteen), so every Han character of a run is a
// gram too, except a few function characters that say nothing about the problem.

// Normalize folds text for comparison: NFKC (full-width letters and digits to half-width),
// lower case, and without punctuation, symbols, spaces or invalid bytes.
func Normalize(text string) string {
	text = strings.ToLower(norm.NFKC.String(strings.ToValidUTF8(text, "")))
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return -1
	}, text)
}

// matterStopHan are function characters whose single-character grams are left out: particles and
// the commonest adverbs and pronouns. They still count inside bigrams.
var matterStopHan = map[rune]bool{
	'的': true, '了': true, '是': true, '在': true, '又': true, '很': true, '都': true, '也': true,
	'就': true, '和': true, '与': true, '吗': true, '呢': true, '啊': true, '吧': true, '着': true,
	'过': true, '把': true, '被': true, '给': true, '让': true, '我': true, '你': true, '他': true,
	'她': true, '们': true, '这': true, '那': true, '个': true, '有': true, '还': true, '再': true,
}

// matterMaxGrams bounds the grams of one text (a 4000-character description has fewer than 8000).
const matterMaxGrams = 10000

// Grams returns the distinct grams of a text as 32-bit FNV-1a hashes, in the order first
// seen: for each run of Han characters its bigrams and its characters (but function
// characters alone), for each run of other letters or digits the whole word. The text is
// normalised first; invalid UTF-8 is skipped.
func Grams(text string) []int32 {
	text = strings.ToLower(norm.NFKC.String(strings.ToValidUTF8(text, " ")))
	var seen map[int32]bool // once there are many: a short list is searched
	out := make([]int32, 0, 32)
	add := func(b []byte) {
		if len(out) >= matterMaxGrams {
			return
		}
		g := int32(fnv32a(b))
		switch {
		case seen != nil:
			if seen[g] {
				return
			}
			seen[g] = true
		case slices.Contains(out, g):
			return
		case len(out) == 64:
			seen = make(map[int32]bool, 128)
			for _, o := range out {
				seen[o] = true
			}
			seen[g] = true
		}
		out = append(out, g)
	}
	var buf [2 * utf8.UTFMax]byte
	var han []rune       // the current run of Han characters
	var word []byte      // the current run of other letters and digits
	flushHan := func() { // bigrams, then the characters
		for i := 0; i+1 < len(han); i++ {
			add(utf8.AppendRune(utf8.AppendRune(buf[:0], han[i]), han[i+1]))
		}
		for _, r := range han {
			if len(han) == 1 || !matterStopHan[r] {
				add(utf8.AppendRune(buf[:0], r))
			}
		}
		han = han[:0]
	}
	flushWord := func() {
		if len(word) > 0 {
			add(word)
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
			if len(word) < 64 { // a longer "word" is noise; keep its start
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

// fnv32a is the 32-bit FNV-1a hash of b (hash/fnv's, without allocating a hasher per gram).
func fnv32a(b []byte) uint32 {
	h := uint32(2166136261)
	for _, c := range b {
		h ^= uint32(c)
		h *= 16777619
	}
	return h
}

// Jaccard returns |a ∩ b| / |a ∪ b| of two gram sets (duplicates ignored): 1 for equal
// non-empty sets, 0 for disjoint or empty ones.
func Jaccard(a, b []int32) float64 {
	as := make(map[int32]bool, len(a))
	for _, g := range a {
		as[g] = true
	}
	bs := make(map[int32]bool, len(b))
	shared := 0
	for _, g := range b {
		if !bs[g] {
			bs[g] = true
			if as[g] {
				shared++
			}
		}
	}
	return matterJaccard(shared, len(as), len(bs))
}

func matterJaccard(shared, a, b int) float64 {
	union := a + b - shared
	if union <= 0 || shared <= 0 {
		return 0
	}
	return float64(shared) / float64(union)
}

// matterSimilarity scores a matter for what a reporter typed: the mean of the Jaccard index and of
// the share of the typed grams the matter has. The Jaccard index alone would sink the
// matters most worth suggesting: a matter's grams are those of all its reports, so the more
// people reported it, the larger its set.
func matterSimilarity(shared, typed, matter int) float64 {
	if typed <= 0 || shared <= 0 {
		return 0
	}
	if shared > typed {
		shared = typed
	}
	return (matterJaccard(shared, typed, max(matter, shared)) + float64(shared)/float64(typed)) / 2
}
