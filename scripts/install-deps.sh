#!/bin/bash
# Installs what eddy needs to build, test and benchmark on Debian 12.
# Idempotent: packages already present are not fetched again, and when every
# package is present apt-get is not run at all.
set -euo pipefail

packages=(
  build-essential cmake pkg-config ccache git
  libgtest-dev libgmock-dev libbenchmark-dev
  libboost-dev libboost-system-dev
  librdkafka-dev libzstd-dev liblz4-dev libsnappy-dev zlib1g-dev libisal-dev
  libcli11-dev libspdlog-dev libfmt-dev libsimdjson-dev librocksdb-dev
  kcat python3 python3-kafka python3-confluent-kafka python3-snappy python3-lz4 python3-zstandard
  redis-server
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
