#!/usr/bin/env bash
# Package the PyInstaller bundle (dist/lzkp) for Linux desktops (UOS, Kylin, Debian, Ubuntu).
#
#   installer/linux/build.sh [deb|tar|all]      (default: all; run from anywhere)
#
# Output in dist/:
#   lvzhi-kaoping_<version>_<arch>.deb          installs to /opt/lvzhi-kaoping, menu entry, icon,
#                                               /usr/bin/lzkp
#   lvzhi-kaoping-<version>-linux-<arch>.tar.gz unpack anywhere and run ./install.sh (per user,
#                                               or system-wide as root); no package manager needed
#
# The bundle runs only where glibc is at least the newest version any of its files needs: build it
# with installer/linux/build-glibc228.sh (Debian 11 chroot, see installer/README.md). This script
# refuses a bundle that needs more than the targets have, and writes the version it needs into
# the .deb's Depends.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/installer/linux"
DIST="$ROOT/dist"
BUNDLE="$DIST/lzkp"
PKG="lvzhi-kaoping"
WHAT="${1:-all}"

[[ -x "$BUNDLE/lzkp" ]] || { echo "缺少 $BUNDLE/lzkp：请先运行 pyinstaller build.spec --noconfirm" >&2; exit 1; }
VERSION="$(sed -n 's/^version *= *"\(.*\)"/\1/p' "$ROOT/pyproject.toml" | head -1)"
# The package's architecture is the bundle's (ELF e_machine), not the packaging machine's: an arm64
# bundle built in a qemu chroot is packaged on the x86_64 host.
case "$(od -An -tx1 -j18 -N2 "$BUNDLE/lzkp" | tr -d ' \n')" in
  3e00) ARCH=amd64 ;; b700) ARCH=arm64 ;; 0201) ARCH=loong64 ;;
  *) echo "无法识别 $BUNDLE/lzkp 的 CPU 架构" >&2; exit 1 ;;
esac

# glibc: every ELF file of the bundle (check-glibc.sh) must need at most the glibc of the oldest
# target — 2.28 on x86_64 (UOS 20, Kylin V10 SP1), 2.31 on arm64 (Kylin V10 on 鲲鹏/飞腾) — or
# the packages are not built. LZKP_MAX_GLIBC=x.y sets another limit, e.g. the build machine's own
# glibc for a package meant only for it.
case "$ARCH" in amd64) DEFAULT_MAX=2.28 ;; arm64) DEFAULT_MAX=2.31 ;; *) DEFAULT_MAX=2.28 ;; esac
MAX_GLIBC="${LZKP_MAX_GLIBC:-$DEFAULT_MAX}"
if ! CHECK="$("$HERE/check-glibc.sh" "$BUNDLE" "$MAX_GLIBC")"; then
  echo "$CHECK"
  echo "不生成安装包：此目录需要比 glibc $MAX_GLIBC 更新的系统，在 UOS 20 / 麒麟 V10 上无法运行。" \
       "请用 installer/linux/build-glibc228.sh 构建（见 installer/README.md）。" >&2
  exit 1
fi
echo "$CHECK" | grep -v '^NEEDED_GLIBC='
GLIBC="$(echo "$CHECK" | sed -n 's/^NEEDED_GLIBC=//p')"
echo "版本 $VERSION，架构 $ARCH，运行所需 glibc >= $GLIBC"

# Libraries the bundle needs but leaves to the system on purpose (build.spec, SYSTEM_LIBS): their
# packages join the Depends, so dpkg refuses to install where one is missing.
system_lib_depends() {
  local needed lib pkg out=""
  needed="$(find "$BUNDLE" -type f -print0 | xargs -0 readelf -d -W 2>/dev/null |
            sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort -u)"
  while read -r lib pkg; do
    if grep -qxF "$lib" <<<"$needed" && [[ -z "$(find "$BUNDLE" -name "$lib*" -print -quit)" ]]; then
      out+=", $pkg"
    fi
  done <<'EOF'
libsqlite3.so.0 libsqlite3-0
libpng16.so.16 libpng16-16
libsystemd.so.0 libsystemd0
EOF
  echo "$out"
}
EXTRA_DEPENDS="$(system_lib_depends)"
[[ -z "$EXTRA_DEPENDS" ]] || echo "使用系统自带的库：${EXTRA_DEPENDS#, }"

desktop_file() {  # $1 = Exec path
  sed "s|@EXEC@|$1|" "$HERE/$PKG.desktop"
}

