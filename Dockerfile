# Smart Meter Reader add-on image. Build context = repository root (the add-on folder).
# Works with and without build.yaml: BUILD_FROM defaults to the same image build.yaml names (tested).
ARG BUILD_FROM=ghcr.io/home-assistant/base:3.24
# Node.js major version of the image: Alpine 3.24's `nodejs` package is the 24 LTS line. Must equal .nvmrc, the
# `engines` range in package.json and the Node.js that .ci/run tests with (checked by the add-on rules test).
ARG NODE_MAJOR=24

# ---------------------------------------------------------------------------------------------------------------
# Build stage: install all dependencies, compile the backend (app/dist) and the panel (ui/dist), then drop dev deps.
# ---------------------------------------------------------------------------------------------------------------
FROM ${BUILD_FROM} AS build
ARG NODE_MAJOR

# nodejs + npm for the build; python3/make/g++/linux-headers only as a fallback should serialport's N-API
# prebuild (shipped for linux-x64-musl and linux-arm64-musl) not load. The build stops if Alpine's nodejs is
# not the expected major version.
RUN apk add --no-cache "nodejs~${NODE_MAJOR}" npm python3 make g++ linux-headers \
    && node -e "process.exit(process.versions.node.split('.')[0] === process.argv[1] ? 0 : 1)" "${NODE_MAJOR}"

WORKDIR /src

# Manifests first so the dependency layer is cached while sources change.
COPY package.json package-lock.json ./
COPY app/package.json app/
COPY ui/package.json ui/
RUN npm ci --no-audit --no-fund

COPY . .
# After the build only production dependencies stay; type declarations, source maps and read-me files in them
# are never loaded at run time (README "Runtime": production node_modules size).
RUN npm run build \
    && npm prune --omit=dev --no-audit --no-fund \
    && rm -rf node_modules/@types \
    && find node_modules -type f \( -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -name '*.map' -o -name '*.md' \) -delete

# ---------------------------------------------------------------------------------------------------------------
# Runtime stage: Node.js only, compiled output and production node_modules. Nothing is built at container start.
# ---------------------------------------------------------------------------------------------------------------
FROM ${BUILD_FROM}
ARG NODE_MAJOR

RUN apk add --no-cache "nodejs~${NODE_MAJOR}" \
    && node -e "process.exit(process.versions.node.split('.')[0] === process.argv[1] ? 0 : 1)" "${NODE_MAJOR}"

WORKDIR /opt/smart-meter-reader
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/app/package.json ./app/
COPY --from=build /src/app/dist ./app/dist
COPY --from=build /src/ui/dist ./ui/dist

COPY run.sh /
RUN chmod 755 /run.sh

ENV NODE_ENV=production

# The same check the Supervisor's watchdog calls (config.yaml `watchdog:`): fails when the event loop is blocked or
# a pipeline stopped working, not when a meter is merely silent (DOCS.md "Watchdog").
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8098/api/watchdog || exit 1

ARG BUILD_ARCH
ARG BUILD_VERSION
LABEL \
    io.hass.name="Smart Meter Reader" \
    io.hass.description="Reads Austrian smart meters and publishes to MQTT with Home Assistant discovery" \
    io.hass.type="app" \
    io.hass.arch="${BUILD_ARCH}" \
    io.hass.version="${BUILD_VERSION}" \
    io.hass.url="https://github.com/smart-meter-reader/smart-meter-reader" \
    org.opencontainers.image.title="Smart Meter Reader" \
    org.opencontainers.image.source="https://github.com/smart-meter-reader/smart-meter-reader" \
    org.opencontainers.image.licenses="MIT"

CMD ["/run.sh"]
