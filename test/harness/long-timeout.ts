// Tests against real servers (registries, signers, kube-apiserver) need more than jest's 5 s default;
// jest ignores `testTimeout` inside a project's config, so each such project sets it here.
jest.setTimeout(Number(process.env.PORTCULLIS_TEST_TIMEOUT_MS ?? 180_000));
