// Command oci-registry serves go-containerregistry's in-memory registry WITH the OCI 1.1 referrers API
// (`crane registry serve` leaves it off). Test-only: it stands in for a referrers-capable registry such as zot.
// Usage: oci-registry [-address 127.0.0.1:0]; prints "serving on port N" once listening.
//
// go-containerregistry v0.22 reports a referrer's artifactType as its config.mediaType only; OCI 1.1 says the
// manifest's own artifactType comes first. fixArtifactTypes corrects that, so that artifacts pushed the 1.1 way
// (empty config + artifactType, as cosign v3 does) are listed with the right type. The artifactType query filter
// stays unimplemented, as in some real registries: clients must filter themselves.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
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
		Handler:           fixArtifactTypes(registry.New(registry.WithReferrersSupport(true))),
	}
	log.Printf("serving on port %d", listener.Addr().(*net.TCPAddr).Port)
	log.Fatalln(s.Serve(listener))
}

// fixArtifactTypes rewrites referrers responses so that each descriptor carries its manifest's artifactType.
func fixArtifactTypes(inner http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elems := strings.Split(r.URL.Path, "/")
		if r.Method != http.MethodGet || len(elems) < 5 || elems[len(elems)-2] != "referrers" {
			inner.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		inner.ServeHTTP(rec, r)
		var index map[string]any
		if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &index) != nil {
			copyResponse(w, rec, rec.Body.Bytes())
			return
		}
		repo := strings.Join(elems[2:len(elems)-2], "/")
		manifests, _ := index["manifests"].([]any)
		for _, m := range manifests {
			desc, ok := m.(map[string]any)
			if !ok {
				continue
			}
			digest, _ := desc["digest"].(string)
			get := httptest.NewRequest(http.MethodGet, "/v2/"+repo+"/manifests/"+digest, nil)
			mrec := httptest.NewRecorder()
			inner.ServeHTTP(mrec, get)
			var manifest struct {
				ArtifactType string `json:"artifactType"`
			}
			if json.Unmarshal(mrec.Body.Bytes(), &manifest) == nil && manifest.ArtifactType != "" {
				desc["artifactType"] = manifest.ArtifactType
			}
		}
		body, err := json.Marshal(index)
		if err != nil {
			body = rec.Body.Bytes()
		}
		copyResponse(w, rec, body)
	})
}

// copyResponse writes a recorded response with a possibly rewritten body.
func copyResponse(w http.ResponseWriter, rec *httptest.ResponseRecorder, body []byte) {
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(rec.Code)
	_, _ = bytes.NewReader(body).WriteTo(w)
}
