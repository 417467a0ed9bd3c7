// docker-credential-portcullis-test: a Docker credential helper for Portcullis's tests, built on the
// upstream protocol library (github.com/docker/docker-credential-helpers/credentials), so that `get`,
// `store`, `erase` and `list` read stdin and answer exactly as docker-credential-pass or -ecr-login do.
// Its store is a JSON file ({serverURL: {"Username": …, "Secret": …}}) named by
// PORTCULLIS_TEST_CREDENTIALS: no keyring, so it runs headless.
package main

import (
	"encoding/json"
	"errors"
	"os"

	"github.com/docker/docker-credential-helpers/credentials"
)

type entry struct {
	Username string
	Secret   string
}

type fileStore struct{ path string }

// load reads the whole store; a missing file is an empty store.
func (f fileStore) load() (map[string]entry, error) {
	out := map[string]entry{}
	b, err := os.ReadFile(f.path)
	if errors.Is(err, os.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	return out, json.Unmarshal(b, &out)
}

// save writes the whole store.
func (f fileStore) save(m map[string]entry) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return os.WriteFile(f.path, b, 0o600)
}

func (f fileStore) Add(c *credentials.Credentials) error {
	m, err := f.load()
	if err != nil {
		return err
	}
	m[c.ServerURL] = entry{Username: c.Username, Secret: c.Secret}
	return f.save(m)
}

func (f fileStore) Delete(serverURL string) error {
	m, err := f.load()
	if err != nil {
		return err
	}
	delete(m, serverURL)
	return f.save(m)
}

func (f fileStore) Get(serverURL string) (string, string, error) {
	m, err := f.load()
	if err != nil {
		return "", "", err
	}
	e, ok := m[serverURL]
	if !ok {
		return "", "", credentials.NewErrCredentialsNotFound()
	}
	return e.Username, e.Secret, nil
}

func (f fileStore) List() (map[string]string, error) {
	m, err := f.load()
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for k, v := range m {
		out[k] = v.Username
	}
	return out, nil
}

func main() {
	path := os.Getenv("PORTCULLIS_TEST_CREDENTIALS")
	if path == "" {
		os.Stdout.WriteString("PORTCULLIS_TEST_CREDENTIALS is not set\n")
		os.Exit(1)
	}
	credentials.Serve(fileStore{path: path})
}
