# A small image: a static (musl) mdscrub on scratch.
#
#   docker build -t mdscrub .
#   docker run --rm -v "$PWD:/data" mdscrub check /data
#
# The working folder is /data; files are read and, for `clean`, written
# there as the user the container runs as (`--user "$(id -u):$(id -g)"` keeps
# the owner of rewritten files).
FROM rust:1-alpine AS build
RUN apk add --no-cache musl-dev
WORKDIR /src
COPY Cargo.toml Cargo.lock rules.toml ./
COPY src src
COPY benches benches
RUN cargo build --release --locked --bin mdscrub \
 && strip target/release/mdscrub

FROM scratch
COPY --from=build /src/target/release/mdscrub /usr/local/bin/mdscrub
WORKDIR /data
ENTRYPOINT ["/usr/local/bin/mdscrub"]
CMD ["--help"]
