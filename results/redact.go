package results

import (
	"github.com/refreshstorm/refreshstorm/internal/scrub"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Redacted replaces secret values in exported files.
const Redacted = "[redacted]"

// sensitiveName reports whether a header or query parameter name may carry a
// credential. Header names repeat on every result, so answers are cached
// (up to a bound, against a server that invents names).
func sensitiveName(name string) bool {
	if v, ok := sensitiveCache.Load(name); ok {
		return v.(bool)
	}
	sensitive := false
	for _, s := range sensitiveParts {
		if containsFold(name, s) {
			sensitive = true
			break
		}
	}
	if sensitiveCached.Add(1) <= 512 {
		sensitiveCache.Store(name, sensitive)
	}
	return sensitive
}

var (
	sensitiveCache  sync.Map
	sensitiveCached atomic.Int32
)

var sensitiveParts = []string{"cookie", "csrf", "xsrf", "authorization", "token", "secret", "password", "session", "api-key", "apikey"}

// containsFold is strings.Contains ignoring ASCII case, without the
// allocation of lowering name first (it runs for every header of every
// result).
func containsFold(name, lowerSub string) bool {
	for i := 0; i+len(lowerSub) <= len(name); i++ {
		if strings.EqualFold(name[i:i+len(lowerSub)], lowerSub) {
			return true
		}
	}
	return false
}

// redactSetCookie keeps a Set-Cookie's name and attributes (they matter when
// judging cookie attributes) and drops its value.
func redactSetCookie(v string) string {
	pair, attrs, hasAttrs := strings.Cut(v, ";")
	name, _, _ := strings.Cut(pair, "=")
	if !hasAttrs {
		return strings.TrimSpace(name) + "=" + Redacted
	}
	return strings.TrimSpace(name) + "=" + Redacted + ";" + attrs
}

// droppedFromResults are the harness's own per-request annotations that
// events.csv already carries; the outcome and chaos tag stay in
// results.bin so vegeta-side tools can still split by them.
var droppedFromResults = map[string]bool{
	"X-Refreshstorm-Session": true,
	"X-Refreshstorm-Family":  true,
	"X-Refreshstorm-Detail":  true,
}

// redactHeaders copies h with every credential-like value redacted.
func redactHeaders(h http.Header) http.Header {
	if h == nil {
		return nil
	}
	out := make(http.Header, len(h))
	for k, vs := range h {
		switch {
		case droppedFromResults[k]:
		case strings.EqualFold(k, "Set-Cookie"):
			red := make([]string, len(vs))
			for i, v := range vs {
				red[i] = redactSetCookie(v)
			}
			out[k] = red
		case sensitiveName(k):
			red := make([]string, len(vs))
			for i := range vs {
				red[i] = Redacted
			}
			out[k] = red
		default:
			out[k] = vs // values are strings: sharing the slice copies nothing secret
		}
	}
	return out
}

// redactURL drops the values of credential-like query parameters and any
// userinfo.
func redactURL(raw string) string {
	if !strings.ContainsAny(raw, "?@") {
		return raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return Redacted
	}
	if u.User != nil {
		u.User = url.User(Redacted)
	}
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			if sensitiveName(k) || strings.EqualFold(k, "code") || strings.EqualFold(k, "key") {
				q[k] = []string{Redacted}
			}
		}
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// redactResult returns a copy of r safe to export: no body, no cookie, CSRF
// or authorization values.
func redactResult(r *vegeta.Result) vegeta.Result {
	c := *r
	c.Body = nil
	c.Headers = redactHeaders(r.Headers)
	c.URL = redactURL(r.URL)
	if c.URL != r.URL && r.URL != "" {
		c.Error = strings.ReplaceAll(r.Error, r.URL, c.URL)
	}
	c.Error = scrub.Text(c.Error)
	return c
}

// scrubDetail is scrub.Text with a small cache: the same throttling or
// rejection text repeats on thousands of results, and the recorder must
// not allocate per result for it.
func (r *Recorder) scrubDetail(d string) string {
	if v, ok := r.scrubbed[d]; ok {
		return v
	}
	v := scrub.Text(d)
	if r.scrubbed == nil || len(r.scrubbed) >= 1024 {
		r.scrubbed = make(map[string]string, 64)
	}
	r.scrubbed[d] = v
	return v
}
