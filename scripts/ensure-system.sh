#!/usr/bin/env bash
# Installs the system programs the build, the tests and the sandbox use, when they are missing:
# make, g++ and python3 (`npm ci` compiles better-sqlite3 with node-gyp when no prebuilt binary can be
# downloaded for this Node version), Chromium (e2e), slapd + ldap-utils (directory integration tests
# and bench), PostgreSQL (store contract suite), OpenSSL (S/MIME interoperability tests), xmllint and
# xmlsec1 (DSP tests), nginx (topology test). Debian packages only; idempotent and quick when everything is present. Run it
# BEFORE `npm ci`. Needs root (CI runs as root); otherwise prints the apt line to run.
set -euo pipefail
missing=()
# node-gyp's toolchain (github.com/nodejs/node-gyp#on-unix: python3, make, a C/C++ compiler).
command -v make >/dev/null 2>&1 || missing+=(make)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v slapd >/dev/null 2>&1 || [ -x /usr/sbin/slapd ] || missing+=(slapd)
command -v ldapsearch >/dev/null 2>&1 || missing+=(ldap-utils)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
# DSP tests: ITI-41/ITI-18 bodies checked with xmllint --schema, XUA assertion with xmlsec1 --verify.
command -v xmllint >/dev/null 2>&1 || missing+=(libxml2-utils)
command -v xmlsec1 >/dev/null 2>&1 || missing+=(xmlsec1)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
# Topology test (server-extension/test/topology.test.ts): runs its own nginx, never the system's.
[ -x /usr/sbin/nginx ] || missing+=(nginx)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "Missing system packages: ${missing[*]}. Install them with:" >&2
  echo "  sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
echo "Installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# slapd: we run our own slapd per test with the project schema; the package's default database is not wanted.
echo "slapd slapd/no_configuration boolean true" | debconf-set-selections
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
