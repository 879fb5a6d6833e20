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
# Build on the OLDEST glibc you must support: the bundle needs the newest glibc of any library in
# it (see installer/README.md). This script prints that version and writes it into the .deb's
# Depends, so a too-new build refuses to install instead of failing at start-up.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/installer/linux"
DIST="$ROOT/dist"
BUNDLE="$DIST/lzkp"
PKG="lvzhi-kaoping"
WHAT="${1:-all}"

[[ -x "$BUNDLE/lzkp" ]] || { echo "缺少 $BUNDLE/lzkp：请先运行 pyinstaller build.spec --noconfirm" >&2; exit 1; }
VERSION="$(sed -n 's/^version *= *"\(.*\)"/\1/p' "$ROOT/pyproject.toml" | head -1)"
if command -v dpkg >/dev/null; then ARCH="$(dpkg --print-architecture)"; else
  case "$(uname -m)" in x86_64) ARCH=amd64 ;; aarch64) ARCH=arm64 ;; loongarch64) ARCH=loong64 ;;
                        *) ARCH="$(uname -m)" ;; esac
fi

# Newest GLIBC_x.y symbol version any file of the bundle needs.
glibc_needed() {
  find "$BUNDLE" -type f \( -name '*.so*' -o -name lzkp \) -print0 |
    xargs -0 objdump -T 2>/dev/null | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' |
    sort -uV | tail -1
}
GLIBC="$(glibc_needed)"
echo "版本 $VERSION，架构 $ARCH，运行所需 glibc >= $GLIBC"
if [[ "$(printf '%s\n2.28\n' "$GLIBC" | sort -V | tail -1)" != "2.28" ]]; then
  echo "注意：此安装包需要 glibc $GLIBC，无法在 UOS 20 / 麒麟 V10（glibc 2.28–2.31）上运行；" \
       "面向这些系统请在 glibc 2.28 的系统上用 PySide6 6.9.x 构建。" >&2
fi

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
Depends: libc6 (>= $GLIBC), libgl1 | libgl1-mesa-glx, libegl1 | libegl1-mesa, libxcb1, fontconfig-config
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
