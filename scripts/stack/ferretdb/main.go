// Command ferretdb-kayak runs an embedded FerretDB 1.x (MongoDB wire protocol)
// for the local development/test stack started by scripts/stack.sh, on the
// PostgreSQL backend (-postgresql-url, what the stack uses) or the SQLite one
// (-sqlite-dir, kept for comparison: benchmarks/docstore.py). It exists because
// `go install .../cmd/ferretdb` builds a binary that panics at start (generated
// version files are missing from the published module), while the embeddable
// package works.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func fatal(code int, args ...any) {
	fmt.Fprintln(os.Stderr, append([]any{"ferretdb-kayak:"}, args...)...)
	os.Exit(code)
}

func main() {
	listen := flag.String("listen", "127.0.0.1:27018", "TCP address to listen on")
	pgURL := flag.String("postgresql-url", "", "PostgreSQL backend: connection URL, e.g. postgres://user:pw@127.0.0.1:15432/ferretdb")
	sqliteDir := flag.String("sqlite-dir", "", "SQLite backend: data directory")
	debug := flag.Bool("debug", false, "debug logging")
	flag.Parse()

	level := slog.LevelInfo
	if *debug {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	slog.SetDefault(logger)

	config := &ferretdb.Config{
		Listener: ferretdb.ListenerConfig{TCP: *listen},
		Logger:   logger,
	}
	var where string
	switch {
	case *pgURL != "" && *sqliteDir != "":
		fatal(2, "give one of -postgresql-url and -sqlite-dir, not both")
	case *pgURL != "":
		config.Handler = "postgresql"
		config.PostgreSQLURL = *pgURL
		where = "postgresql"
	case *sqliteDir != "":
		abs, err := filepath.Abs(*sqliteDir)
		if err != nil {
			fatal(1, err)
		}
		if err = os.MkdirAll(abs, 0o755); err != nil {
			fatal(1, err)
		}
		config.Handler = "sqlite"
		config.SQLiteURL = "file:" + abs + "/"
		where = "sqlite " + abs
	default:
		fatal(2, "one of -postgresql-url or -sqlite-dir is required")
	}

	f, err := ferretdb.New(config)
	if err != nil {
		fatal(1, err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	logger.Info("ferretdb-kayak starting", "listen", *listen, "backend", where)
	if err = f.Run(ctx); err != nil {
		fatal(1, err)
	}
	logger.Info("ferretdb-kayak stopped")
}
