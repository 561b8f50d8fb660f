package cli

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"strconv"
	"strings"
	"time"

	"daihou/web"
)

func (m *Main) runServe(ctx context.Context, args []string) error {
	fs := m.newFlagSet("serve [--addr HOST:PORT] [--db PATH] [--grace DURATION]", `Serve the web console (/console/: log in with a user's password), the JSON
API (/api/v1) and the operational endpoints (/healthz, /readyz, /metrics)
over HTTP until interrupted (SIGINT or SIGTERM: requests
in flight finish, for at most --grace). Log lines go to standard error, one
per request, with its request id. Put TLS in front (a load balancer or a
reverse proxy); on PostgreSQL any number of 'daihou serve' processes can
answer behind one.`)
	db := m.dbFlag(fs)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (port 0 picks a free one)")
	grace := fs.Duration("grace", 10*time.Second, "how long requests in flight may finish when stopping")
	asJSON := fs.Bool("json-log", false, "log JSON lines instead of text")
	warm := fs.Bool("warm", true, "read a SQLite book into memory at start, /readyz answering 503 until it is (a book larger than half the free memory is not read)")
	debugAddr := fs.String("debug-addr", "", "serve Go's profiler (net/http/pprof) on this address too, e.g. 127.0.0.1:6060; keep it on loopback")
	if err := parseFlags(fs, reorder(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return usagef("serve takes no arguments")
	}
	s, err := m.openKeyed(ctx, db(), false)
	if err != nil {
		return err
	}
	defer s.Close()
	var h slog.Handler = slog.NewTextHandler(m.Stderr, nil)
	if *asJSON {
		h = slog.NewJSONHandler(m.Stderr, nil)
	}
	logger := slog.New(h)
	l, err := net.Listen("tcp", *addr)
	if err != nil {
		return usagef("--addr %s: %v", *addr, err)
	}
	if *debugAddr != "" {
		dl, err := net.Listen("tcp", *debugAddr)
		if err != nil {
			return usagef("--debug-addr %s: %v", *debugAddr, err)
		}
		defer dl.Close()
		mux := http.NewServeMux()
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
		go http.Serve(dl, mux)
		logger.Info("profiler listening", "addr", dl.Addr().String())
	}
	fmt.Fprintf(m.Stdout, "daihou serving %s on http://%s (the console: http://%s/console/)\n", db(), l.Addr(), l.Addr())
	logger.Info("listening", "addr", l.Addr().String(), "db", db())
	if *warm {
		go func() {
			n, err := s.Warm(ctx, memAvailable()/2)
			if err != nil {
				logger.Warn("reading the book into memory failed: serving from the disk", "err", err)
			} else if n > 0 {
				logger.Info("read the book into memory", "bytes", n)
			}
		}()
	}
	return web.New(s, logger).Serve(ctx, l, *grace)
}

// memAvailable is the memory the kernel reports available, in bytes; 0
// where it does not say (/proc/meminfo is Linux's).
func memAvailable() int64 {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "MemAvailable:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}
