// Command ferretdb-kayak runs an embedded FerretDB 1.x (MongoDB wire protocol)
// with the SQLite backend, for the local development/test stack started by
// scripts/stack.sh. It exists because `go install .../cmd/ferretdb` builds a
// binary that panics at start (generated version files are missing from the
// published module), while the embeddable package works.
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

func main() {
	listen := flag.String("listen", "127.0.0.1:27018", "TCP address to listen on")
	dir := flag.String("dir", "", "SQLite data directory (required)")
	debug := flag.Bool("debug", false, "debug logging")
	flag.Parse()

	level := slog.LevelInfo
	if *debug {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	slog.SetDefault(logger)

	if *dir == "" {
		fmt.Fprintln(os.Stderr, "ferretdb-kayak: -dir is required")
		os.Exit(2)
	}
	abs, err := filepath.Abs(*dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferretdb-kayak:", err)
		os.Exit(1)
	}
	if err = os.MkdirAll(abs, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "ferretdb-kayak:", err)
		os.Exit(1)
	}

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: "file:" + abs + "/",
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferretdb-kayak:", err)
		os.Exit(1)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	logger.Info("ferretdb-kayak starting", "listen", *listen, "dir", abs)
	if err = f.Run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "ferretdb-kayak:", err)
		os.Exit(1)
	}
	logger.Info("ferretdb-kayak stopped")
}
