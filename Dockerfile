# syntax=docker/dockerfile:1
# The fresnel image for people who build with Docker:
#   docker buildx build --platform linux/amd64,linux/arm64 \
#     --build-arg VERSION=$(git describe --tags --always) --build-arg COMMIT=$(git rev-parse --short HEAD) \
#     -t ghcr.io/fresnel-ci/fresnel:dev .
# `make image` builds the same layout (binary at /usr/local/bin/fresnel, user
# 65532, CA certificates, nothing else) without a daemon, reproducibly.

ARG GO_VERSION=1.26.8

FROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS build
ARG TARGETOS
ARG TARGETARCH
ARG VERSION=dev
ARG COMMIT=unknown
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -trimpath \
    -ldflags "-s -w -X github.com/fresnel-ci/fresnel/pkg/version.Version=${VERSION} -X github.com/fresnel-ci/fresnel/pkg/version.Commit=${COMMIT}" \
    -o /out/fresnel ./cmd/fresnel

# distroless static: CA certificates, /etc/passwd with nonroot (65532), /tmp; no shell.
FROM gcr.io/distroless/static-debian12:nonroot
ARG VERSION=dev
ARG COMMIT=unknown
LABEL org.opencontainers.image.title="fresnel" \
      org.opencontainers.image.source="https://github.com/fresnel-ci/fresnel" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${COMMIT}"
COPY --from=build /out/fresnel /usr/local/bin/fresnel
USER 65532:65532
WORKDIR /home/nonroot
ENTRYPOINT ["/usr/local/bin/fresnel"]
