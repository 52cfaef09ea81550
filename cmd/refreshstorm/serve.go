package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/refreshstorm/refreshstorm/authserver"
	"github.com/refreshstorm/refreshstorm/targets"
)

func newServeCmd() *cobra.Command {
	var (
		addr, policySpec, credsPath, writeCreds, writeCookies string
		demoUsers, familyCap, readySessions                   int
		lst                                                   serveListen
	)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the embedded reference auth server standalone",
		Long: `Serves the reference implementation of the cookie refresh protocol
(sign-in, csrf, refresh, session, sign-out) in memory, with a selectable
rotation policy and deliberate defect modes.

Server policy grammar: strict | grace=DURATION, then optional comma parts:
  dup=same-child|sibling|current-head   what a duplicate inside the window gets
  reuse=revoke-family|reject            what reuse outside the window does
  defect=NAME (repeatable)              non-atomic, reuse-no-revoke, zombie,
                                        no-csrf, csrf-consumes,
                                        grace-any-ancestor, accept-rotated,
                                        revoke-on-concurrent-only
  zombie-after=DURATION                 how long a zombie revocation lasts
  family-cap=N                          live families per user (as --family-cap)

Users come from --credentials, or --demo-users N generated ones (user-0001
… with password pw-user-0001 …), which --write-credentials saves as CSV for
'refreshstorm run --credentials'. The file appears whole (written aside,
then renamed) once the server listens, so a script can wait for it.

--write-cookies FILE --ready-sessions N signs N families in directly (no
HTTP) and writes them as refresh,csrf,access lines for 'refreshstorm run
--cookies FILE', so a run of a million sessions needs no million sign-ins.
The file is complete when it appears (written aside, then renamed).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			policy, err := authserver.ParsePolicy(policySpec)
			if err != nil {
				return usageError("--server-policy: %v", err)
			}
			users := authserver.DemoUsers(demoUsers)
			if credsPath != "" {
				creds, err := targets.LoadCredentials(credsPath)
				if err != nil {
					return usageError("--credentials: %v", err)
				}
				users = make(map[string]string, len(creds))
				for _, c := range creds {
					users[c.Identifier] = c.Password
				}
			}
			if writeCreds != "" && credsPath != "" {
				return usageError("--write-credentials only writes generated --demo-users")
			}
			if (writeCookies == "") != (readySessions == 0) {
				return usageError("--write-cookies FILE and --ready-sessions N (N >= 1) go together")
			}
			if readySessions < 0 {
				return usageError("--ready-sessions %d: want at least 1", readySessions)
			}
			listen, err := lst.build()
			if err != nil {
				return err
			}
			srv, err := authserver.StartWith(addr, authserver.Config{Policy: policy, Users: users, FamilyCap: familyCap}, listen)
			if err != nil {
				return withCode(exitCannotRun, err)
			}
			// Written once the server listens, and whole (renamed into
			// place), so a script may wait for the file and then start run.
			if writeCreds != "" {
				if err := writeCredentials(writeCreds, users, demoUsers); err != nil {
					srv.Close()
					return withCode(exitCannotRun, err)
				}
			}
			if writeCookies != "" {
				began := time.Now()
				if err := writeReadySessions(writeCookies, srv.Server, readySessions); err != nil {
					_ = srv.Close()
					return withCode(exitCannotRun, fmt.Errorf("--write-cookies: %w", err))
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "wrote %d ready sessions to %s in %.1fs\n", readySessions, writeCookies, time.Since(began).Seconds())
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "authserver on %s: policy %s, %d users\n", srv.URL, policy, len(users))
			parent := cmd.Context()
			if parent == nil {
				parent = context.Background()
			}
			ctx, stop := signal.NotifyContext(parent, os.Interrupt, syscall.SIGTERM)
			defer stop()
			<-ctx.Done()
			st := srv.Server.Stats()
			fmt.Fprintf(cmd.ErrOrStderr(), "stopping: %d sign-ins, %d refreshes, %d reuses detected, %d families revoked\n",
				st.SignIns, st.Refreshes, st.ReuseDetected, st.FamiliesRevoked)
			shutdown := make(chan error, 1)
			go func() { shutdown <- srv.Close() }()
			select {
			case err := <-shutdown:
				return withCode(exitCannotRun, err)
			case <-time.After(5 * time.Second):
				return nil
			}
		},
	}
	f := cmd.Flags()
	f.StringVar(&addr, "addr", "127.0.0.1:8080", "listen address")
	f.StringVar(&policySpec, "server-policy", "strict", "rotation policy and defect modes (see above)")
	f.StringVar(&credsPath, "credentials", "", "CSV of identifier,password users to accept")
	f.IntVar(&demoUsers, "demo-users", 1000, "generated users when --credentials is not given")
	f.StringVar(&writeCreds, "write-credentials", "", "write the generated users to this CSV file")
	f.IntVar(&familyCap, "family-cap", 0, "active families per user; one more sign-in revokes the oldest (0: family-cap= of the policy, else 5)")
	f.StringVar(&writeCookies, "write-cookies", "", "write --ready-sessions signed-in families to this CSV file, for run --cookies")
	f.IntVar(&readySessions, "ready-sessions", 0, "how many families --write-cookies signs in")
	lst.flags(f)
	return cmd
}

// writeReadySessions writes n freshly issued families as a --cookies file,
// beside path first so that a reader never sees half of it.
func writeReadySessions(path string, srv *authserver.Server, n int) error {
	tmp := path + ".partial"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	_, _ = w.WriteString("refresh,csrf,access\n")
	err = srv.Issue(n, func(is authserver.Issued) error {
		_, err := w.WriteString(is.Refresh + "," + is.CSRF + "," + is.Access + "\n")
		return err
	})
	if err == nil {
		err = w.Flush()
	}
	if e := f.Close(); err == nil {
		err = e
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
	}
	return err
}

// writeCredentials writes the demo users to a temporary file beside path
// and renames it into place: a reader sees no file or the whole file.
func writeCredentials(path string, users map[string]string, n int) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("--write-credentials: %w", err)
	}
	defer os.Remove(f.Name()) // after a successful rename there is nothing left to remove
	w := csv.NewWriter(f)
	_ = w.Write([]string{"identifier", "password"})
	for i := 1; i <= n; i++ {
		id := fmt.Sprintf("user-%04d", i)
		_ = w.Write([]string{id, users[id]})
	}
	w.Flush()
	if err := errors.Join(w.Error(), f.Close()); err != nil {
		return fmt.Errorf("--write-credentials: %w", err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("--write-credentials: %w", err)
	}
	return nil
}
