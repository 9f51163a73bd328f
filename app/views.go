package app

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"hawker/catalog"
	"hawker/money"
	"hawker/thai"
)

// views holds every page template, parsed once at start with the layout.
type views struct {
	pages map[string]*template.Template
	tr    *catalog.Catalog
}

// coreFuncs are the template helpers every area shares.
var coreFuncs = template.FuncMap{
	"money": moneyText,
	"iso":   func(t time.Time) string { return t.Format("2006-01-02") },
	// Date boxes (dates.go).
	"dateFieldOf": dateFieldOf,
	"dateFieldID": dateFieldID,
	"userStatus":  userStatus,
}

// moneyText is an amount for a page, "1,234.50", written by package money.
// Only a money.Amount is money: a template that hands it anything else
// fails when it runs (a nil *money.Amount too), and the page tests show it.
func moneyText(a money.Amount) string { return a.Format() }

// mergeFuncs joins each area's template helpers; a name defined twice
// stops the start rather than one silently replacing the other.
func mergeFuncs(maps ...template.FuncMap) (template.FuncMap, error) {
	all := template.FuncMap{}
	for _, m := range maps {
		for name, f := range m {
			if _, dup := all[name]; dup {
				return nil, fmt.Errorf("app: template function %q defined twice", name)
			}
			all[name] = f
		}
	}
	return all, nil
}

func parseViews(st *staticSet) (*views, error) {
	tr, err := catalog.Load()
	if err != nil {
		return nil, err
	}
	funcs, err := mergeFuncs(coreFuncs, participantFuncs, vendorFuncs, statementFuncs, st.funcs())
	if err != nil {
		return nil, err
	}
	base := template.New("").Funcs(funcs)
	partials, err := fs.Glob(assets, "templates/partials/*.html")
	if err != nil {
		return nil, err
	}
	layout := append([]string{"templates/layout.html"}, partials...)
	if _, err := base.ParseFS(assets, layout...); err != nil {
		return nil, fmt.Errorf("app: parse layout: %w", err)
	}
	pages, err := fs.Glob(assets, "templates/pages/*.html")
	if err != nil {
		return nil, err
	}
	v := &views{pages: map[string]*template.Template{}, tr: tr}
	for _, p := range pages {
		t, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if _, err := t.ParseFS(assets, p); err != nil {
			return nil, fmt.Errorf("app: parse %s: %w", p, err)
		}
		v.pages[strings.TrimSuffix(path.Base(p), ".html")] = t
	}
	return v, nil
}

// view is what every page template sees: the page's own data plus the
// reader's language, user and form token, and translation and date helpers.
type view struct {
	Lang  string
	Dev   bool
	Path  string
	Data  any
	tr    *catalog.Catalog
	extra map[string]any
}

// T translates key into the reader's language; args are name/value pairs
// ({{.T "vendor.title_of" "Name" .P.Name}}), as catalog.Catalog.T takes them.
func (v view) T(key string, args ...any) string { return v.tr.T(v.Lang, key, args...) }

// Date formats a date for the reader: B.E. in Thai, C.E. in English.
func (v view) Date(t time.Time) string { return thai.DateIn(v.Lang, t) }

// Moment writes an instant (a recorded time, not a business date) as its
// day and time in Bangkok, B.E. for Thai readers.
func (v view) Moment(t time.Time) string {
	b := t.In(thai.Bangkok)
	return thai.DateIn(v.Lang, b) + " " + b.Format("15:04")
}

// Month formats a month for the reader.
func (v view) Month(t time.Time) string { return thai.MonthIn(v.Lang, t) }

// Get returns a value the request's middleware attached (user, csrf token).
func (v view) Get(key string) any { return v.extra[key] }

// render writes page name inside the layout.
func (s *Server) render(c *fiber.Ctx, name string, data any) error {
	t, ok := s.views.pages[name]
	if !ok {
		return fmt.Errorf("app: no page template %q", name)
	}
	v := view{Lang: s.lang(c), Dev: s.deps.Dev, Path: c.Path(), Data: data, tr: s.views.tr, extra: viewExtras(c)}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		return fmt.Errorf("app: render %s: %w", name, err)
	}
	c.Type("html", "utf-8")
	return c.Send(buf.Bytes())
}

// viewExtras collects what middleware stored in c.Locals under "view.*".
func viewExtras(c *fiber.Ctx) map[string]any {
	m := map[string]any{}
	for _, k := range []string{"user", "csrf"} {
		if v := c.Locals("view." + k); v != nil {
			m[k] = v
		}
	}
	return m
}

// lang is the reader's language: Thai unless they chose English.
func (s *Server) lang(c *fiber.Ctx) string {
	if l, ok := c.Locals("lang").(string); ok && l != "" {
		return l
	}
	if c.Cookies("lang") == "en" {
		return "en"
	}
	return "th"
}
