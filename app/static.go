package app

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// Static files are served under names that carry a hash of their content
// (/static/app.3f9c1a2b4d.css), so a phone keeps each for a year and never
// asks again: a changed file is a new name. Templates name them through
// one helper, {{asset "app.css"}}; the service worker precaches exactly the
// same list. Text files are compressed once, at start, with brotli and gzip.
//
// Two files keep fixed names: the service worker (/sw.js, whose scope is
// its folder) and the manifest (/manifest.webmanifest, which an installed
// app refers to); both are rewritten at start to name the hashed files.

// immutable is the Cache-Control of a hashed static file.
const immutable = "public, max-age=31536000, immutable"

// staticFile is one file of static/ as served.
type staticFile struct {
	name  string // path under static/, such as "icons/icon-192.png"
	url   string // its hashed address, such as "/static/icons/icon-192.5d41402abc.png"
	ctype string
	raw   []byte
	gzip  []byte // nil when the type is not text or compression does not pay
	br    []byte
}

// staticSet is every static file, ready to serve.
type staticSet struct {
	byURL    map[string]*staticFile
	byName   map[string]*staticFile
	urls     []string // every hashed address, sorted: the service worker's precache list
	worker   *staticFile
	manifest *staticFile
}

// Files of static/ served under fixed names.
const (
	workerFile   = "sw.js"
	manifestFile = "manifest.webmanifest"
)

// loadStatic reads, hashes and compresses the embedded static files once.
var loadStatic = sync.OnceValues(func() (*staticSet, error) { return buildStatic(assets, "static") })

// buildStatic makes the set from dir of fsys.
func buildStatic(fsys fs.FS, dir string) (*staticSet, error) {
	st := &staticSet{byURL: map[string]*staticFile{}, byName: map[string]*staticFile{}}
	fixed := map[string][]byte{} // the files served under fixed names
	err := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, dir+"/")
		if path.Ext(name) == ".js" {
			b = stripLineComments(b)
		}
		if name == workerFile || name == manifestFile {
			fixed[name] = b
			return nil
		}
		sum := sha256.Sum256(b)
		ext := path.Ext(name)
		f := &staticFile{name: name, url: "/static/" + strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:5]) + ext,
			ctype: contentType(name), raw: b}
		st.byURL[f.url] = f
		st.byName[name] = f
		st.urls = append(st.urls, f.url)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("app: static files: %w", err)
	}
	sort.Strings(st.urls)

	// The manifest names the hashed icons.
	mf, ok := fixed[manifestFile]
	if !ok {
		return nil, fmt.Errorf("app: static files: no %s", manifestFile)
	}
	var bad error
	mf = staticRef.ReplaceAllFunc(mf, func(m []byte) []byte {
		u, err := st.url(string(staticRef.FindSubmatch(m)[1]))
		if err != nil {
			bad = err
		}
		return []byte(`"` + u + `"`)
	})
	if bad != nil {
		return nil, fmt.Errorf("app: %s: %w", manifestFile, bad)
	}
	st.manifest = &staticFile{name: manifestFile, url: "/" + manifestFile, ctype: "application/manifest+json", raw: mf}

	// The service worker carries the precache list and a version made from it.
	sw, ok := fixed[workerFile]
	if !ok {
		return nil, fmt.Errorf("app: static files: no %s", workerFile)
	}
	list, _ := json.Marshal(st.urls)
	version := sha256.Sum256(list)
	for _, r := range []struct{ token, value string }{
		{`["__PRECACHE__"]`, string(list)},
		{`__VERSION__`, hex.EncodeToString(version[:5])},
	} {
		if !bytes.Contains(sw, []byte(r.token)) {
			return nil, fmt.Errorf("app: %s lacks %s", workerFile, r.token)
		}
		sw = bytes.ReplaceAll(sw, []byte(r.token), []byte(r.value))
	}
	st.worker = &staticFile{name: workerFile, url: "/" + workerFile, ctype: "text/javascript; charset=utf-8", raw: sw}

	for _, f := range st.byName {
		f.compress()
	}
	st.manifest.compress()
	st.worker.compress()
	return st, nil
}

// stripLineComments drops the lines of JavaScript that are only a //
// comment: they are for the reader of the source, and a phone pays for each
// byte. (Our scripts have no template literals, so no such line is inside a
// string.)
func stripLineComments(js []byte) []byte {
	var out []byte
	for line := range bytes.Lines(js) {
		if !bytes.HasPrefix(bytes.TrimSpace(line), []byte("//")) {
			out = append(out, line...)
		}
	}
	return out
}

// staticRef is a quoted reference to a static file: "/static/icons/icon-192.png".
var staticRef = regexp.MustCompile(`"/static/([^"]+)"`)

// url is the hashed address of the static file name ("app.css"); the one
// helper templates use, as {{asset "app.css"}}.
func (st *staticSet) url(name string) (string, error) {
	f, ok := st.byName[name]
	if !ok {
		return "", fmt.Errorf("app: no static file %q", name)
	}
	return f.url, nil
}

