package domain

import (
	"math"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/parley-chat/parley/pkg/contracts"
)

// The FAQ matcher is BM25 over normalised tokens: lower-cased, accents
// removed, stop words (en, fr, de, es) dropped, and lightly stemmed. Every
// phrasing of an entry (its question and alternatives) is a document; an
// entry scores as its best phrasing.
//
// A raw BM25 score has no fixed scale, so the matcher turns it into a
// confidence between 0 and 1: the score divided by the best score the known
// query terms could reach (each term once, in a document of average length),
// times the square root of the share of query terms the FAQ knows at all —
// a question full of words no entry uses is not a confident match.

const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// Tokens normalises text into search terms.
func Tokens(s string) []string {
	s = strings.ToLower(norm.NFD.String(s))
	var b strings.Builder
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Mn, r): // accents, split off by NFD
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		default:
			b.WriteByte(' ')
		}
	}
	var out []string
	for _, w := range strings.Fields(b.String()) {
		if _, stop := stopWords[w]; stop || len(w) < 2 && !unicode.IsDigit(rune(w[0])) {
			continue
		}
		out = append(out, stem(w))
	}
	return out
}

// stem strips common inflections (English-leaning, harmless elsewhere),
// and a doubled final consonant they leave ("shipping" → "ship").
func stem(w string) string {
	for _, suf := range []string{"ations", "ation", "ments", "ment", "ings", "ing", "ies", "ied", "ers", "er", "ed", "es", "ly", "s"} {
		if len(w) > len(suf)+2 && strings.HasSuffix(w, suf) {
			if suf == "ies" || suf == "ied" {
				return w[:len(w)-len(suf)] + "y"
			}
			w = w[:len(w)-len(suf)]
			if n := len(w); n > 2 && w[n-1] == w[n-2] && !strings.ContainsRune("aeiouylsz", rune(w[n-1])) {
				w = w[:n-1]
			}
			return w
		}
	}
	return w
}

var stopWords = func() map[string]struct{} {
	m := map[string]struct{}{}
	for _, w := range strings.Fields(`a an the and or but if of to in on at by for with from as is are was were be been being do does did
		have has had i me my we our you your he she it its they them their this that these those what which who whom how when where why
		can could would should will shall may might must am not no so than too very just about please hi hello hey thanks thank
		le la les un une des de du et ou est sont je tu il elle nous vous ils elles mon ma mes ton ta votre vos notre ce cette ces que qui quoi comment quand pour par sur dans avec pas ne
		der die das ein eine und oder ist sind ich du er sie es wir ihr mein meine dein ihr unser euer wie was wann wo warum fur mit von zu im am nicht kein
		el la los las un una unos unas y o es son yo tu el ella nosotros vosotros ellos mi mis su sus nuestro que como cuando donde por para con en del al no`) {
		m[w] = struct{}{}
	}
	return m
}()

// FAQIndex ranks FAQ entries for a question.
type FAQIndex struct {
	entries []contracts.FAQEntry
	docs    []faqDoc
	df      map[string]int
	avgLen  float64
}

type faqDoc struct {
	entry int
	terms map[string]int
	len   int
}

// NewFAQIndex indexes entries.
func NewFAQIndex(entries []contracts.FAQEntry) *FAQIndex {
	ix := &FAQIndex{entries: entries, df: map[string]int{}}
	total := 0
	for i, e := range entries {
		for _, phrasing := range append([]string{e.Question}, e.Alternatives...) {
			toks := Tokens(phrasing)
			if len(toks) == 0 {
				continue
			}
			d := faqDoc{entry: i, terms: map[string]int{}, len: len(toks)}
			for _, t := range toks {
				if d.terms[t] == 0 {
					ix.df[t]++
				}
				d.terms[t]++
			}
			ix.docs = append(ix.docs, d)
			total += len(toks)
		}
	}
	if len(ix.docs) > 0 {
		ix.avgLen = float64(total) / float64(len(ix.docs))
	}
	return ix
}

func (ix *FAQIndex) idf(t string) float64 {
	n, N := float64(ix.df[t]), float64(len(ix.docs))
	return math.Log(1 + (N-n+0.5)/(n+0.5))
}

// Match ranks the entries for a question, best first, at most limit.
func (ix *FAQIndex) Match(question string, limit int) []contracts.FAQMatch {
	q := Tokens(question)
	slices.Sort(q)
	q = slices.Compact(q)
	var known []string
	for _, t := range q {
		if ix.df[t] > 0 {
			known = append(known, t)
		}
	}
	if len(known) == 0 {
		return nil
	}
	ideal := 0.0
	for _, t := range known {
		ideal += ix.idf(t)
	}
	coverage := math.Sqrt(float64(len(known)) / float64(len(q)))
	best := make([]float64, len(ix.entries))
	for _, d := range ix.docs {
		score := 0.0
		for _, t := range known {
			tf := float64(d.terms[t])
			if tf == 0 {
				continue
			}
			score += ix.idf(t) * tf * (bm25K1 + 1) / (tf + bm25K1*(1-bm25B+bm25B*float64(d.len)/ix.avgLen))
		}
		best[d.entry] = max(best[d.entry], score)
	}
	var out []contracts.FAQMatch
	for i, s := range best {
		if s <= 0 {
			continue
		}
		conf := min(1, s/ideal*coverage)
		out = append(out, contracts.FAQMatch{EntryID: ix.entries[i].ID, Question: ix.entries[i].Question, Score: math.Round(conf*1000) / 1000})
	}
	slices.SortStableFunc(out, func(a, b contracts.FAQMatch) int {
		switch {
		case a.Score > b.Score:
			return -1
		case a.Score < b.Score:
			return 1
		}
		return 0
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}

// Entry returns an entry by id.
func (ix *FAQIndex) Entry(id string) (contracts.FAQEntry, bool) {
	i := slices.IndexFunc(ix.entries, func(e contracts.FAQEntry) bool { return e.ID == id })
	if i < 0 {
		return contracts.FAQEntry{}, false
	}
	return ix.entries[i], true
}
