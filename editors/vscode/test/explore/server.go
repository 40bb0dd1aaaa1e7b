package main

import (
	"fmt"
	"net/http"
)

type Config struct {
	Host string
	Port int
}

func handler(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	if name == "" {
		name = "world"
	}
	fmt.Fprintf(w, "hello, %s\n", name)
}

func main() {
	cfg := Config{
		Host: "127.0.0.1",
		Port: 8080,
	}
	http.HandleFunc("/", handler)
	addr := fmt.Sprintf("%s:%d", cfg.Host, cfg.Port)
	if err := http.ListenAndServe(addr, nil); err != nil {
		panic(err)
	}
}
