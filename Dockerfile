# Signaal: a multi-stage build. go-sqlite3 needs cgo, so the binary links
# against glibc and runs on a glibc base (Debian), not on scratch or Alpine.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=1 go build -trimpath -ldflags='-s -w' -o /out/signald ./cmd/signald

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates sqlite3 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin signaal \
 && mkdir -p /data /keys && chown signaal:signaal /data /keys && chmod 700 /data /keys
COPY --from=build /out/signald /usr/local/bin/signald
USER signaal
# Two volumes: the database and the keys apart, so one stolen or wrongly
# shared volume does not read everything (back them up apart too).
VOLUME ["/data", "/keys"]
ENV SIGNAAL_ADDR=0.0.0.0:8080 \
    SIGNAAL_DB=/data/signaal.db \
    SIGNAAL_KEYS=/keys \
    SIGNAAL_LOG=json
EXPOSE 8080
# Probes: GET /healthz (liveness) and /readyz (readiness) over HTTP, from the
# orchestrator; the slim image has no HTTP client of its own.
ENTRYPOINT ["/usr/local/bin/signald"]
CMD ["serve"]
