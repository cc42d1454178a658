#!/usr/bin/with-contenv bashio
# shellcheck shell=bash
# Entry point of the add-on container (CMD ["/run.sh"]). with-contenv provides SUPERVISOR_TOKEN and TZ.
# All configuration is read by the backend itself from /data/options.json (OPTIONS_PATH) and the Supervisor
# services API (SUPERVISOR_API, SUPERVISOR_TOKEN); nothing is built or installed at container start.

bashio::log.info "Starting Smart Meter Reader..."

cd /opt/smart-meter-reader || bashio::exit.nok "Application folder /opt/smart-meter-reader is missing"
# Memory sized for a small add-on (resident memory stays under 80 MB, see README "Performance"): no optimising
# compiler (a meter sends one push every few seconds; the decoder still reads 36 000 pushes/s) and small heaps.
exec node --optimize-for-size --no-opt --max-semi-space-size=1 --max-old-space-size=48 app/dist/main.js
