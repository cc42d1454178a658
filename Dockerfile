# Smart Meter Reader add-on image. Build context = repository root (the add-on folder).
# Works with and without build.yaml: BUILD_FROM defaults to the same image build.yaml names (tested).
ARG BUILD_FROM=ghcr.io/home-assistant/base:3.24

# ---------------------------------------------------------------------------------------------------------------
# Build stage: install all dependencies, compile the backend (app/dist) and the panel (ui/dist), then drop dev deps.
# ---------------------------------------------------------------------------------------------------------------
FROM ${BUILD_FROM} AS build

# nodejs + npm for the build; python3/make/g++/linux-headers only as a fallback should serialport's N-API
# prebuild (shipped for linux-x64-musl and linux-arm64-musl) not load.
RUN apk add --no-cache nodejs npm python3 make g++ linux-headers

WORKDIR /src

# Manifests first so the dependency layer is cached while sources change.
COPY package.json package-lock.json ./
COPY app/package.json app/
COPY ui/package.json ui/
RUN npm ci --no-audit --no-fund

COPY . .
RUN npm run build \
    && npm prune --omit=dev --no-audit --no-fund

# ---------------------------------------------------------------------------------------------------------------
# Runtime stage: Node.js only, compiled output and production node_modules. Nothing is built at container start.
# ---------------------------------------------------------------------------------------------------------------
FROM ${BUILD_FROM}

RUN apk add --no-cache nodejs

WORKDIR /opt/smart-meter-reader
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/app/package.json ./app/
COPY --from=build /src/app/dist ./app/dist
COPY --from=build /src/ui/dist ./ui/dist

COPY run.sh /
RUN chmod 755 /run.sh

ENV NODE_ENV=production

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8098/api/health || exit 1

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
