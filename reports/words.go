package reports

import (
	"sync"

	"hawker/catalog"
)

// words is the shared Thai/English catalogue (package catalog), read once:
// like the fonts it is embedded, read-only data.
var words = sync.OnceValues(catalog.Load)

// word is key's text in lang ("th" unless "en"), with name/value args. A
// catalogue that fails to load failed the tests already; the key then
// shows as itself rather than a blank.
func word(lang, key string, args ...any) string {
	c, err := words()
	if err != nil {
		return key
	}
	return c.T(lang, key, args...)
}
