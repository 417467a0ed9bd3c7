// containers-policy-oracle: decides one image under a containers-policy.json(5) exactly as containers/image does
// (go.podman.io/image/v5, the library behind podman, CRI-O and skopeo), with sigstore verification compiled in.
// Portcullis's from-containers-policy round-trip tests use it as their oracle: Debian's skopeo is built with
// sigstore disabled. Usage:
//
//	containers-policy-oracle --policy FILE [--registries.d DIR] [--insecure] docker://REF
//
// Exit 0 and "allowed": the policy admits the image. Exit 1 and "rejected: <reason>": the policy denied it (what
// skopeo copy reports as "Source image rejected"). Exit 2: no decision (bad arguments, policy file, registry or
// network error), on stderr. The manifest and signatures are read before the policy runs, so that a registry
// failure is never reported as a rejection.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"go.podman.io/image/v5/docker"
	"go.podman.io/image/v5/image"
	"go.podman.io/image/v5/signature"
	"go.podman.io/image/v5/types"
)

// errRejected marks a decision made by the policy, as opposed to a failure to reach one.
var errRejected = errors.New("rejected")

// main maps decide's outcome onto the three exit codes the tests read.
func main() {
	allowed, err := decide(os.Args[1:])
	switch {
	case allowed:
		fmt.Println("allowed")
	case errors.Is(err, errRejected):
		fmt.Println(err.Error())
		os.Exit(1)
	default:
		fmt.Fprintln(os.Stderr, "containers-policy-oracle:", err)
		os.Exit(2)
	}
}

// decide parses the arguments and runs the policy check; a denial becomes errRejected.
func decide(args []string) (bool, error) {
	fs := flag.NewFlagSet("containers-policy-oracle", flag.ContinueOnError)
	policyPath := fs.String("policy", "", "containers-policy.json(5) file")
	registriesDir := fs.String("registries.d", "", "registries.d folder (lookaside, use-sigstore-attachments)")
	insecure := fs.Bool("insecure", false, "skip TLS verification (and allow plain HTTP) for the registry")
	if err := fs.Parse(args); err != nil {
		return false, err
	}
	if *policyPath == "" || fs.NArg() != 1 || !strings.HasPrefix(fs.Arg(0), "docker://") {
		return false, errors.New("usage: containers-policy-oracle --policy FILE [--registries.d DIR] [--insecure] docker://REF")
	}
	sys := &types.SystemContext{RegistriesDirPath: *registriesDir}
	if *insecure {
		sys.DockerInsecureSkipTLSVerify = types.OptionalBoolTrue
	}
	return isAllowed(context.Background(), *policyPath, strings.TrimPrefix(fs.Arg(0), "docker:"), sys)
}

// isAllowed is skopeo copy's policy check alone, on the image source's top-level manifest and signatures.
func isAllowed(ctx context.Context, policyPath, ref string, sys *types.SystemContext) (bool, error) {
	policy, err := signature.NewPolicyFromFile(policyPath)
	if err != nil {
		return false, err
	}
	pc, err := signature.NewPolicyContext(policy)
	if err != nil {
		return false, err
	}
	defer func() { _ = pc.Destroy() }()
	imageRef, err := docker.ParseReference(ref)
	if err != nil {
		return false, err
	}
	src, err := imageRef.NewImageSource(ctx, sys)
	if err != nil {
		return false, err
	}
	defer func() { _ = src.Close() }()
	unparsed := image.UnparsedInstance(src, nil)
	// Both are cached in unparsed: the policy evaluation below reads these copies, not the registry.
	if _, _, err := unparsed.Manifest(ctx); err != nil {
		return false, err
	}
	if _, err := unparsed.UntrustedSignatures(ctx); err != nil {
		return false, err
	}
	allowed, err := pc.IsRunningImageAllowed(ctx, unparsed)
	if allowed {
		return true, nil
	}
	if err == nil {
		err = errors.New("denied without a reason")
	}
	return false, fmt.Errorf("%w: %w", errRejected, err)
}
