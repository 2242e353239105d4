# Multi-stage build: compile in the Rust image, run in a slim Debian with libpq.
FROM rust:1.95-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libpq-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY .cargo ./.cargo
COPY src ./src
COPY migrations ./migrations
COPY questionnaires ./questionnaires
COPY openapi ./openapi
RUN cargo build --release --locked --bin kaizen

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq5 ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /var/lib/kaizen --create-home kaizen
COPY --from=build /src/target/release/kaizen /usr/local/bin/kaizen
USER kaizen
WORKDIR /var/lib/kaizen
ENV KAIZEN_BIND=0.0.0.0:8080 \
    KAIZEN_LOG_FORMAT=json
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8080/readyz || exit 1
ENTRYPOINT ["/usr/local/bin/kaizen"]
CMD ["serve"]