// funcs are the template helpers of static files.
func (st *staticSet) funcs() template.FuncMap { return template.FuncMap{"asset": st.url} }

// contentType is the Content-Type of a static file name.
func contentType(name string) string {
	switch path.Ext(name) {
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	case ".webmanifest":
		return "application/manifest+json"
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// compress keeps brotli and gzip copies of a text file, each only when it is
// smaller than the file.
func (f *staticFile) compress() {
	if !compressible(f.ctype) {
		return
	}
	if b := fasthttp.AppendBrotliBytesLevel(nil, f.raw, fasthttp.CompressBrotliBestCompression); len(b) < len(f.raw) {
		f.br = b
	}
	if b := fasthttp.AppendGzipBytesLevel(nil, f.raw, fasthttp.CompressBestCompression); len(b) < len(f.raw) {
		f.gzip = b
	}
}

// send writes f with cacheControl, compressed as the client accepts.
func (f *staticFile) send(c *fiber.Ctx, cacheControl string) error {
	c.Set(fiber.HeaderContentType, f.ctype)
	c.Set(fiber.HeaderCacheControl, cacheControl)
	body := f.raw
	if f.gzip != nil || f.br != nil {
		c.Vary(fiber.HeaderAcceptEncoding)
		switch h := &c.Request().Header; {
		case f.br != nil && h.HasAcceptEncoding("br"):
			c.Set(fiber.HeaderContentEncoding, "br")
			body = f.br
		case f.gzip != nil && h.HasAcceptEncoding("gzip"):
			c.Set(fiber.HeaderContentEncoding, "gzip")
			body = f.gzip
		}
	}
	return c.Send(body)
}

// serveStatic answers under /static/: a hashed name with the file, for a
// year; any other name of a file that exists (the plain name, or an older
// hash) with a redirect to its current hashed name, never cached; anything
// else 404.
func (s *Server) serveStatic(c *fiber.Ctx) error {
	if c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead {
		return c.Next()
	}
	p := c.Path()
	if f, ok := s.static.byURL[p]; ok {
		return f.send(c, immutable)
	}
	if f, ok := s.static.byName[unhashed(strings.TrimPrefix(p, "/static/"))]; ok {
		c.Set(fiber.HeaderCacheControl, "no-cache")
		return c.Redirect(f.url, http.StatusFound)
	}
	return errNotFound
}

// hashInName is the hash part of a hashed static file name.
var hashInName = regexp.MustCompile(`\.[0-9a-f]{10}(\.[^./]+)$`)

// unhashed is name without a hash: "app.0123456789.css" → "app.css".
func unhashed(name string) string { return hashInName.ReplaceAllString(name, "$1") }

// serveWorker: GET /sw.js. The service worker lives at the root so that its
// scope covers /books and /vendors/…; browsers must always revalidate it.
func (s *Server) serveWorker(c *fiber.Ctx) error { return s.static.worker.send(c, "no-cache") }

// serveManifest: GET /manifest.webmanifest, the installable app's manifest.
func (s *Server) serveManifest(c *fiber.Ctx) error {
	return s.static.manifest.send(c, "public, max-age=3600")
}

// serveFavicon: GET /favicon.ico, which browsers ask for by themselves:
// the app's icon (a PNG, which every browser takes under that name).
func (s *Server) serveFavicon(c *fiber.Ctx) error {
	f, ok := s.static.byName["icons/icon-192.png"]
	if !ok {
		return errNotFound
	}
	return f.send(c, "public, max-age=86400")
}

// compressible reports whether a response of Content-Type ctype is text,
// which compresses well: pages, JSON, CSV, CSS, JavaScript, SVG, the
// manifest. PDFs, PNGs and the like are compressed already.
func compressible(ctype string) bool {
	ctype, _, _ = strings.Cut(ctype, ";")
	ctype = strings.TrimSpace(strings.ToLower(ctype))
	if strings.HasPrefix(ctype, "text/") || ctype == "image/svg+xml" {
		return true
	}
	sub, ok := strings.CutPrefix(ctype, "application/")
	return ok && (sub == "json" || sub == "javascript" || sub == "xml" ||
		strings.HasSuffix(sub, "+json") || strings.HasSuffix(sub, "+xml"))
}

// compressText compresses every text response, with brotli or gzip as the
// client accepts, through the compressor of Fiber's compress middleware.
// Unlike that middleware it leaves alone what is not text (Fiber's would
// compress any application/*, PDFs included), and it compresses error pages
// too: it runs the error handler itself.
func compressText() fiber.Handler {
	compressor := fasthttp.CompressHandlerBrotliLevel(func(*fasthttp.RequestCtx) {},
		fasthttp.CompressBrotliDefaultCompression, fasthttp.CompressDefaultCompression)
	return func(c *fiber.Ctx) error {
		if err := c.Next(); err != nil {
			if err := c.App().Config().ErrorHandler(c, err); err != nil {
				return err
			}
		}
		if compressible(string(c.Response().Header.ContentType())) {
			compressor(c.Context())
		}
		return nil
	}
}
