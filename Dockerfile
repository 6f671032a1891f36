# Builds the Temporal worker (cmd/worker) as a static binary and ships it in
# a minimal image that runs as a non-root user. The image also contains the
# starter (cmd/starter), for starting pipelines on files that only the
# container sees.
#
# GO_VERSION is the Go release this repository is tested with. go.mod needs
# Go 1.26 or later.
ARG GO_VERSION=1.26.8

FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/ ./cmd/worker ./cmd/starter

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/worker /out/starter /usr/local/bin/
ENTRYPOINT ["/usr/local/bin/worker"]
