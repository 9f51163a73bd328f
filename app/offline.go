package app

import "github.com/gofiber/fiber/v2"

// offlineText is the offline page in one language.
type offlineText struct {
	Lang, Title, Text, Books, Again string
}

// showOffline: GET /offline, the app's own "you are offline" page. The
// service worker keeps it and shows it, on a phone without a connection,
// for any page it does not keep (a form sent, a statement not yet kept):
// never the browser's error page. It is kept for whoever uses the phone
// next, so it shows no one's data, and says it in Thai, then English.
func (s *Server) showOffline(c *fiber.Ctx) error {
	c.Locals("view.user", nil)
	c.Locals("view.csrf", nil)
	var page []offlineText
	for _, lang := range []string{"th", "en"} {
		tr := func(key string) string { return s.views.tr.T(lang, key) }
		page = append(page, offlineText{Lang: lang, Title: tr("offline.title"), Text: tr("offline.text"),
			Books: tr("offline.books"), Again: tr("offline.again")})
	}
	return s.render(c, "offline", page)
}
