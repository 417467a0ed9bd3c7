// Command oci-registry serves go-containerregistry's in-memory registry WITH the OCI 1.1 referrers API
// (`crane registry serve` leaves it off). Test-only: it stands in for a referrers-capable registry such as zot.
// Usage: oci-registry [-address 127.0.0.1:0]; prints "serving on port N" once listening.
package main

import (
	"flag"
	"log"
	"net"
	"net/http"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"
)

func main() {
	address := flag.String("address", "127.0.0.1:0", "address to listen on")
	flag.Parse()
	listener, err := net.Listen("tcp", *address)
	if err != nil {
		log.Fatalln(err)
	}
	s := &http.Server{
		ReadHeaderTimeout: 5 * time.Second,
		Handler:           registry.New(registry.WithReferrersSupport(true)),
	}
	log.Printf("serving on port %d", listener.Addr().(*net.TCPAddr).Port)
	log.Fatalln(s.Serve(listener))
}
