# A build container that cannot drift from a bare machine: it runs the same setup script
# as ./bazelw. Build it from the repository root:
#   docker build -t tinyml-build .
#   docker run --rm -v "$PWD:/workspace" -w /workspace tinyml-build ./bazelw build //firmware:image
FROM debian:bookworm

COPY tools/setup.sh tools/debian-packages.txt /opt/tinyml/tools/
RUN /opt/tinyml/tools/setup.sh --packages-only && rm -rf /var/lib/apt/lists/*

WORKDIR /workspace
