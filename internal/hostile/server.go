package hostile

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"time"

	"github.com/refreshstorm/refreshstorm/authserver"
)

// Step is the protocol step a mode misbehaves on.
type Step string

const (
	SignIn  Step = "/api/auth/sign-in"
	CSRF    Step = "/api/auth/csrf"
	Refresh Step = "/api/auth/refresh"
)

// Server is a running hostile target on 127.0.0.1.
type Server struct {
	URL   string
	Tap   *Tap
	Users map[string]string // identifier -> password

	srv      *http.Server
	ln       net.Listener
	stop     chan struct{}
	requests atomic.Int64

	endlessAnswers, endlessBytes atomic.Int64
	idleClosed                   atomic.Int64
}

// IdleClosed is how many keep-alive connections the server closed because
// they sat idle past Options.IdleTimeout: connections the client still
// held and might have sent a refresh on as they closed.
func (s *Server) IdleClosed() int64 { return s.idleClosed.Load() }

// Endless is how many endless answers were started and how many bytes
// they wrote in all: what a client read before it gave up, plus what
// sat in socket buffers.
func (s *Server) Endless() (answers, bytes int64) {
	return s.endlessAnswers.Load(), s.endlessBytes.Load()
}

// Requests is how many HTTP requests reached the target so far.
func (s *Server) Requests() int64 { return s.requests.Load() }

// Options choose the misbehaviour.
type Options struct {
	Mode  Mode
	Step  Step // the step Mode applies to; other steps behave
	Users int
	// IdleTimeout closes idle keep-alive connections (like Node's 5s).
	IdleTimeout time.Duration
}

// Start runs the target until Close.
func Start(o Options) (*Server, error) {
	if o.Users <= 0 {
		o.Users = 5
	}
	policy, err := authserver.ParsePolicy("strict")
	if err != nil {
		return nil, err
	}
	users := authserver.DemoUsers(o.Users)
	ref, err := authserver.New(authserver.Config{Policy: policy, Users: users})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{URL: "http://" + ln.Addr().String(), Tap: &Tap{}, Users: users, ln: ln, stop: make(chan struct{})}
	if o.Mode == Blackhole {
		go s.blackhole()
		return s, nil
	}
	s.srv = &http.Server{Handler: s.handler(ref, o), IdleTimeout: o.IdleTimeout, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = s.srv.Serve(&trackingListener{Listener: ln, s: s}) }()
	return s, nil
}

// Close stops the server and every connection it holds.
func (s *Server) Close() {
	close(s.stop)
	if s.srv != nil {
		_ = s.srv.Close()
		return
	}
	_ = s.ln.Close()
}

// CredentialsCSV is the users as an identifier,password file.
func (s *Server) CredentialsCSV() string {
	var b strings.Builder
	for i := 1; i <= len(s.Users); i++ {
		id := fmt.Sprintf("user-%04d", i)
		fmt.Fprintf(&b, "%s,%s\n", id, s.Users[id])
	}
	return b.String()
}

// blackhole accepts connections and never reads or answers.
func (s *Server) blackhole() {
	var held []net.Conn
	defer func() {
		for _, c := range held {
			_ = c.Close()
		}
	}()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		held = append(held, c)
	}
}

// handler runs the reference server into a buffer, taps both sides, then
// answers as the mode says.
func (s *Server) handler(ref http.Handler, o Options) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		body, _ := io.ReadAll(io.LimitReader(r.Body, 64<<10))
		s.Tap.request(r, body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := httptest.NewRecorder()
		ref.ServeHTTP(rec, r)
		r.Body = io.NopCloser(bytes.NewReader(body)) // for modes that echo it
		s.Tap.response(rec.Header(), rec.Body.Bytes())
		if o.Mode == None || (o.Step != "" && Step(r.URL.Path) != o.Step) {
			copyAnswer(w, rec)
			return
		}
		o.Mode.misbehave(w, r, rec, s)
	})
}

func copyAnswer(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}
