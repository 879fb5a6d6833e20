#!/usr/bin/env bash
# Fail when any ELF file under a folder needs a glibc symbol version above a limit.
#
#   installer/linux/check-glibc.sh DIR [MAX]        (MAX default 2.28)
#
# Every regular file is tested for the ELF magic, not only *.so*: executables, Python extension
# modules and libraries with unusual names count as well. The needed versions come from each
# file's version needs (readelf -V, section .gnu.version_r: "File: libc.so.6 … Name: GLIBC_2.xx"),
# which is what the dynamic loader checks at start; versions a file merely defines do not count.
# readelf reads ELF files of every architecture, so an arm64 bundle is checked on an x86 host.
# Prints the newest version needed overall on stdout's last line (NEEDED_GLIBC=x.y) and, when
# above MAX, every offending file with what it needs; exits 1 then.
set -euo pipefail
DIR="${1:?用法：check-glibc.sh 目录 [最高glibc版本，默认 2.28]}"
MAX="${2:-2.28}"
command -v readelf >/dev/null || { echo "缺少 readelf（Debian：apt-get install binutils）" >&2; exit 2; }
[[ -d "$DIR" ]] || { echo "没有目录 $DIR" >&2; exit 2; }

newer() { [[ "$1" != "$2" && "$(printf '%s\n%s\n' "$1" "$2" | sort -V | tail -1)" == "$1" ]]; }

overall=0 elves=0 bad=0
while IFS= read -r -d '' f; do
  [[ "$(head -c4 "$f" 2>/dev/null | od -An -c | tr -d ' ')" == '177ELF' ]] || continue
  elves=$((elves + 1))
  need="$(readelf -V -W "$f" 2>/dev/null |
          awk '/^Version needs section/ {v=1; next} /^Version (symbols|definition) section/ {v=0} v' |
          grep -o 'Name: GLIBC_[0-9][0-9.]*' | sed 's/^Name: GLIBC_//' | sort -uV | tail -1 || true)"
  [[ -n "$need" ]] || continue
  if newer "$need" "$overall"; then overall="$need"; fi
  if newer "$need" "$MAX"; then
    bad=$((bad + 1))
    # A few of the symbols that need the newer versions, to say what to fix.
    syms="$(readelf --dyn-syms -W "$f" 2>/dev/null | grep -oE '[^[:space:]]+@GLIBC_[0-9.]+' |
            sed 's/@/ /' | while read -r sym ver; do
              if newer "${ver#GLIBC_}" "$MAX"; then echo "$sym@$ver"; fi; done | sort -u | head -6 | tr '\n' ' ')"
    echo "超出 glibc $MAX：${f#"$DIR"/} 需要 GLIBC_$need（$syms）" >&2
  fi
done < <(find "$DIR" -type f -print0)

echo "检查了 $elves 个 ELF 文件，最高需要 glibc $overall（上限 $MAX）"
if (( bad > 0 )); then
  echo "失败：$bad 个文件需要高于 $MAX 的 glibc，见上。" >&2
  exit 1
fi
echo "NEEDED_GLIBC=$overall"
