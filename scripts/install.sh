#!/bin/sh
# Installs the `talon` binary for this machine from the GitHub release, after checking its sha256.
#
#   curl -fsSL https://raw.githubusercontent.com/talon-gateway/talon/main/scripts/install.sh | sh
#
# Environment:
#   TALON_VERSION        release tag to install (default: the latest release), e.g. v0.2.0
#   TALON_INSTALL_DIR    where to put the binary (default: ~/.local/bin; /usr/local/bin when run as root)
#   TALON_REPO           GitHub owner/name (default: talon-gateway/talon)
#   TALON_DOWNLOAD_BASE  download root instead of GitHub: <base>/<tag|latest>/<asset>
#   TALON_DRY_RUN=1      print the platform and the URLs, download nothing
#   TALON_UNAME_S / TALON_UNAME_M   pretend to be another OS / machine (for testing the detection)
#   TALON_UID            pretend to be another user id (for testing the default install folder)
set -eu

REPO="${TALON_REPO:-talon-gateway/talon}"
VERSION="${TALON_VERSION:-latest}"
default_install_dir() {
  if [ "${TALON_UID:-$(id -u 2>/dev/null || echo 1)}" = 0 ]; then
    echo /usr/local/bin
  else
    echo "${HOME:?HOME is not set}/.local/bin"
  fi
}
INSTALL_DIR="${TALON_INSTALL_DIR:-$(default_install_dir)}"

say() { printf '%s\n' "$*"; }
die() { printf 'talon install: %s\n' "$*" >&2; exit 1; }

# Prints the deno compile target for an OS name (uname -s) and machine (uname -m).
detect_target() {
  os="$1"
  arch="$2"
  case "$arch" in
    x86_64 | amd64) arch=x86_64 ;;
    aarch64 | arm64) arch=aarch64 ;;
    *) die "unsupported CPU architecture: $2 (builds exist for x86_64 and aarch64)" ;;
  esac
  case "$os" in
    Linux) echo "${arch}-unknown-linux-gnu" ;;
    Darwin) echo "${arch}-apple-darwin" ;;
    MINGW* | MSYS* | CYGWIN* | Windows_NT)
      [ "$arch" = x86_64 ] || die "unsupported Windows architecture: $2"
      echo "x86_64-pc-windows-msvc"
      ;;
    *) die "unsupported operating system: $1 (builds exist for Linux, macOS and Windows)" ;;
  esac
}

# Prints the download URL of an asset for the chosen version.
asset_url() {
  if [ -n "${TALON_DOWNLOAD_BASE:-}" ]; then
    echo "${TALON_DOWNLOAD_BASE%/}/${VERSION}/$1"
  elif [ "$VERSION" = latest ]; then
    echo "https://github.com/${REPO}/releases/latest/download/$1"
  else
    echo "https://github.com/${REPO}/releases/download/${VERSION}/$1"
  fi
}

download() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsSL --proto '=http,https' -o "$2" "$1" || die "download failed: $1"
  elif command -v wget >/dev/null 2>&1; then
    wget -q -O "$2" "$1" || die "download failed: $1"
  else
    die "needs curl or wget"
  fi
}

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d ' ' -f 1
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 "$1" | cut -d ' ' -f 1
  else
    die "needs sha256sum or shasum to verify the download"
  fi
}

main() {
  target="$(detect_target "${TALON_UNAME_S:-$(uname -s)}" "${TALON_UNAME_M:-$(uname -m)}")"
  ext=""
  case "$target" in *windows*) ext=".exe" ;; esac
  asset="talon-${target}${ext}"
  url="$(asset_url "$asset")"
  sum_url="$(asset_url "$asset.sha256")"
  dest="${INSTALL_DIR}/talon${ext}"
  if [ "${TALON_DRY_RUN:-0}" = 1 ]; then
    say "target=$target"
    say "asset=$asset"
    say "url=$url"
    say "checksum_url=$sum_url"
    say "dest=$dest"
    return 0
  fi

  tmp="$(mktemp -d 2>/dev/null || mktemp -d -t talon)"
  trap 'rm -rf "$tmp"' EXIT INT TERM
  say "Downloading $asset ($VERSION)"
  download "$url" "$tmp/$asset"
  download "$sum_url" "$tmp/$asset.sha256"
  want="$(cut -d ' ' -f 1 <"$tmp/$asset.sha256" | tr 'A-F' 'a-f')"
  have="$(sha256_of "$tmp/$asset")"
  case "$want" in
    [0-9a-f]*) ;;
    *) die "the checksum file for $asset is not a sha256" ;;
  esac
  [ "${#want}" -eq 64 ] || die "the checksum file for $asset is not a sha256"
  [ "$want" = "$have" ] || die "checksum mismatch for $asset: expected $want, got $have; nothing installed"

  mkdir -p "$INSTALL_DIR"
  chmod 755 "$tmp/$asset"
  mv -f "$tmp/$asset" "$dest.new"
  mv -f "$dest.new" "$dest"
  say "Installed $dest"
  case ":${PATH:-}:" in
    *":$INSTALL_DIR:"*) ;;
    *) say "Add $INSTALL_DIR to your PATH, e.g.: export PATH=\"$INSTALL_DIR:\$PATH\"" ;;
  esac
  say "Next: talon onboard"
}

main "$@"
