// Package app wires dangjian together: configuration, database, services and the web server.
// It is the only package that knows every other; the command line and end-to-end tests boot
// the application through it.
package app

import (
	"context"
	"crypto/hkdf"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"
	_ "time/tzdata" // the binary carries its own zone database

	"github.com/dangjian/dangjian/internal/activity"
	"github.com/dangjian/dangjian/internal/auth"
	"github.com/dangjian/dangjian/internal/config"
	"github.com/dangjian/dangjian/internal/jobs"
	"github.com/dangjian/dangjian/internal/masswork"
	"github.com/dangjian/dangjian/internal/notify"
	"github.com/dangjian/dangjian/internal/org"
	"github.com/dangjian/dangjian/internal/pii"
	"github.com/dangjian/dangjian/internal/store"
	"github.com/dangjian/dangjian/internal/web"
)

// App is a running or ready-to-run dangjian.
type App struct {
	Config config.Config
	Log    *slog.Logger
	DB     *store.DB
	Auth   *auth.Service
	Org    *org.Service
	// Activity plans activities, invitations, check-in and attendance.
	Activity *activity.Service
	Notify   *notify.Service // the users' notices and the reminders
	// Masswork handles the masses' problems, visits and projects.
	Masswork *masswork.Service
	Jobs     *jobs.Runner
	Web      *web.Server
	Zone     *time.Location
	Now      func() time.Time

	listener    net.Listener
	server      *http.Server
	jobsStarted bool
}

// Options adjust Open for tests and tools.
type Options struct {
	Now       func() time.Time // clock; time.Now when nil
	LogOutput io.Writer        // os.Stderr when nil
	// Mailer sends the emailed notices instead of the configured SMTP server (tests).
	Mailer notify.Mailer
}

// NewLogger returns the structured logger the configuration asks for.
func NewLogger(cfg config.Config, w io.Writer) *slog.Logger {
	if cfg.LogJSON {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}

// Open connects to the database and builds the services. It does not migrate and does not
// listen.
func Open(ctx context.Context, cfg config.Config, opts Options) (*App, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.LogOutput == nil {
		opts.LogOutput = os.Stderr
	}
	zone, err := time.LoadLocation(cfg.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("app: %w", err)
	}
	if cfg.DB == "" {
		if err := os.MkdirAll(cfg.Data, 0o700); err != nil {
			return nil, fmt.Errorf("app: data folder: %w", err)
		}
	}
	key, err := LoadOrCreateKey(cfg.KeyPath())
	if err != nil {
		return nil, err
	}
	sealer, err := pii.NewSealer(key)
	if err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, store.Options{URL: cfg.DB, Path: filepath.Join(cfg.Data, "dangjian.db"), Sealer: sealer, Now: opts.Now})
	if err != nil {
		return nil, err
	}
	a := &App{Config: cfg, Log: NewLogger(cfg, opts.LogOutput), DB: db, Zone: zone, Now: opts.Now}
	a.Auth = auth.NewService(db, auth.Policy{IdleTimeout: cfg.SessionIdle.Duration, AbsoluteTimeout: cfg.SessionAbsolute.Duration,
		LockoutAttempts: cfg.LockoutAttempts, LockoutFor: cfg.LockoutFor.Duration, Zone: zone, AdminTOTP: cfg.AdminTOTP}, opts.Now)
	a.Org = org.NewService(db, db, opts.Now)
	checkinKey, err := hkdf.Key(sha256.New, key, nil, "dangjian check-in token", 32)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("app: %w", err)
	}
	a.Activity = activity.NewService(db, db, checkinKey, zone, opts.Now)
	a.Masswork = masswork.NewService(db, db, zone, opts.Now)
	a.Masswork.SetPeople(a.Org)
	if a.Notify, err = newNotify(db, cfg, zone, opts); err != nil {
		db.Close()
		return nil, err
	}
	if a.Jobs, err = jobs.New(db, a.Org, a.Log, jobs.WithReminders(a.Notify, jobs.RemindEvery), jobs.WithMassWork(a.Masswork, jobs.MassWorkEvery)); err != nil {
		db.Close()
		return nil, err
	}
	a.Org.SetImports(db, a.Jobs)
	a.Web, err = web.New(web.Deps{Config: cfg, Log: a.Log, Auth: a.Auth, Org: a.Org, Activity: a.Activity, Notify: a.Notify, Masswork: a.Masswork, Ready: a.ready, Now: opts.Now, Zone: zone,
		RequestContext: db.RequestContext})
	if err != nil {
		db.Close()
		return nil, err
	}
	a.Web.Registry().MustRegister(a.Jobs.Collectors()...)
	return a, nil
}

