# Redress: a release build in a Rust image, run from a slim Debian image as a
# non-root user. SQLite data lives in the /data volume; set DATABASE_URL to a
# postgres:// URL to use PostgreSQL instead.

FROM rust:1.95-slim-bookworm AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src

# Build the dependencies alone first so that code changes reuse this layer.
COPY Cargo.toml Cargo.lock ./
RUN mkdir src \
    && echo 'fn main() {}' > src/main.rs \
    && touch src/lib.rs \
    && cargo build --release --locked \
    && rm -rf src

COPY src src
COPY migrations migrations
COPY openapi openapi
RUN touch src/main.rs src/lib.rs \
    && cargo build --release --locked \
    && strip target/release/redress

FROM debian:bookworm-slim
# `--build-arg WITH_CHROMIUM=true` adds headless Chromium (about 300 MB), so
# the annual report can be had as PDF (`format=pdf`); without it that
# answers 406 and the HTML report is printed from a browser.
ARG WITH_CHROMIUM=false
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq5 ca-certificates \
        $(if [ "$WITH_CHROMIUM" = true ]; then echo chromium fonts-liberation; fi) \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 redress \
    && useradd --system --uid 10001 --gid redress --home-dir /data --shell /usr/sbin/nologin redress \
    && mkdir -p /data \
    && chown redress:redress /data

COPY --from=build /src/target/release/redress /usr/local/bin/redress

ENV BIND_ADDR=0.0.0.0:8080 \
    DATABASE_URL=sqlite:///data/redress.db \
    LOG_FORMAT=json \
    RUST_LOG=info
VOLUME ["/data"]
WORKDIR /data
USER redress:redress
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["redress", "healthcheck"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["redress"]
CMD ["serve"]
