# syntax=docker/dockerfile:1
# The Portcullis webhook image: Node.js 24, non-root (65532), no shell, no package manager, production
# dependencies only. Runs with a read-only root filesystem (the chart sets readOnlyRootFilesystem: true).
#   docker build -t portcullis:dev .
#   docker run --rm portcullis:dev --help
# Reviewed against hadolint's rules and the CIS Docker Benchmark in docs/dockerfile-review.md; the properties
# that matter are asserted by test/unit/image/dockerfile.test.ts. Pin the base images by digest when you
# publish (see the review).

# 1. build: compile the TypeScript (src/) to dist/ with the full, locked dependency tree. npm runs the
#    install scripts here: the `node` devDependency's script fetches the pinned Node 24 that npm scripts use.
FROM node:24-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# 2. deps: production dependencies only (no typescript, tsx, jest, and no `node` devDependency), and no
#    install scripts: none of them needs one (cbor-x falls back to JavaScript; its native add-on is prebuilt).
FROM node:24-bookworm-slim AS deps
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# 3. runtime: distroless Node.js 24 on Debian 12 (the same glibc as the build stages), nonroot variant.
#    No shell, no npm, no apt: only node, its libraries, CA certificates and our files, owned by root and
#    read-only to the webhook's user.
FROM gcr.io/distroless/nodejs24-debian12:nonroot AS runtime
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="portcullis" \
      org.opencontainers.image.description="Kubernetes admission webhook that admits only signed container images" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}"
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY bin ./bin
COPY package.json ./
USER 65532:65532
EXPOSE 8443
# bin/portcullis.js runs dist/ when src/ is absent, as here. Kubernetes probes /healthz and /readyz (the
# chart); the image has no HEALTHCHECK because its port and TLS files are chosen at run time.
ENTRYPOINT ["/nodejs/bin/node", "/app/bin/portcullis.js"]
CMD ["serve"]
