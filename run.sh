#!/usr/bin/with-contenv bashio
# shellcheck shell=bash
# Entry point of the add-on container (CMD ["/run.sh"]). with-contenv provides SUPERVISOR_TOKEN and TZ.
# All configuration is read by the backend itself from /data/options.json (OPTIONS_PATH) and the Supervisor
# services API (SUPERVISOR_API, SUPERVISOR_TOKEN); nothing is built or installed at container start.

bashio::log.info "Starting Smart Meter Reader..."

cd /opt/smart-meter-reader || bashio::exit.nok "Application folder /opt/smart-meter-reader is missing"
# Memory sized for a small add-on (resident memory stays under 80 MB, see README "Performance"): no optimising
# compiler (a meter sends one push every few seconds; the decoder still reads 36 000 pushes/s) and small heaps.
NODE_FLAGS="--optimize-for-size --no-turbofan --max-semi-space-size=1 --max-old-space-size=48"
# A Node.js that does not know one of the flags would refuse to start: then start without them.
# shellcheck disable=SC2086
if ! node $NODE_FLAGS -e 0 2>/dev/null; then
  bashio::log.warning "Node.js does not accept ${NODE_FLAGS}; starting without memory flags"
  NODE_FLAGS=""
fi
# shellcheck disable=SC2086
exec node $NODE_FLAGS app/dist/main.js
