#!/usr/bin/env bash
# Linux .deb and .tar.gz for UOS 20 / Kylin V10, built and self-tested in Debian 11 (bullseye,
# glibc 2.31) chroots. Root on a Debian host with network access to deb.debian.org and PyPI:
#
#   installer/linux/build-glibc228.sh [--arch arm64] [PHASE...]       (or LZKP_ARCH=arm64)
#
# --arch amd64 (default): x86_64 packages that need at most glibc 2.28 (UOS 20, Kylin V10 x86).
# --arch arm64: aarch64 packages for Kylin V10 on 鲲鹏/飞腾 (glibc 2.31), built and tested in arm64
#   chroots on an x86_64 host through qemu-user-static (binfmt_misc); ~30 min on 2 cores with the
#   chroots in place. Bullseye's glibc is the target's, so none of the 2.28 measures below are
#   needed; CPython is cross-compiled (python_cross_arm64: under qemu it takes over an hour); the
#   wheels are requirements-kylin-arm64.txt (PySide6 6.8.0.2, the newest manylinux_2_31 aarch64).
#
# Phases (default: all, in this order; each skips work whose result is already in the cache):
#   chroot   debootstrap a bullseye build chroot (compiler, -dev packages, Qt's system libraries)
#   python   CPython 3.13 from Debian's source tarball (sha256 pinned below); amd64: linked so
#            that it needs at most GLIBC_2.28 (glibc228/symver-compat.h, no sem_clockwait);
#            arm64: cross-compiled in bullseye-amd64-cross (needs the amd64 python phase first)
#   venv     a venv from it with the requirements file (pip --require-hashes, wheels only)
#   bundle   PyInstaller build.spec with LZKP_BUNDLE_TARGET (glibc228 / kylin-arm64) → dist/lzkp
#   check    check-glibc.sh: fails if any ELF in the bundle needs a GLIBC above 2.28 (arm64: 2.31)
#   package  installer/linux/build.sh → dist/*.deb, dist/*.tar.gz
#   test     a fresh minimal bullseye chroot: dpkg -i the .deb (Depends resolved from bullseye by
#            apt-get -f install), lzkp --self-test, the tar.gz's install.sh as a plain user, a
#            database of an older version (installer/testdata) backed up, migrated and read, then
#            the GUI on the demo under Xvfb → docs/screenshots/install/linux-*.png
#
# Downloads and chroots live in $LZKP_BUILD_CACHE (default /work/main/.build-cache); delete it to
# start from nothing. Log: $LZKP_BUILD_CACHE/logs/build-<arch>-<time>.log. Exit status non-zero
# on any failed step or check.
set -Eeuo pipefail
# The whole script is one block, read before it runs: editing the file during a build is safe.
{

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/installer/linux"
CACHE="${LZKP_BUILD_CACHE:-/work/main/.build-cache}"
MIRROR="${LZKP_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
SUITE=bullseye
ARGS=()
ARCH="${LZKP_ARCH:-amd64}"
while (( $# )); do
  case "$1" in
    --arch) ARCH="${2:?--arch 需要 amd64 或 arm64}"; shift 2 ;;
    --arch=*) ARCH="${1#--arch=}"; shift ;;
    *) ARGS+=("$1"); shift ;;
  esac
done
set -- "${ARGS[@]+"${ARGS[@]}"}"
case "$ARCH" in
  amd64) MAX_GLIBC=2.28; REQS=requirements-glibc228.txt; TARGET=glibc228
         SHOT=linux-bullseye-login.png ;;
  arm64) MAX_GLIBC=2.31; REQS=requirements-kylin-arm64.txt; TARGET=kylin-arm64
         SHOT=linux-arm64-login.png ;;
  *) echo "不支持的架构 $ARCH（可用：amd64 arm64）" >&2; exit 2 ;;
esac
# CPython: Debian trixie's python3.13 source (python.org is not reachable from the build hosts).
PY_VERSION=3.13.5
PY_TARBALL="python3.13_${PY_VERSION}.orig.tar.xz"
PY_URL="$MIRROR/pool/main/p/python3.13/$PY_TARBALL"
PY_SHA256=93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640
PY_PREFIX=/opt/python3.13          # inside the build chroot
VENV=/opt/lzkp-venv                # inside the build chroot

