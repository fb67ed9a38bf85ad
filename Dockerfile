# seqserve image: build stage (toolchain, dev dependencies, TypeScript, demo genome), then a
# runtime stage holding only what runs. See docker/README.md.
# The defaults are the official node images (what anyone on the internet gets). Where no
# registry is reachable, pass local stand-ins of the same family:
#   --build-arg BUILD_IMAGE=seqserve-node24-build:local --build-arg RUNTIME_IMAGE=seqserve-node24-runtime:local
# Plain Dockerfile syntax only (no "# syntax=" line, no RUN --mount, no heredocs): it must
# build with the legacy builder of Debian's docker.io 20.10.
ARG BUILD_IMAGE=node:24-bookworm-slim
ARG RUNTIME_IMAGE=node:24-bookworm-slim

FROM ${BUILD_IMAGE} AS build
WORKDIR /app
# npm ci compiles the mapping binding (vendor/mmap-io, C++20) with node-gyp: it needs python3,
# make and g++ (the official slim image lacks them; the local build image has them and Node's
# headers).
RUN if ! command -v python3 >/dev/null || ! command -v make >/dev/null || ! command -v g++ >/dev/null; then \
      apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
      && rm -rf /var/lib/apt/lists/*; \
    fi
# The vendored binding is a file: dependency (a symlink in node_modules, built in place), so its
# source and .npmrc must be there for npm ci.
COPY package.json package-lock.json .npmrc ./
COPY vendor/mmap-io vendor/mmap-io
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src src
COPY routes routes
COPY page page
RUN npm run build
# The bundled demo genome, its .fai and its refget digest sidecars are made now: the runtime
# root file system is read-only, so the server must find them complete (as `npm start` would
# generate them into data/demo on first start, then `seqserve index` completes them).
# The sidecars pin each data file's mtime in ms, and COPY --from keeps whole seconds only: the
# files get a whole-second mtime first, or the server would find the sidecars stale at every start.
RUN node --input-type=module -e "import('/app/dist/src/data/demo-genome.js').then((m) => m.ensureDemoGenome('/app/data/demo'))" \
    && touch -d "@$(date +%s)" data/demo/* \
    && node dist/src/cli/main.js index data/demo \
    && ls -l data/demo
# Production dependencies only; of the binding's build, only build/Release/mmap_io.node is loaded.
RUN npm prune --omit=dev --no-audit --no-fund \
    && rm -rf vendor/mmap-io/build/Release/obj.target vendor/mmap-io/build/Release/.deps \
    && node -e "require('@riaskov/mmap-io')"

FROM ${RUNTIME_IMAGE}
# Bare, the image serves the bundled demo genome (/app/data/demo). For a genome of your own,
# mount it read-only and say where: -v /path/to/genome:/data:ro -e SEQSERVE_DATA=/data
# Worker processes default to the cores the host shows; set SEQSERVE_WORKERS to the CPU limit.
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080
WORKDIR /app
# Root-owned, read-only for the node user; the container also runs with --read-only.
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
# node_modules/@riaskov/mmap-io links here: the binding's JS and its compiled build/Release.
COPY --from=build /app/vendor/mmap-io ./vendor/mmap-io
COPY --from=build /app/dist ./dist
COPY --from=build /app/data/demo ./data/demo
USER node
EXPOSE 8080
# No curl or wget in the image: node's fetch. /readyz answers once the data is mapped.
HEALTHCHECK --interval=5s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The app handles SIGTERM itself (with --workers, the cluster primary is PID 1 and lets every
# worker finish its in-flight requests, then exits 0).
ENTRYPOINT ["node", "dist/src/cli/main.js"]
CMD ["serve"]
