#!/usr/bin/env bash
# tools/ltp_build.sh SRC OUT FAMILIES... - build LTP's system-call tests statically with musl.
#
# SRC is the (read-only) LTP source tree, OUT the build folder (build/ltp). Copies SRC to
# OUT/src (only when SRC changed: OUT/src.stamp holds a hash of SRC's file list, sizes and
# mtimes), configures it with musl-gcc as ../shared/third_party/README.md says (the
# kernel's UAPI headers through symlinks in OUT/uapi), builds lib/ and then each
# testcases/kernel/syscalls/<family> of FAMILIES. A family that fails to build is named in
# OUT/build-failed.txt and skipped, never fatal. Every executable a family builds (tests
# and their helpers) goes to OUT/root/opt/ltp/testcases/bin; the runtest/syscalls lines
# whose binary was built go to OUT/root/opt/ltp/runtest/syscalls; OUT/families.txt
# names the family of every binary ("binary family" lines).
# Exit status: 0, or 2 when SRC is not an LTP tree or lib/ does not build.
set -euo pipefail

src=$1; out=$2; shift 2
families=("$@")
[[ -f "$src/configure" && -d "$src/lib" && -f "$src/runtest/syscalls" ]] || {
    echo "ltp_build: $src is not an LTP source tree (no configure, lib/ or runtest/syscalls)" >&2
    exit 2; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
log=$out/build.log
: > "$log"
jobs=${LTP_JOBS:-2}

# ---- copy, when the source changed -------------------------------------------------
stamp=$( (cd "$src" && find . -printf '%P %s %T@\n' | LC_ALL=C sort) | sha1sum | cut -d' ' -f1)
if [[ ! -f "$out/src.stamp" || "$(cat "$out/src.stamp")" != "$stamp" ]]; then
    echo "ltp_build: copying $src to $out/src"
    rm -rf "$out/src" "$out/src.stamp" "$out/configured.stamp"
    cp -a "$src" "$out/src"
    chmod -R u+w "$out/src"
    echo "$stamp" > "$out/src.stamp"
fi

# ---- configure -----------------------------------------------------------------------
# musl-gcc's include path has no kernel headers: a folder of symlinks to Debian's.
uapi=$out/uapi
mkdir -p "$uapi"
ln -sfn /usr/include/linux "$uapi/linux"
ln -sfn /usr/include/asm-generic "$uapi/asm-generic"
ln -sfn /usr/include/x86_64-linux-gnu/asm "$uapi/asm"
[[ -d /usr/include/mtd ]] && ln -sfn /usr/include/mtd "$uapi/mtd"
[[ -d /usr/include/linux ]] || { echo "ltp_build: no /usr/include/linux (apt-get install linux-libc-dev)" >&2; exit 2; }
cd "$out/src"
if [[ ! -f "$out/configured.stamp" ]]; then
    echo "ltp_build: configuring (log: $log)"
    PKG_CONFIG_LIBDIR=/nonexistent nice -n 5 ./configure CC=musl-gcc \
        CFLAGS="-O2 -isystem $uapi" LDFLAGS=-static \
        --without-tirpc --without-numa --without-modules >>"$log" 2>&1 || {
        echo "ltp_build: configure failed, see $log" >&2; exit 2; }
    touch "$out/configured.stamp"
fi

# ---- build ---------------------------------------------------------------------------
echo "ltp_build: building lib/"
nice -n 5 make -j"$jobs" -C lib >>"$log" 2>&1 || { echo "ltp_build: lib/ failed, see $log" >&2; exit 2; }
bin=$out/root/opt/ltp/testcases/bin
rm -rf "$out/root"
mkdir -p "$bin" "$out/root/opt/ltp/runtest"
: > "$out/build-failed.txt"
: > "$out/families.txt"
for f in "${families[@]}"; do
    d=testcases/kernel/syscalls/$f
    if [[ ! -d $d ]]; then
        echo "$f no such family in $src" >> "$out/build-failed.txt"; continue
    fi
    if ! nice -n 5 make -j"$jobs" -k -C "$d" >>"$log" 2>&1; then
        echo "$f build errors, see $log" >> "$out/build-failed.txt"
        echo "ltp_build: family $f: build errors (skipped what failed)"
    fi
    for x in $(find "$d" -maxdepth 1 -type f -perm -u+x ! -name '*.sh' -printf '%f\n'); do
        strip -o "$bin/$x" "$d/$x"         # the guest's RAM holds the initramfs
        echo "$x $f" >> "$out/families.txt"
    done
done
# The runtest entries whose binary exists.
while read -r name binary rest; do
    [[ -z "$name" || "$name" == \#* ]] && continue
    if [[ -f "$bin/$binary" ]]; then printf '%s %s %s\n' "$name" "$binary" "$rest"; fi
done < runtest/syscalls | sed 's/ *$//' > "$out/root/opt/ltp/runtest/syscalls"
echo "ltp_build: $(ls "$bin" | wc -l) binaries, $(wc -l < "$out/root/opt/ltp/runtest/syscalls") runtest entries;" \
     "families with errors: $(cut -d' ' -f1 "$out/build-failed.txt" | tr '\n' ' ')"
