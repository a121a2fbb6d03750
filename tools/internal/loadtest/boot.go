package loadtest

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/dangjian/dangjian/internal/app"
	"github.com/dangjian/dangjian/internal/config"
	"github.com/dangjian/dangjian/internal/store/storetest"
)

// Boot opens the application on a fresh SQLite folder, or with pg on a fresh database of a
// throwaway PostgreSQL cluster, migrated and listening on 127.0.0.1; adjust may change the
// configuration first. close stops and removes everything Boot started.
func Boot(ctx context.Context, name string, pg bool, adjust func(*config.Config)) (a *app.App, close func(), err error) {
	var undo []func()
	close = func() {
		for i := len(undo) - 1; i >= 0; i-- {
			undo[i]()
		}
	}
	defer func() {
		if err != nil {
			close()
		}
	}()
	cfg := config.Default()
	cfg.Addr = "127.0.0.1:0"
	dir, err := os.MkdirTemp("", "dangjian-"+name+"-")
	if err != nil {
		return nil, close, err
	}
	undo = append(undo, func() { os.RemoveAll(dir) })
	cfg.Data = dir
	if pg {
		base, stopPG, err := storetest.StartPostgres()
		if err != nil {
			return nil, close, fmt.Errorf("postgres: %w", err)
		}
		if stopPG != nil {
			undo = append(undo, stopPG)
		}
		db := fmt.Sprintf("%s_%d", name, os.Getpid())
		if cfg.DB, err = storetest.CreateDatabase(base, db); err != nil {
			return nil, close, err
		}
		if stopPG == nil {
			undo = append(undo, func() { storetest.DropDatabase(base, db) })
		}
	}
	if adjust != nil {
		adjust(&cfg)
	}
	if a, err = app.Open(ctx, cfg, app.Options{LogOutput: io.Discard}); err != nil {
		return nil, close, err
	}
	undo = append(undo, func() { a.Close() })
	if _, err := a.DB.Migrate(ctx); err != nil {
		return nil, close, err
	}
	if err := a.Listen(); err != nil {
		return nil, close, err
	}
	return a, close, nil
}

// Serve serves the application until the returned stop is called.
func Serve(a *app.App) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- a.Serve(ctx) }()
	return func() { cancel(); <-served }
}
