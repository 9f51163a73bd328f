package vendors

import (
	"regexp"
	"strings"
	"sync"
	"time"

	"hawker/catalog"
	"hawker/thai"
)

// Officers type a paper form's kind, category and payment method as they
// read them, in Thai or English ("น้ำแข็ง", "เงินสด", "Cash"), or as the
// codes ("ice", "cash"). csvNames reads each name the catalogue gives them
// (the words the books pages show) back to its code.
type csvNameSet struct {
	kinds, categories, methods map[string]string // lower-cased name or code → code
	err                        error
}

var (
	csvNamesOnce sync.Once
	csvNamesSet  csvNameSet
)

func csvNames() csvNameSet {
	csvNamesOnce.Do(func() {
		tr, err := catalog.Load()
		if err != nil {
			csvNamesSet.err = err
			return
		}
		set := func(prefix string, codes []string) map[string]string {
			m := map[string]string{}
			for _, c := range codes {
				m[c] = c
				for _, lang := range []string{"th", "en"} {
					m[normName(tr.T(lang, prefix+c))] = c
				}
			}
			return m
		}
		kinds := make([]string, len(Kinds))
		for i, k := range Kinds {
			kinds[i] = string(k)
		}
		cats := make([]string, len(Categories))
		for i, c := range Categories {
			cats[i] = string(c)
		}
		methods := make([]string, len(Methods))
		for i, m := range Methods {
			methods[i] = string(m)
		}
		csvNamesSet = csvNameSet{kinds: set("vendor.kind.", kinds), categories: set("vendor.category.", cats), methods: set("vendor.method.", methods)}
		// The header's first column as the import page's sample writes it.
		for _, lang := range []string{"th", "en"} {
			csvHeaders[normName(tr.T(lang, "vendor.csv_col_date"))] = true
		}
	})
	return csvNamesSet
}

// csvHeaders are the first cells of a header row: "date" and the sample's.
var csvHeaders = map[string]bool{"date": true}

func normName(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

// code reads a typed name through names: its code, or the text unchanged
// (for the entry's own check to refuse with the list of names).
func code(names map[string]string, s string) string {
	if c, ok := names[normName(s)]; ok {
		return c
	}
	return s
}

// splitAmount reports whether a line's amount was written with a comma but
// not quoted (1,250.50), so that the reader split it across the next
// column: "1" then "250.50" (or "250" then "000.00").
var (
	leadGroup = regexp.MustCompile(`^\s*\d{1,3}\s*$`)
	nextGroup = regexp.MustCompile(`^\d{3}(\.\d{1,2})?$`)
)

func splitAmount(f []string) bool {
	return len(f) >= 5 && leadGroup.MatchString(f[3]) && nextGroup.MatchString(strings.TrimSpace(f[4]))
}

// csvDate reads a line's date: day/month/year as the import page shows it
// (B.E. or C.E., told apart by the year: thai.ParseDate refuses the other
// era), or YYYY-MM-DD in either era (beDate). Other text passes unchanged
// for the entry's check to refuse.
func csvDate(s string) string {
	s = strings.TrimSpace(s)
	if !strings.ContainsAny(s, "/.") {
		return beDate(s)
	}
	d, err := thai.ParseDate("th", s)
	if err == thai.ErrDateWantBE {
		d, err = thai.ParseDate("en", s)
	}
	if err != nil {
		return s
	}
	return d.Format(time.DateOnly)
}