build_deb() {
  local stage="$DIST/deb-staging" out="$DIST/${PKG}_${VERSION}_${ARCH}.deb"
  rm -rf "$stage"
  mkdir -p "$stage/DEBIAN" "$stage/opt/$PKG" "$stage/usr/bin" "$stage/usr/share/applications" \
           "$stage/usr/share/icons/hicolor/256x256/apps" "$stage/usr/share/icons/hicolor/scalable/apps" \
           "$stage/usr/share/doc/$PKG"
  cp -a "$BUNDLE/." "$stage/opt/$PKG/"
  ln -s "/opt/$PKG/lzkp" "$stage/usr/bin/lzkp"
  desktop_file "/opt/$PKG/lzkp" > "$stage/usr/share/applications/$PKG.desktop"
  cp "$ROOT/resources/icons/app.png" "$stage/usr/share/icons/hicolor/256x256/apps/$PKG.png"
  cp "$ROOT/resources/icons/app.svg" "$stage/usr/share/icons/hicolor/scalable/apps/$PKG.svg"
  cat > "$stage/usr/share/doc/$PKG/copyright" <<EOF
履职考评 $VERSION
Bundled fonts and their licences: /opt/$PKG/_internal/resources/fonts/ (README.md).
Third-party Python packages and Qt keep their own licences inside /opt/$PKG/_internal.
EOF
  local size; size="$(du -sk "$stage" | cut -f1)"
  # Libraries the bundle does not carry (PyInstaller leaves the C library and the graphics
  # driver stack to the system). Alternatives cover older UOS/Kylin package names.
  cat > "$stage/DEBIAN/control" <<EOF
Package: $PKG
Version: $VERSION
Architecture: $ARCH
Maintainer: 履职考评项目组 <noreply@example.invalid>
Installed-Size: $size
Section: utils
Priority: optional
Depends: libc6 (>= $GLIBC), libgl1 | libgl1-mesa-glx, libegl1 | libegl1-mesa, libxcb1, fontconfig-config$EXTRA_DEPENDS
Recommends: libwayland-client0, libwayland-cursor0, libwayland-egl1 | libwayland-egl1-mesa, fonts-wqy-microhei | fonts-noto-cjk
Description: 履职考评 — 机关事业单位履职留痕、审阅与编制评估（离线桌面版）
 单位版与编办版：工作日志填报、审阅、统计、编制评估与报表打印。
 完全离线运行，数据保存在本机，单位之间通过加密数据包交换。
EOF
  # xz, not zstd: dpkg before 1.21.18 (UOS, Kylin, Debian 11) cannot read zstd members.
  dpkg-deb --root-owner-group -Zxz --build "$stage" "$out" >/dev/null
  rm -rf "$stage"
  echo "已生成 $out（$(du -h "$out" | cut -f1)）"
}

build_tar() {
  local name="$PKG-$VERSION-linux-$ARCH" stage="$DIST/tar-staging"
  local out="$DIST/$name.tar.gz"
  rm -rf "$stage"
  mkdir -p "$stage/$name"
  cp -a "$BUNDLE" "$stage/$name/lzkp"
  cp "$HERE/$PKG.desktop" "$stage/$name/$PKG.desktop.in"
  cp "$ROOT/resources/icons/app.png" "$stage/$name/$PKG.png"
  cat > "$stage/$name/install.sh" <<'EOF'
#!/bin/sh
# 安装履职考评：root 运行时装到 /opt（所有用户），否则装到本用户目录。
#   sh install.sh            安装（或升级）
#   sh install.sh --remove   卸载（数据库和设置保留在 ~/.local/share/lvzhi-kaoping）
set -e
PKG=lvzhi-kaoping
SRC="$(cd "$(dirname "$0")" && pwd)"
if [ "$(id -u)" = 0 ]; then
  DEST=/opt/$PKG; APPS=/usr/share/applications; ICONS=/usr/share/icons/hicolor/256x256/apps; BIN=/usr/local/bin
else
  DATA="${XDG_DATA_HOME:-$HOME/.local/share}"
  DEST="$HOME/.local/opt/$PKG"; APPS="$DATA/applications"; ICONS="$DATA/icons/hicolor/256x256/apps"; BIN="$HOME/.local/bin"
fi
if [ "$1" = "--remove" ]; then
  rm -rf "$DEST"; rm -f "$APPS/$PKG.desktop" "$ICONS/$PKG.png" "$BIN/lzkp"
  echo "已卸载（数据保留）。"; exit 0
fi
mkdir -p "$DEST" "$APPS" "$ICONS" "$BIN"
rm -rf "$DEST/_internal"          # upgrade: no stale libraries from an older version
cp -a "$SRC/lzkp/." "$DEST/"
sed "s|@EXEC@|$DEST/lzkp|" "$SRC/$PKG.desktop.in" > "$APPS/$PKG.desktop"
cp "$SRC/$PKG.png" "$ICONS/$PKG.png"
ln -sf "$DEST/lzkp" "$BIN/lzkp"
command -v update-desktop-database >/dev/null && update-desktop-database "$APPS" 2>/dev/null || true
if "$DEST/lzkp" --self-test >/dev/null 2>&1; then echo "已安装到 $DEST，自检通过。可从开始菜单“办公”中打开“履职考评”。"
else echo "已安装到 $DEST，但自检未通过：请运行 $DEST/lzkp --self-test 查看原因。" >&2; exit 1; fi
EOF
  chmod +x "$stage/$name/install.sh"
  tar -C "$stage" -czf "$out" "$name"
  rm -rf "$stage"
  echo "已生成 $out（$(du -h "$out" | cut -f1)）"
}

case "$WHAT" in
  deb) build_deb ;;
  tar) build_tar ;;
  all) build_deb; build_tar ;;
  *) echo "用法：$0 [deb|tar|all]" >&2; exit 2 ;;
esac
