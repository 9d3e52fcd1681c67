// The HTTP server of every Go fixture app (copied next to each app's main.go by tests/e2e/fixtures.py).
//
// It installs no signal handler on purpose: that is the common `http.ListenAndServe` app, and the
// e2e tests prove that it still stops promptly on SIGTERM as PID 1 of its container (the Go runtime
// exits on SIGTERM when nothing asked to be notified of it, even as PID 1).
package main

import (
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"os"
	"time"
)

func serve(name string, extra func() string) {
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("content-type", "text/plain")
		fmt.Fprintf(w, "hello from %s%s\n", name, extra())
	})
	http.HandleFunc("/tz", func(w http.ResponseWriter, r *http.Request) {
		_, offset := time.Now().Zone()
		w.Header().Set("content-type", "application/json")
		// the same shape as the Node fixtures: offset in minutes, positive west of UTC
		json.NewEncoder(w).Encode(map[string]any{"tz": time.Local.String(), "offset": -offset / 60})
	})
	http.HandleFunc("/tmp", func(w http.ResponseWriter, r *http.Request) {
		// whether the app can write a temporary file (os.TempDir)
		f, err := os.CreateTemp("", "probe")
		if err == nil {
			f.Close()
			os.Remove(f.Name())
		}
		w.Header().Set("content-type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"dir": os.TempDir(), "writable": err == nil})
	})
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	log.Printf("%s listening on %s", name, port)
	log.Fatal(http.ListenAndServe(":"+port, nil))
}
