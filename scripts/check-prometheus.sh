#!/usr/bin/env bash
# Checks the Prometheus side of the project with promtool (Debian package
# "prometheus"): the alert rules and their unit tests, every query of the
# Grafana dashboard, and a live scrape of /metrics from a freshly started server.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v promtool >/dev/null 2>&1; then
  echo "check-prometheus: promtool not found; install it (Debian/Ubuntu: apt-get install -y prometheus)" >&2
  exit 127
fi
echo "== $(promtool --version 2>&1 | head -n 1)"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

echo "== promtool check rules deploy/prometheus/alerts.yml"
promtool check rules deploy/prometheus/alerts.yml

echo "== promtool test rules deploy/prometheus/alerts.test.yml"
promtool test rules deploy/prometheus/alerts.test.yml

echo "== Grafana dashboard queries (as recording rules)"
node -e 'JSON.parse(require("fs").readFileSync("deploy/grafana/session-buddy.json", "utf8"))'
node --import tsx scripts/grafana-rules.ts > "$tmp/grafana-queries.yml"
promtool check rules "$tmp/grafana-queries.yml"

echo "== promtool check metrics (live scrape)"
node --import tsx scripts/scrape-metrics.ts > "$tmp/metrics.txt"
promtool check metrics < "$tmp/metrics.txt"
echo "   $(grep -c -v '^#' "$tmp/metrics.txt") samples, no problems"

echo "== prometheus checks passed"
