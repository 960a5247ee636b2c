// The cluster lab's app (a stand-in for the examples' API images): one static binary.
//
//	GET /ready    200 while the dependency (DEPENDENCY_ADDR, a TCP address) accepts connections, else 503
//	GET /alive    200 as long as the process answers (the examples' livenessPath)
//	GET /healthz  the same as /ready (BuycycleHybrid's single health path)
//	GET /burn?ms= burns CPU for that long (drives the CPU autoscaler)
//	GET /whoami   the process's UID and GID
//	GET /secret   200 with the size of the file named by DATABASE_SECRET_FILE, if set
//
// As `pause` (argv[0] ends in "pause") it sleeps until SIGTERM/SIGINT: the pod sandbox image.
package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	if strings.HasSuffix(os.Args[0], "pause") {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
		<-sig
		return
	}
	ready := func(w http.ResponseWriter, _ *http.Request) {
		if dep := os.Getenv("DEPENDENCY_ADDR"); dep != "" {
			c, err := net.DialTimeout("tcp", dep, time.Second)
			if err != nil {
				http.Error(w, "dependency down: "+err.Error(), http.StatusServiceUnavailable)
				return
			}
			c.Close()
		}
		fmt.Fprintln(w, "ready")
	}
	http.HandleFunc("/ready", ready)
	http.HandleFunc("/healthz", ready)
	http.HandleFunc("/alive", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "alive") })
	http.HandleFunc("/burn", func(w http.ResponseWriter, r *http.Request) {
		ms, _ := strconv.Atoi(r.URL.Query().Get("ms"))
		end := time.Now().Add(time.Duration(ms) * time.Millisecond)
		x := 0
		for time.Now().Before(end) {
			x++
		}
		fmt.Fprintln(w, x)
	})
	http.HandleFunc("/whoami", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintf(w, "%d %d\n", os.Getuid(), os.Getgid()) })
	http.HandleFunc("/secret", func(w http.ResponseWriter, _ *http.Request) {
		b, err := os.ReadFile(os.Getenv("DATABASE_SECRET_FILE"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		fmt.Fprintln(w, len(b))
	})
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	srv := &http.Server{Addr: ":" + port}
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM)
		<-sig
		srv.Close()
	}()
	if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
