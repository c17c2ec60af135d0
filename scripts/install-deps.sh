#!/usr/bin/env bash
# Install the Debian packages scsinet needs, and only those that are missing.
#
# Idempotent: a package already installed is left alone, and when nothing is
# missing the script touches neither the network nor apt's lists, so a machine
# that is set up needs no root.  The Makefile calls this only when one of its
# pkg-config or command probes fails.
#
# Usage: scripts/install-deps.sh [build|test|bench|fuzz|all]   (default: test)
#   build  compiler, pkg-config and the libraries the build links against
#   test   build + what the test suite runs (valgrind for the leak checks;
#          gtkwave's vcd2fst and sigrok-cli read back the VCD files;
#          tshark decodes the pcap files, python3-jsonschema checks
#          the shipped scenarios against scenarios/schema.json;
#          xvfb-run runs the live view's window on a virtual display)
#   bench  build + what `make bench` compares against (ns-3's core library)
#   fuzz   build + what `make fuzz` builds with: clang, the libFuzzer,
#          ASan and UBSan runtimes (a separate package from clang in
#          Debian 12) and llvm-symbolizer for readable reports (llvm-14)
#   all    everything above
set -euo pipefail

set_name=${1:-test}

build_pkgs=(build-essential pkg-config libcjson-dev check libsdl2-dev
            libsdl2-ttf-dev libsdl2-image-dev fonts-dejavu-core gnuplot-nox)
test_pkgs=(valgrind gtkwave sigrok-cli tshark python3-jsonschema xvfb xauth)
bench_pkgs=(g++ libns3-dev libgsl-dev) # ns3-core.pc links libgsl.so
fuzz_pkgs=(clang libclang-rt-14-dev llvm-14)

case "$set_name" in
  build) want=("${build_pkgs[@]}") ;;
  test)  want=("${build_pkgs[@]}" "${test_pkgs[@]}") ;;
  bench) want=("${build_pkgs[@]}" "${bench_pkgs[@]}") ;;
  fuzz)  want=("${build_pkgs[@]}" "${fuzz_pkgs[@]}") ;;
  all)   want=("${build_pkgs[@]}" "${test_pkgs[@]}" "${bench_pkgs[@]}"
               "${fuzz_pkgs[@]}") ;;
  *) echo "install-deps.sh: unknown package set '$set_name' (build|test|bench|fuzz|all)" >&2
     exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps.sh: all packages for '$set_name' are installed"
  exit 0
fi

echo "install-deps.sh: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo_cmd=(sudo)
  else
    echo "install-deps.sh: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
# wireshark-common asks whether non-root users may capture; the tests only
# read files, so answer no beforehand rather than rely on the frontend.
for p in "${missing[@]}"; do
  if [ "$p" = tshark ]; then
    echo 'wireshark-common wireshark-common/install-setuid boolean false' |
      "${sudo_cmd[@]}" debconf-set-selections
  fi
done
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
