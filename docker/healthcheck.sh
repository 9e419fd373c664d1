#!/bin/bash
# Container health check without curl in the image: GET /v2/health/ready on the REST port over
# bash's /dev/tcp; healthy when it answers 200 (the server accepts requests).
port="${PORT:-${TERN_HEALTHCHECK_PORT:-8501}}"
exec 3<>"/dev/tcp/127.0.0.1/${port}" || exit 1
printf 'GET /v2/health/ready HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' >&3
IFS= read -r -t 2 status <&3 || exit 1
case "$status" in
  "HTTP/1.1 200"*) exit 0 ;;
  *) exit 1 ;;
esac
