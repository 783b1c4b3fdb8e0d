# Shared helpers for the harness scripts: sourced, never run.
# shellcheck shell=bash
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR="${ASGI_BUILD_DIR:-$ROOT/.build}"
VENV="${ASGI_VENV:-$ROOT/.venv}"
export PATH="$VENV/bin:$PATH"

# Everything Ansible and Molecule read or write lives under the build directory, so
# nothing an earlier run or the user's own ~/.ansible left behind can change a result:
# the collection comes only from its tarball, installed into $BUILD_DIR/collections
# (the collections the `ansible` package bundles stay visible in site-packages).
export ANSIBLE_HOME="$BUILD_DIR/ansible-home"
export ANSIBLE_COLLECTIONS_PATH="$BUILD_DIR/collections"
export ANSIBLE_ROLES_PATH="$BUILD_DIR/roles"
export ANSIBLE_LOCAL_TEMP="$BUILD_DIR/ansible-home/tmp"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
}

# The Docker engine: installed from Debian and started in the background when none answers.
ensure_docker() {
  command -v dockerd >/dev/null || apt_install docker.io
  command -v docker >/dev/null || apt_install docker.io
  docker info >/dev/null 2>&1 && return 0
  log "starting dockerd"
  mkdir -p "$BUILD_DIR"
  # In a session of its own and with every descriptor above stderr closed (Popen's
  # close_fds): a daemon that inherited the fd of a caller's `flock` would hold that
  # scenario's lock for as long as it runs.
  as_root python3 -c 'import subprocess, sys
subprocess.Popen(["dockerd"], stdin=subprocess.DEVNULL, stdout=open(sys.argv[1], "w"),
                 stderr=subprocess.STDOUT, start_new_session=True)' "$BUILD_DIR/dockerd.log"
  for _ in $(seq 60); do
    docker info >/dev/null 2>&1 && return 0
    sleep 1
  done
  die "dockerd did not answer within 60 s (see $BUILD_DIR/dockerd.log)"
}

# The tool venv, rebuilt when requirements change.
ensure_venv() {
  local stamp="$VENV/.requirements.sha256" want
  want=$(sha256sum "$ROOT/requirements-dev.txt" | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return 0; fi
  log "creating the tool venv in $VENV"
  local python="${ASGI_PYTHON:-python3}"
  "$python" -m venv --clear "$VENV"
  "$VENV/bin/pip" install -q --upgrade pip
  "$VENV/bin/pip" install -q -r "$ROOT/requirements-dev.txt"
  echo "$want" >"$stamp"
}

# Build the collection tarball and install it into a collections path, as an operator does.
install_collection() {
  local dist="$BUILD_DIR/dist" installed="$BUILD_DIR/collections/ansible_collections/asgi/deploy" staging tarball
  mkdir -p "$dist" "$(dirname "$installed")"
  staging=$(mktemp -d "$BUILD_DIR/install.XXXXXX")
  log "building and installing the collection from its tarball"
  (cd "$ROOT" && ansible-galaxy collection build --force --output-path "$staging" >/dev/null)
  tarball=$(echo "$staging"/asgi-deploy-*.tar.gz)
  # Unchanged files (FILES.json holds their checksums): the installed copy stays, so a
  # scenario of a concurrent run never finds it half-replaced.
  if [ -d "$installed" ] && [ -f "$dist/${tarball##*/}" ] &&
     cmp -s <(tar -xOzf "$tarball" FILES.json) <(tar -xOzf "$dist/${tarball##*/}" FILES.json); then
    rm -rf "$staging"
    return
  fi
  ANSIBLE_COLLECTIONS_PATH="$staging/collections" \
    ansible-galaxy collection install --offline --no-deps --force -p "$staging/collections" "$tarball" >/dev/null
  rm -rf "$installed.old"
  if [ -d "$installed" ]; then mv "$installed" "$installed.old"; fi
  mv "$staging/collections/ansible_collections/asgi/deploy" "$installed"
  rm -rf "$dist"/asgi-deploy-*.tar.gz "$installed.old"
  mv "$tarball" "$dist/"
  rm -rf "$staging"
}

# Build one wheel of an example app (examples/EXAMPLE, hello-asgi by default) into
# $BUILD_DIR/wheels and print its path:
#   example_wheel VERSION [broken] [EXAMPLE]
# "broken" adds an import-time error to hello-asgi, a release that must never take traffic.
example_wheel() {
  local version=$1 variant=${2:-} example=${3:-hello-asgi} src
  src=$(mktemp -d)
  cp -r "$ROOT/examples/$example/." "$src/"
  sed -i "s/^version = .*/version = \"$version\"/" "$src/pyproject.toml"
  if [ "$variant" = broken ]; then
    echo 'raise RuntimeError("this release is broken on purpose")' >>"$src/src/hello_asgi/main.py"
  fi
  mkdir -p "$BUILD_DIR/wheels/$version$variant"
  # A fixed timestamp makes the wheel byte-identical across builds, so an unchanged
  # app keeps its release id.
  SOURCE_DATE_EPOCH=1700000000 python -m build --wheel --outdir "$BUILD_DIR/wheels/$version$variant" "$src" \
    >"$BUILD_DIR/wheel-build.log" 2>&1 || { cat "$BUILD_DIR/wheel-build.log" >&2; die "the example wheel did not build"; }
  rm -rf "$src"
  ls "$BUILD_DIR/wheels/$version$variant/${example//-/_}"-*.whl
}

# The example apps' wheels the scenarios and the demo deploy: hello-asgi's own version
# (ASGI_EXAMPLE_WHEEL), and for release switches a 2.0.0 and a broken 3.0.0; hello-django's
# 1.0.0 and 2.0.0.
build_example_wheels() {
  log "building the example app's wheels"
  rm -rf "$BUILD_DIR/wheels"
  ASGI_EXAMPLE_WHEEL=$(example_wheel "$(sed -n 's/^version = "\(.*\)"/\1/p' "$ROOT/examples/hello-asgi/pyproject.toml")")
  ASGI_EXAMPLE_WHEEL_V2=$(example_wheel 2.0.0)
  ASGI_EXAMPLE_WHEEL_BROKEN=$(example_wheel 3.0.0 broken)
  # The Django example (scenario wsgi), and its 2.0.0 for a switch.
  ASGI_DJANGO_WHEEL=$(example_wheel 1.0.0 "" hello-django)
  ASGI_DJANGO_WHEEL_V2=$(example_wheel 2.0.0 "" hello-django)
  export ASGI_EXAMPLE_WHEEL ASGI_EXAMPLE_WHEEL_V2 ASGI_EXAMPLE_WHEEL_BROKEN ASGI_DJANGO_WHEEL ASGI_DJANGO_WHEEL_V2
}

# The systemd test images for the given Debian suites, built by the builder the collection
# ships (asgi.deploy.molecule_create runs it again for each scenario and then only finds them).
build_images() {
  local suite
  for suite in "$@"; do bash "$ROOT/extensions/molecule/build-image" "$suite" >/dev/null; done
}

# What every entry point needs before it runs a scenario, in one place: the tool venv,
# the Docker engine, the test images of the given suites (bookworm when none is given),
# the example app's wheels and the collection installed from its tarball.
bootstrap() {
  ensure_venv
  ensure_docker
  build_images "${@:-bookworm}"
  build_example_wheels
  install_collection
}