BUILD_ROOT="$CACHE/chroots/$SUITE-$ARCH-build"
CROSS_ROOT="$CACHE/chroots/$SUITE-amd64-cross"   # arm64 only: bullseye's aarch64 cross compiler
CLEAN_ROOT="$CACHE/chroots/$SUITE-$ARCH-clean"   # pristine minbase, copied for every test
TEST_ROOT="$CACHE/chroots/$SUITE-$ARCH-test"
SHOTS="$ROOT/docs/screenshots/install"
# Packages of the build chroot: CPython's build dependencies, and the system libraries Qt's xcb
# platform plugin links against, so that PyInstaller resolves them as it would on a desktop.
BUILD_PACKAGES=build-essential,pkg-config,libssl-dev,zlib1g-dev,libbz2-dev,libffi-dev,liblzma-dev,\
libsqlite3-dev,uuid-dev,libexpat1-dev,libncursesw5-dev,libgdbm-dev,xz-utils,binutils,file,\
ca-certificates,libgl1,libegl1,libxkbcommon0,libxkbcommon-x11-0,libfontconfig1,libfreetype6,\
libdbus-1-3,libglib2.0-0,libxcb1,libxcb-cursor0,libxcb-icccm4,libxcb-image0,libxcb-keysyms1,\
libxcb-randr0,libxcb-render-util0,libxcb-shape0,libxcb-xinerama0,libxcb-xkb1,libxcb-xfixes0,\
libxcb-sync1,libxcb-shm0,libxcb-util1,libx11-xcb1,libxrender1,libxi6,libsm6,libice6,\
libwayland-client0,libwayland-cursor0,libwayland-egl1,libopengl0

mkdir -p "$CACHE/logs" "$CACHE/downloads" "$CACHE/chroots"
LOG="$CACHE/logs/build-$ARCH-$(date -u +%Y%m%dT%H%M%SZ).log"
exec > >(tee -a "$LOG") 2>&1
START=$SECONDS
trap 'echo "!!!! 失败：第 ${LINENO} 行：${BASH_COMMAND}（总用时 $((SECONDS - START)) 秒；日志 $LOG）" >&2' ERR

[[ "$(id -u)" == 0 ]] || { echo "需要 root（debootstrap、chroot、mount）" >&2; exit 2; }
for tool in debootstrap curl sha256sum objdump dpkg-deb Xvfb import xwininfo; do
  command -v "$tool" >/dev/null || {
    echo "缺少 $tool：apt-get install debootstrap curl binutils dpkg xvfb imagemagick x11-utils" >&2; exit 2; }
done
# arm64 on an x86_64 host: the chroots' programs run through qemu-user-static, registered with
# binfmt_misc with the F flag (Debian 12's qemu-user-static does this), so debootstrap's second
# stage and chroot work as for amd64.
if [[ "$ARCH" == arm64 && "$(uname -m)" != aarch64 ]] &&
   ! grep -qs '^enabled' /proc/sys/fs/binfmt_misc/qemu-aarch64; then
  echo "无法运行 arm64 程序：apt-get install qemu-user-static binfmt-support" >&2; exit 2
fi

phase_start=0
phase() { phase_start=$SECONDS; printf '\n===== %s  [%s] =====\n' "$*" "$(date -u +%H:%M:%S)"; }
phase_end() { echo "----- 用时 $((SECONDS - phase_start)) 秒"; }

