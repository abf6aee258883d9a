# psinet in a container: a build stage with the -dev packages, and a slim
# runtime stage with only the shared libraries and the binary.
#
#   docker build -t psinet .
#   docker run -p 8080:8080 -v psinet-data:/data psinet
#   docker run -p 8080:8080 -e PSINET_DB=postgresql://... psinet   (PostgreSQL)

FROM debian:bookworm-slim AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      gcc make pkg-config libc6-dev libmicrohttpd-dev libjansson-dev \
      libsqlite3-dev libpq-dev libopenblas-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN make clean && make -j"$(nproc)" build/psinet

FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libmicrohttpd12 libjansson4 libsqlite3-0 libpq5 libopenblas0-pthread \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin psinet \
 && mkdir -p /data && chown psinet:psinet /data
COPY --from=build /src/build/psinet /usr/local/bin/psinet
USER psinet
WORKDIR /data
VOLUME /data
ENV PSINET_DB=/data/psinet.db \
    PSINET_BIND=0.0.0.0 \
    PSINET_PORT=8080
EXPOSE 8080
# psinet checks itself: GET /healthz on PSINET_PORT, exit 0 on a 200.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["/usr/local/bin/psinet", "--healthcheck"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/psinet"]
