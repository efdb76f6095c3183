package api

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"html/template"
	"net/http"
	"strings"
	"time"
)

// The API reference viewer: Redoc, vendored (api/docs/README.md), so that
// /api/v1/docs works without the internet.
var (
	//go:embed docs/redoc.standalone.js
	redocJS   []byte
	redocETag = func() string { s := sha256.Sum256(redocJS); return `"` + hex.EncodeToString(s[:8]) + `"` }()
)

// DocsPath is where the browsable API reference is served.
const DocsPath = "/api/v1/docs"

var docsPage = template.Must(template.New("docs").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} reference</title>
<style>body{margin:0}</style>
</head>
<body>
<redoc spec-url="{{.Spec}}" hide-download-button="false"></redoc>
<script src="{{.Script}}"></script>
</body>
</html>
`))

// docsCSP allows only this server's own script, the spec it fetches and
// the styles and web worker Redoc makes at run time: nothing from a CDN.
const docsCSP = "default-src 'none'; script-src 'self' blob:; worker-src 'self' blob:; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// RegisterDocs serves the API reference page and its viewer script on mux.
func RegisterDocs(mux *http.ServeMux, title string) {
	mux.HandleFunc("GET "+DocsPath, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", docsCSP)
		_ = docsPage.Execute(w, map[string]string{"Title": title, "Spec": "/api/v1/openapi.json", "Script": DocsPath + "/redoc.standalone.js"})
	})
	mux.HandleFunc("GET "+DocsPath+"/redoc.standalone.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=86400")
		w.Header().Set("ETag", redocETag)
		http.ServeContent(w, r, "redoc.standalone.js", time.Time{}, strings.NewReader(string(redocJS)))
	})
}
