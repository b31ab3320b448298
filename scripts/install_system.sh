#!/usr/bin/env bash
# Install the Debian packages the bench needs, only those missing, only when root.
# Idempotent and quick when everything is present (one dpkg-query).
set -euo pipefail
PACKAGES=(
  libportaudio2 libsndfile1            # sounddevice / soundfile
  espeak-ng sox                        # speech stimuli, audio checks
  xvfb xauth                           # a real window without a screen
  libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libxkbcommon-x11-0 libxcb-xinerama0
  libxcb-randr0 libxcb-render-util0 libxcb-image0 libxcb-shape0 libegl1 libgl1
  libfontconfig1 libdbus-1-3 fonts-dejavu-core
  jackd2                               # JACK dummy driver: a real PortAudio loopback
  poppler-utils imagemagick            # look at PDF reports and screenshots
  cmake ninja-build g++                # firmware/: the board core's host build
  libgtest-dev nlohmann-json3-dev      # its GoogleTest suite (reads the golden JSON vectors)
  gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib  # Cortex-M7 build
  qemu-user-static                     # runs the M7 build's golden vectors here
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "note: missing Debian packages (run as root to install them): ${missing[*]}" >&2
  exit 0
fi
echo "installing Debian packages: ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
