#!/usr/bin/env bash
# The README's main-job command: builds ppctl, starts the local platform and signs in to it.
# At a terminal you approve the device code yourself; unattended (CI, or no terminal) the script approves it
# with `ppctl sandbox approve` as the Contoso admin, through the platform's real sign-in pages.
set -euo pipefail
cd "$(dirname "$0")/.."
ppctl() { node bin/run.js "$@"; }
# The demo is for people: tables as at a terminal, even when its output goes to a pipe or a log (ppctl prints TSV there).
export PPCTL_OUTPUT="${PPCTL_OUTPUT:-table}"

# PPCTL_DEMO_NO_BUILD=1: dist/ is built already (the test suite runs the demo while other tests use dist/).
[[ -n "${PPCTL_DEMO_NO_BUILD:-}" ]] || npm run --silent build:ts
if [[ "$(uname -s)" == Linux && -z "${DBUS_SESSION_BUS_ADDRESS:-}" && -z "${PPCTL_CREDENTIAL_STORE:-}" ]]; then
  # ppctl never falls back by itself; the demo opts in, out loud, so it also runs on a headless machine.
  echo "No D-Bus session (so no keychain) here: this demo opts in to the unencrypted file store (PPCTL_CREDENTIAL_STORE=file)." >&2
  export PPCTL_CREDENTIAL_STORE=file
fi
ppctl sandbox start --port "${PPCTL_SANDBOX_PORT:-0}"
ppctl sandbox status
ppctl sandbox users
echo

if [[ -t 0 && -t 2 && -z "${CI:-}" ]]; then
  # A person: open the address shown, enter the code, sign in with a password from `ppctl sandbox users`.
  ppctl auth login
else
  upn="${PPCTL_DEMO_USER:-admin@contoso.example}"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  # Sign-in runs in the background; with --json its device code arrives as one JSON line on stderr.
  ppctl auth login --json >"$work/login.json" 2>"$work/login.err" &
  login_pid=$!
  code=""
  for _ in $(seq 1 100); do
    code="$(node -e '
      const lines = require("fs").readFileSync(process.argv[1], "utf8").split("\n")
      for (const l of lines) { try { const j = JSON.parse(l); if (j.event === "device_code") { console.log(j.userCode); break } } catch {} }
    ' "$work/login.err")"
    [[ -n "$code" ]] && break
    kill -0 "$login_pid" 2>/dev/null || break
    sleep 0.2
  done
  if [[ -z "$code" ]]; then
    wait "$login_pid" || true
    cat "$work/login.err" >&2
    echo "Sign-in did not show a device code." >&2
    exit 1
  fi
  echo "Approving device code $code as $upn (unattended)…"
  ppctl sandbox users --json | node -e '
    let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      const u = JSON.parse(s).items.find((x) => x.upn === process.argv[1])
      if (!u) { console.error("no such user: " + process.argv[1]); process.exit(1) }
      process.stdout.write(u.password + "\n")
    })
  ' "$upn" | ppctl sandbox approve "$code" --user "$upn"
  if ! wait "$login_pid"; then
    grep -v '"device_code"' "$work/login.err" >&2 || true
    exit 1
  fi
  grep -v '"device_code"' "$work/login.err" >&2 || true
fi
# The insecure-storage warning was shown at sign-in; the demo does not repeat it at every command.
[[ "${PPCTL_CREDENTIAL_STORE:-}" == file ]] && export PPCTL_NO_WARNINGS=1

ppctl auth status
echo
echo "Connectors of the tenant (premium ones):"
ppctl connector list --tier premium
echo
echo "Why can user@contoso.example not use Salesforce in an app?"
ppctl connector access shared_salesforce --user user@contoso.example
echo
echo "Assign licenses to Lee Gu (safe to re-run: a license already held is reported \"already assigned\"):"
ppctl license assign --user lee.gu@contoso.example --sku FLOW_FREE
# POWERAPPS_PER_USER, not the per-app SKU the advice above names first: the demo leaves that seat for the advice.
ppctl license assign --user lee.gu@contoso.example --sku POWERAPPS_PER_USER
echo
echo "The local platform keeps running; stop it with: node bin/run.js sandbox stop"

echo
echo "The audit events this run caused (the last 10 minutes):"
ppctl audit stream --since 10m --output table
