#!/usr/bin/env bash
# Installs the cairn command: PREFIX/share/cairn/RELEASE/ holds the jars and the launcher,
# PREFIX/bin/cairn points at it. Several releases can sit side by side; the last installed wins.
# An older release (--release) is built from the commit releases.tsv records for it, and installs
# with that commit's own launcher.
set -euo pipefail

usage() {
  cat <<'TXT'
Usage: ./install.sh [--release RELEASE] [--prefix PREFIX]

  --release RELEASE   build and install that release instead of this checkout: the commit that
                      releases.tsv records for it, built in a scratch git worktree
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
  # The release table: RELEASE DATA_MODEL COMMIT a line (the jar reads the same file).
  table="$here/releases.tsv"
  [ -f "$table" ] || { echo "install.sh: $table is missing; it lists the releases and their commits" >&2; exit 1; }
  listed="$(awk '!/^[[:space:]]*#/ && NF == 3 { printf "%s%s", sep, $1; sep = ", " }' "$table")"
  commit="$(awk -v r="$release" '!/^[[:space:]]*#/ && NF == 3 && $1 == r { print $3 }' "$table")"
  if [ -z "$commit" ]; then
    echo "install.sh: there is no release $release in $table; the releases are $listed." >&2
    echo "  A release not recorded yet (this checkout's own, until its commit is recorded) installs with ./install.sh alone." >&2
    exit 4
  fi
  if ! git -C "$here" rev-parse --git-dir >/dev/null 2>&1; then
    echo "install.sh: --release needs a git checkout of Cairn: $here is not one" >&2; exit 1
  fi
  if ! git -C "$here" cat-file -e "$commit^{commit}" 2>/dev/null; then
    echo "install.sh: release $release was built from commit $commit, which this repository does not have" \
      "(a shallow clone? git fetch --unshallow)" >&2
    exit 1
  fi
  src="$(mktemp -d "${TMPDIR:-/tmp}/cairn-release-$release.XXXXXX")"
  trap 'git -C "$here" worktree remove --force "$src" >/dev/null 2>&1 || true; rm -rf "$src"; git -C "$here" worktree prune >/dev/null 2>&1 || true' EXIT
  if ! out="$(git -C "$here" worktree add --detach "$src" "$commit" 2>&1)"; then
    echo "install.sh: could not check out commit $commit of release $release: $out" >&2; exit 1
  fi
  echo "Release $release is commit $commit"
fi

echo "Building Cairn in $src ..."
(cd "$src" && mvn -q -B package -DskipTests)
# The command's jar: in cairn-cli/target since the build has modules (0.6.0), in target/ before.
build="$src/cairn-cli/target"
[ -d "$build" ] || build="$src/target"
jars=("$build"/cairn-*.jar)
jar="${jars[0]}"
[ -f "$jar" ] || { echo "install.sh: the build left no cairn jar in $build" >&2; exit 1; }
version="$(basename "$jar" .jar)"; version="${version#cairn-}"
if [ -n "$release" ] && [ "$version" != "$release" ]; then
  echo "install.sh: commit $commit built release $version, not $release: releases.tsv is wrong" >&2; exit 1
fi
dest="$prefix/share/cairn/$version"
rm -rf "$dest"
mkdir -p "$dest/lib" "$prefix/bin"
cp "$jar" "$dest/cairn.jar"
cp "$build"/lib/*.jar "$dest/lib/"
cp "$src/cairn" "$dest/cairn"
chmod +x "$dest/cairn"
# The start-up archive (class data sharing) serves only the jar paths it was made with: make it
# again for the installed jar, when the release builds one. Without it cairn only starts slower.
if [ -f "${jar%.jar}.jsa" ]; then
  java -cp "$dest/cairn.jar" dev.cairn.cli.StartupArchive "$dest/cairn.jsa" || true
fi
ln -sfn "$dest/cairn" "$prefix/bin/cairn"
echo "Installed cairn $version as $prefix/bin/cairn"
case ":$PATH:" in
  *":$prefix/bin:"*) ;;
  *) echo "Add $prefix/bin to your PATH to run it as 'cairn'." ;;
esac