func (a *App) ready(ctx context.Context) error {
	if err := a.DB.Ping(ctx); err != nil {
		return err
	}
	n, err := a.DB.Pending(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		return web.ErrPendingMigrations
	}
	return nil
}

// CheckMigrations returns an error naming the count of pending migrations, if any.
func (a *App) CheckMigrations(ctx context.Context) error {
	n, err := a.DB.Pending(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("the database has %d pending migration(s): run `dangjian migrate up` or start with --migrate", n)
	}
	return nil
}

// Listen opens the listening socket; Addr then reports the bound address (useful with :0).
func (a *App) Listen() error {
	l, err := net.Listen("tcp", a.Config.Addr)
	if err != nil {
		return fmt.Errorf("app: listen: %w", err)
	}
	a.listener = l
	return nil
}

// Addr returns the address the app listens on.
func (a *App) Addr() string { return a.listener.Addr().String() }

// Serve serves HTTP until ctx is cancelled, then shuts down gracefully: in-flight requests
// get up to 20 seconds to finish.
func (a *App) Serve(ctx context.Context) error {
	if a.listener == nil {
		if err := a.Listen(); err != nil {
			return err
		}
	}
	a.server = &http.Server{
		Handler:           a.Web,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
	}
	if err := a.StartJobs(ctx); err != nil {
		return err
	}
	errc := make(chan error, 1)
	go func() { errc <- a.server.Serve(a.listener) }()
	a.Log.Info("dangjian listening", "addr", "http://"+a.Addr(), "db", string(a.DB.Dialect))
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.Log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := a.server.Shutdown(sctx)
	if e := <-errc; e != nil && !errors.Is(e, http.ErrServerClosed) {
		err = errors.Join(err, e)
	}
	return errors.Join(err, a.stopJobs(sctx))
}

// StartJobs starts working background jobs; Serve calls it, tests may call it alone.
func (a *App) StartJobs(ctx context.Context) error {
	if a.jobsStarted {
		return nil
	}
	// Jobs get their own context: a shutdown lets running jobs finish through stopJobs.
	if err := a.Jobs.Start(context.WithoutCancel(ctx)); err != nil {
		return err
	}
	a.jobsStarted = true
	return nil
}

func (a *App) stopJobs(ctx context.Context) error {
	if !a.jobsStarted {
		return nil
	}
	a.jobsStarted = false
	return a.Jobs.Stop(ctx)
}

// Close stops the jobs, if they run, and releases the database.
func (a *App) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return errors.Join(a.stopJobs(ctx), a.DB.Close())
}

// newNotify builds the notice service: emails go through opts.Mailer, or the configured SMTP
// server, or nowhere (notices in the app only).
func newNotify(db *store.DB, cfg config.Config, zone *time.Location, opts Options) (*notify.Service, error) {
	mailer := opts.Mailer
	if mailer == nil && cfg.SMTPHost != "" {
		smtp, err := notify.NewSMTP(notify.SMTPConfig{Host: cfg.SMTPHost, Port: cfg.SMTPPortOrDefault(), Username: cfg.SMTPUsername,
			Password: cfg.SMTPPassword, From: cfg.SMTPFrom, TLS: cfg.SMTPTLS}, opts.Now)
		if err != nil {
			return nil, fmt.Errorf("app: %w", err)
		}
		mailer = smtp
	}
	return notify.NewService(db, notify.Options{Mailer: mailer, BaseURL: cfg.BaseURL, Zone: zone, Lead: cfg.RemindLead.Duration,
		RecordAfter: cfg.RecordDueAfter.Duration, Now: opts.Now}), nil
}