# --- chroot helpers: bind mounts are always undone, and nothing is deleted while mounted ---------
MOUNTED=()
mount_chroot() {  # $1 = root
  local r="$1" d
  # dev/shm: multiprocessing locks (the import worker) need a writable POSIX shm for every user.
  for d in proc sys dev dev/pts dev/shm; do
    mkdir -p "$r/$d"
    mountpoint -q "$r/$d" && continue
    case "$d" in
      proc) mount -t proc proc "$r/proc" ;;
      sys) mount -t sysfs sys "$r/sys" ;;
      dev/shm) mount -t tmpfs -o mode=1777 shm "$r/dev/shm" ;;
      *) mount --bind "/$d" "$r/$d" ;;
    esac
    MOUNTED+=("$r/$d")
  done
  cp -L /etc/resolv.conf "$r/etc/resolv.conf"
}
umount_all() {
  local i
  for (( i=${#MOUNTED[@]}-1; i>=0; i-- )); do umount -l "${MOUNTED[i]}" 2>/dev/null || true; done
  MOUNTED=()
}
XVFB_PID=""
cleanup() {
  [[ -n "$XVFB_PID" ]] && kill "$XVFB_PID" 2>/dev/null || true
  umount_all
}
trap cleanup EXIT
safe_rm_root() {  # delete a chroot only when nothing is mounted inside it
  local r="$1"
  [[ -e "$r" ]] || return 0
  if findmnt -rn -o TARGET | grep -q "^$r/"; then
    echo "拒绝删除 $r：其中仍有挂载点" >&2; findmnt -rn -o TARGET | grep "^$r/" >&2; return 1
  fi
  rm -rf --one-file-system "$r"
}
in_root() { local r="$1"; shift; chroot "$r" /usr/bin/env -i HOME=/root PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
              LANG=C.UTF-8 LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }
in_build() { in_root "$BUILD_ROOT" "$@"; }

# --- phases ----------------------------------------------------------------------------------------
do_chroot() {
  phase "1 构建用 chroot：Debian $SUITE $ARCH"
  if [[ -f "$BUILD_ROOT/.lzkp-ready" ]]; then echo "已存在：$BUILD_ROOT"; phase_end; return; fi
  safe_rm_root "$BUILD_ROOT"
  debootstrap --variant=minbase --arch="$ARCH" --include="$BUILD_PACKAGES" \
    "$SUITE" "$BUILD_ROOT" "$MIRROR"
  echo "$BUILD_PACKAGES" > "$BUILD_ROOT/.lzkp-ready"
  echo "glibc：$(chroot "$BUILD_ROOT" ldd --version | sed -n 1p)"
  phase_end
}

python_native() {  # $1 = source tarball; compiled inside the build chroot
  local tarball="$1"
  rm -rf "$BUILD_ROOT/src/cpython" && mkdir -p "$BUILD_ROOT/src/cpython"
  tar -xJf "$tarball" -C "$BUILD_ROOT/src/cpython" --strip-components=1
  cp "$HERE/glibc228/symver-compat.h" "$BUILD_ROOT/src/symver-compat.h"
  mount_chroot "$BUILD_ROOT"
  # ac_cv_func_sem_clockwait=no: sem_clockwait is GLIBC_2.30; CPython falls back to
  # sem_timedwait (2.2.5). -include binds exp/log/pow/exp2/log2 to GLIBC_2.2.5 (see the header).
  # No --enable-optimizations: PGO would triple the build time on a 2-core machine.
  in_build /bin/sh -c "cd /src/cpython && \
    ./configure --prefix=$PY_PREFIX --enable-shared --with-ensurepip=install \
      LDFLAGS='-Wl,-rpath,$PY_PREFIX/lib' CFLAGS='-include /src/symver-compat.h' \
      ac_cv_func_sem_clockwait=no > /src/configure.log 2>&1 || { tail -40 /src/configure.log; exit 1; }
    make -j$(nproc) > /src/make.log 2>&1 || { tail -60 /src/make.log; exit 1; }
    make install > /src/install.log 2>&1 || { tail -40 /src/install.log; exit 1; }"
  umount_all
}

# arm64: CPython compiled under qemu takes well over an hour on 2 cores (configure alone 21 min,
# measured); bullseye's own cross compiler (gcc-aarch64-linux-gnu 10, the arm64 -dev packages via
# multiarch, the same glibc 2.31) takes ~6 min. It runs in a copy of the amd64 build chroot, whose
# CPython 3.13.5 is the build Python a cross build needs (same version); the result is installed
# into the arm64 build chroot and tested there (under qemu) like the amd64 one. The target has
# bullseye's glibc (2.31), so the 2.28 measures (symver header, no sem_clockwait) are not needed.
CROSS_PACKAGES="gcc-aarch64-linux-gnu libc6-dev:arm64 libssl-dev:arm64 zlib1g-dev:arm64 \
libbz2-dev:arm64 libffi-dev:arm64 liblzma-dev:arm64 libsqlite3-dev:arm64 uuid-dev:arm64 \
libexpat1-dev:arm64 libncursesw5-dev:arm64 libgdbm-dev:arm64"
python_cross_arm64() {  # $1 = source tarball
  local tarball="$1" amd="$CACHE/chroots/$SUITE-amd64-build"
  if [[ ! -f "$amd$PY_PREFIX/.lzkp-ready" ]]; then
    echo "交叉编译需要同版本的 x86_64 CPython：先运行 amd64 的 chroot、python 阶段"
    LZKP_ARCH=amd64 "$HERE/build-glibc228.sh" chroot python
  fi
  if [[ "$(cat "$CROSS_ROOT/.lzkp-ready" 2>/dev/null)" != "$CROSS_PACKAGES" ]]; then
    safe_rm_root "$CROSS_ROOT"
    mkdir -p "$CROSS_ROOT"
    tar -C "$amd" --exclude=./opt/lzkp-venv --exclude=./src --exclude='./proc/*' \
        --exclude='./sys/*' --exclude='./dev/*' -cf - . | tar -C "$CROSS_ROOT" -xf -
    mount_chroot "$CROSS_ROOT"
    in_root "$CROSS_ROOT" /bin/sh -c "dpkg --add-architecture arm64 && apt-get update -qq && \
      apt-get install -y -qq --no-install-recommends $CROSS_PACKAGES > /tmp/apt.log 2>&1 ||
      { tail -30 /tmp/apt.log; exit 1; }"
    umount_all
    echo "$CROSS_PACKAGES" > "$CROSS_ROOT/.lzkp-ready"
  fi
  rm -rf "$CROSS_ROOT/src" "$CROSS_ROOT/stage" && mkdir -p "$CROSS_ROOT/src/cpython"
  tar -xJf "$tarball" -C "$CROSS_ROOT/src/cpython" --strip-components=1
  mount_chroot "$CROSS_ROOT"
  # ac_cv_*: what configure cannot test when it cannot run the programs it builds (aarch64 Linux
  # has /dev/ptmx and a working getaddrinfo). The test suite is left out, as it is not bundled.
  in_root "$CROSS_ROOT" /bin/sh -c "cd /src/cpython && \
    ./configure --build=x86_64-linux-gnu --host=aarch64-linux-gnu \
      --with-build-python=$PY_PREFIX/bin/python3.13 --prefix=$PY_PREFIX --enable-shared \
      --with-ensurepip=no --disable-test-modules LDFLAGS='-Wl,-rpath,$PY_PREFIX/lib' \
      PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig \
      ac_cv_file__dev_ptmx=yes ac_cv_file__dev_ptc=no ac_cv_buggy_getaddrinfo=no \
      > /src/configure.log 2>&1 || { tail -40 /src/configure.log; exit 1; }
    make -j$(nproc) > /src/make.log 2>&1 || { tail -60 /src/make.log; exit 1; }
    make install DESTDIR=/stage > /src/install.log 2>&1 || { tail -40 /src/install.log; exit 1; }"
  umount_all
  rm -rf "$BUILD_ROOT$PY_PREFIX"
  cp -a "$CROSS_ROOT/stage$PY_PREFIX" "$BUILD_ROOT$PY_PREFIX"
  rm -rf "$CROSS_ROOT/src/cpython" "$CROSS_ROOT/stage"
}

do_python() {
  phase "2 CPython $PY_VERSION（Debian 源码包，$ARCH），最高 GLIBC_$MAX_GLIBC"
  local tarball="$CACHE/downloads/$PY_TARBALL"
  if [[ -x "$BUILD_ROOT$PY_PREFIX/bin/python3.13" && -f "$BUILD_ROOT$PY_PREFIX/.lzkp-ready" ]]; then
    echo "已存在：$PY_PREFIX（$(in_build "$PY_PREFIX/bin/python3.13" --version)）"; phase_end; return
  fi
  if [[ ! -f "$tarball" ]] || ! echo "$PY_SHA256  $tarball" | sha256sum -c --quiet; then
    echo "下载 $PY_URL"
    curl -fL --retry 3 -o "$tarball.part" "$PY_URL"
    mv "$tarball.part" "$tarball"
  fi
  echo "$PY_SHA256  $tarball" | sha256sum -c  # a mismatch stops the build (set -e)
  if [[ "$ARCH" == amd64 ]]; then python_native "$tarball"; else python_cross_arm64 "$tarball"; fi
  # CPython builds with -g; PyInstaller copies the extension modules as they are (30+ MB of
  # debug info), so strip the debug sections here, once.
  in_build /bin/sh -c "find $PY_PREFIX -name '*.so*' -type f -exec strip --strip-debug {} +"
  # Modules that failed to build would silently be missing from the bundle.
  in_build "$PY_PREFIX/bin/python3.13" -c \
    'import ssl, sqlite3, ctypes, lzma, bz2, zlib, uuid, _decimal, pyexpat, hashlib; print("模块齐全", ssl.OPENSSL_VERSION)'
  "$HERE/check-glibc.sh" "$BUILD_ROOT$PY_PREFIX" "$MAX_GLIBC"
  touch "$BUILD_ROOT$PY_PREFIX/.lzkp-ready"
  rm -rf "$BUILD_ROOT/src/cpython"
  phase_end
}

do_venv() {
  phase "3 虚拟环境：$REQS（逐个 sha256 校验）"
  local req_sum; req_sum="$(sha256sum "$HERE/$REQS" | cut -d' ' -f1)"
  if [[ "$(cat "$BUILD_ROOT$VENV/.lzkp-req" 2>/dev/null)" == "$req_sum" ]]; then
    echo "已存在，且与 $REQS 一致"; phase_end; return
  fi
  rm -rf "$BUILD_ROOT$VENV"
  cp "$HERE/$REQS" "$BUILD_ROOT/src/$REQS"
  mount_chroot "$BUILD_ROOT"
  in_build "$PY_PREFIX/bin/python3.13" -m venv "$VENV"
  # The host's CA bundle: where a TLS-inspecting proxy sits in front of PyPI, its CA is trusted
  # on the host but not in a fresh chroot. The wheels' hashes are checked either way.
  cp -L "${PIP_CERT:-/etc/ssl/certs/ca-certificates.crt}" "$BUILD_ROOT/src/host-ca.crt"
  in_build "$VENV/bin/python" -m pip install --disable-pip-version-check --no-cache-dir \
    --isolated --cert /src/host-ca.crt --require-hashes --only-binary=:all: \
    -r "/src/$REQS"
  umount_all
  in_build "$VENV/bin/python" -m pip list --format=freeze --disable-pip-version-check |
    grep -iE '^(pyside6|shiboken6|numpy|cryptography|sqlalchemy|pyinstaller)'
  echo "$req_sum" > "$BUILD_ROOT$VENV/.lzkp-req"
  phase_end
}

do_bundle() {
  phase "4 PyInstaller 打包（LZKP_BUNDLE_TARGET=$TARGET）"
  local src="$BUILD_ROOT/src/lzkp"
  rm -rf "$src" && mkdir -p "$src"
  # The working tree as it is (uncommitted changes included), without local environments.
  tar -C "$ROOT" --exclude=./.git --exclude=./.venv --exclude='./.venv*' --exclude=./build \
      --exclude=./dist --exclude=./.build-cache --exclude='__pycache__' --exclude=./docs \
      -cf - . | tar -C "$src" -xf -
  mount_chroot "$BUILD_ROOT"
  # PYTHONPATH: the program is not pip-installed in the venv, and collect_submodules("app") in
  # build.spec imports it in a separate interpreter that does not see the spec's pathex.
  in_build /bin/sh -c "cd /src/lzkp && PYTHONPATH=/src/lzkp LZKP_BUNDLE_TARGET=$TARGET \
    $VENV/bin/pyinstaller build.spec --noconfirm --log-level WARN"
  umount_all
  rm -rf "$ROOT/dist/lzkp" && mkdir -p "$ROOT/dist"
  cp -a "$src/dist/lzkp" "$ROOT/dist/lzkp"
  echo "安装包目录 dist/lzkp：$(du -sh "$ROOT/dist/lzkp" | cut -f1)，$(find "$ROOT/dist/lzkp" -type f | wc -l) 个文件"
  phase_end
}

do_check() {
  phase "5 glibc 检查：每个 ELF 最高 GLIBC_$MAX_GLIBC"
  "$HERE/check-glibc.sh" "$ROOT/dist/lzkp" "$MAX_GLIBC"
  phase_end
}

do_package() {
  phase "6 打包 .deb 与 .tar.gz"
  LZKP_MAX_GLIBC="$MAX_GLIBC" "$HERE/build.sh" all
  phase_end
}

version() { sed -n 's/^version *= *"\(.*\)"/\1/p' "$ROOT/pyproject.toml" | head -1; }

do_test() {
  phase "7 在全新的 $SUITE chroot 中安装并自检"
  local v deb tgz; v="$(version)"
  deb="$ROOT/dist/lvzhi-kaoping_${v}_${ARCH}.deb"
  tgz="$ROOT/dist/lvzhi-kaoping-${v}-linux-${ARCH}.tar.gz"
  [[ -f "$deb" && -f "$tgz" ]] || { echo "缺少 $deb 或 $tgz：先运行 package 阶段" >&2; return 1; }
  if [[ ! -f "$CLEAN_ROOT/.lzkp-ready" ]]; then
    safe_rm_root "$CLEAN_ROOT"
    debootstrap --variant=minbase --arch="$ARCH" "$SUITE" "$CLEAN_ROOT" "$MIRROR"
    touch "$CLEAN_ROOT/.lzkp-ready"
  fi
  safe_rm_root "$TEST_ROOT"
  cp -a "$CLEAN_ROOT" "$TEST_ROOT"
  mount_chroot "$TEST_ROOT"
  cp "$deb" "$tgz" "$TEST_ROOT/tmp/"
  local T=(chroot "$TEST_ROOT" /usr/bin/env -i HOME=/root PATH=/usr/bin:/bin:/usr/sbin:/sbin
           LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive)
  echo "glibc：$("${T[@]}" ldd --version | sed -n 1p)"
  # dpkg -i alone stops at the missing Depends; apt-get -f install must find them all in bullseye.
  "${T[@]}" dpkg -i "/tmp/$(basename "$deb")" || true
  "${T[@]}" apt-get update -qq
  "${T[@]}" apt-get -f install -y -qq --no-install-recommends
  "${T[@]}" dpkg -s lvzhi-kaoping | grep -E '^(Status|Version|Depends):'
  "${T[@]}" dpkg -s lvzhi-kaoping | grep -q '^Status: install ok installed'
  echo "--- lzkp --self-test（root，/usr/bin/lzkp）"
  "${T[@]}" /bin/sh -c 'cd /tmp && lzkp --self-test'

  echo "--- tar.gz：普通用户 sh install.sh（装到 ~/.local/opt）"
  "${T[@]}" useradd -m -s /bin/sh kaoping
  "${T[@]}" /bin/sh -c "cd /home/kaoping && su kaoping -c 'tar -xzf /tmp/$(basename "$tgz") && \
     sh lvzhi-kaoping-${v}-linux-${ARCH}/install.sh && ~/.local/opt/lvzhi-kaoping/lzkp --self-test >/dev/null && \
     ls ~/.local/share/applications/lvzhi-kaoping.desktop'"

  echo "--- 旧版本的数据库（installer/testdata，数据库版本 0011）：先备份、再迁移，日志仍在"
  local data=/home/kaoping/.local/share/lvzhi-kaoping
  mkdir -p "$TEST_ROOT$data"
  cp "$ROOT/installer/testdata/unit-schema-0011.sqlite" "$TEST_ROOT$data/旧版本.sqlite"
  "${T[@]}" chown -R kaoping: /home/kaoping/.local/share
  local shown checked
  shown="$("${T[@]}" su kaoping -c "LZKP_PASSWORD=lzkp2026 lzkp log show --db $data/旧版本.sqlite \
     --user admin --date 2026-12-01")"
  echo "$shown"
  grep -q 旧版本写的日志 <<<"$shown"
  ls "$TEST_ROOT$data/backups" | grep "^旧版本-.*-before-"
  checked="$("${T[@]}" su kaoping -c "lzkp check --db $data/旧版本.sqlite")"
  echo "$checked"
  grep -Eq "数据库版本 ([0-9]+)（程序版本 \1）" <<<"$checked"
  echo "旧版本数据库：已备份、已迁移到最新版本，日志可读"

  echo "--- 图形界面：lzkp --demo，Xvfb（宿主机）→ 截图"
  local n=87; [[ "$ARCH" == amd64 ]] || n=88     # an amd64 and an arm64 test may run at once
  local disp=":$n"
  rm -f "/tmp/.X11-unix/X$n" "/tmp/.X$n-lock"
  Xvfb "$disp" -screen 0 1366x768x24 -nolisten tcp >/dev/null 2>&1 & XVFB_PID=$!
  sleep 2
  mkdir -p "$TEST_ROOT/tmp/.X11-unix"
  mount --bind /tmp/.X11-unix "$TEST_ROOT/tmp/.X11-unix"; MOUNTED+=("$TEST_ROOT/tmp/.X11-unix")
  "${T[@]}" su kaoping -c "DISPLAY=$disp lzkp --demo > /tmp/gui.log 2>&1 & echo \$! > /tmp/gui.pid"
  local i
  # The demo database is generated on first use (a few seconds; under qemu a few minutes); wait
  # for a window to map.
  local wait=60; [[ "$ARCH" == amd64 || "$(uname -m)" == aarch64 ]] || wait=600
  for i in $(seq 1 "$wait"); do
    sleep 1
    if DISPLAY=$disp xwininfo -root -tree 2>/dev/null | grep -q '"履职考评\|"登录'; then break; fi
  done
  sleep 3
  mkdir -p "$SHOTS"
  DISPLAY=$disp import -window root "$SHOTS/$SHOT"
  echo "截图：$SHOTS/$SHOT（等待 ${i} 秒）"
  DISPLAY=$disp xwininfo -root -tree 2>/dev/null | grep -E '^\s+0x[0-9a-f]+ "' | head -5 || true
  local pid; pid="$(cat "$TEST_ROOT/tmp/gui.pid")"
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "!!!! 图形界面进程已退出；/tmp/gui.log：" >&2; cat "$TEST_ROOT/tmp/gui.log" >&2; return 1
  fi
  echo "图形界面进程 $pid 仍在运行"; cat "$TEST_ROOT/tmp/gui.log" || true
  kill "$pid"; sleep 1
  kill "$XVFB_PID" 2>/dev/null || true; XVFB_PID=""

  echo "--- 卸载：dpkg -r 与 install.sh --remove；数据文件夹保留"
  "${T[@]}" dpkg -r lvzhi-kaoping >/dev/null
  [[ ! -e "$TEST_ROOT/opt/lvzhi-kaoping" && ! -e "$TEST_ROOT/usr/bin/lzkp" ]]
  "${T[@]}" /bin/sh -c "cd /home/kaoping && su kaoping -c \
     'sh lvzhi-kaoping-${v}-linux-${ARCH}/install.sh --remove'"
  [[ ! -e "$TEST_ROOT/home/kaoping/.local/opt/lvzhi-kaoping" ]]
  ls "$TEST_ROOT$data"
  [[ -f "$TEST_ROOT$data/旧版本.sqlite" && -d "$TEST_ROOT$data/backups" ]]
  echo "已卸载：/opt/lvzhi-kaoping、/usr/bin/lzkp、~/.local/opt/lvzhi-kaoping 均已删除，数据文件夹保留"
  umount_all
  phase_end
}

PHASES=("$@")
(( ${#PHASES[@]} )) || PHASES=(chroot python venv bundle check package test)
echo "履职考评 $(version)：glibc $MAX_GLIBC 构建（$SUITE $ARCH），阶段：${PHASES[*]}；缓存 $CACHE；日志 $LOG"
for p in "${PHASES[@]}"; do
  case "$p" in
    chroot|python|venv|bundle|check|package|test) "do_$p" ;;
    *) echo "未知阶段 $p（可用：chroot python venv bundle check package test）" >&2; exit 2 ;;
  esac
done

v="$(version)"
echo
echo "===== 结果（总用时 $((SECONDS - START)) 秒）"
[[ -d "$ROOT/dist/lzkp" ]] && echo "bundle  dist/lzkp  $(du -sm "$ROOT/dist/lzkp" | cut -f1) MB，$(find "$ROOT/dist/lzkp" -type f | wc -l) 个文件"
for f in "$ROOT/dist/lvzhi-kaoping_${v}_${ARCH}.deb" "$ROOT/dist/lvzhi-kaoping-${v}-linux-${ARCH}.tar.gz"; do
  [[ -f "$f" ]] && echo "$(basename "$f")  $(du -m "$f" | cut -f1) MB  sha256 $(sha256sum "$f" | cut -c1-16)…"
done
echo "日志：$LOG"
exit 0
}
