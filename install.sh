#!/usr/bin/env bash
# Installs the cairn command: PREFIX/share/cairn/RELEASE/ holds the jars and the launcher,
# PREFIX/bin/cairn points at it. Several releases can sit side by side; the last installed wins.
set -euo pipefail

usage() {
  cat <<'TXT'
Usage: ./install.sh [--release RELEASE] [--prefix PREFIX]

  --release RELEASE   build and install that release (git tag vRELEASE) instead of this checkout
  --prefix PREFIX     install under PREFIX (default: ~/.local): PREFIX/bin/cairn
TXT
}

prefix="$HOME/.local"
release=""
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) [ $# -ge 2 ] || { usage >&2; exit 2; }; prefix="$2"; shift 2 ;;
    --release) [ $# -ge 2 ] || { usage >&2; exit 2; }; release="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
done

here="$(cd "$(dirname "$0")" && pwd)"
src="$here"
if [ -n "$release" ]; then
  if ! [[ "$release" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
    echo "install.sh: '$release' is not a release such as 0.1.0" >&2; exit 4
  fi
  if ! git -C "$here" rev-parse -q --verify "refs/tags/v$release" >/dev/null; then
    echo "install.sh: there is no release $release here (no git tag v$release); 'git tag -l \"v*\"' lists them" >&2
    exit 4
  fi
  src="$(mktemp -d)"
  trap 'git -C "$here" worktree remove --force "$src" >/dev/null 2>&1 || true; rm -rf "$src"' EXIT
  git -C "$here" worktree add --detach "$src" "v$release" >/dev/null 2>&1
fi

echo "Building Cairn in $src ..."
(cd "$src" && mvn -q -B package -DskipTests)
jars=("$src"/target/cairn-*.jar)
jar="${jars[0]}"
[ -f "$jar" ] || { echo "install.sh: the build left no cairn jar in $src/target" >&2; exit 1; }
version="$(basename "$jar" .jar)"; version="${version#cairn-}"
dest="$prefix/share/cairn/$version"
rm -rf "$dest"
mkdir -p "$dest/lib" "$prefix/bin"
cp "$jar" "$dest/cairn.jar"
cp "$src"/target/lib/*.jar "$dest/lib/"
cp "$src/cairn" "$dest/cairn"
chmod +x "$dest/cairn"
ln -sfn "$dest/cairn" "$prefix/bin/cairn"
echo "Installed cairn $version as $prefix/bin/cairn"
case ":$PATH:" in
  *":$prefix/bin:"*) ;;
  *) echo "Add $prefix/bin to your PATH to run it as 'cairn'." ;;
esac
