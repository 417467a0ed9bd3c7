module portcullis.dev/hack/credential-helper

go 1.25.0

require github.com/docker/docker-credential-helpers v0.9.3
