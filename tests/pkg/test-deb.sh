#!/bin/bash
# The Debian packages (debian/): dpkg-buildpackage -us -uc -b from a clean copy
# of the tree, lintian without errors, and the three packages unpacked into a
# scratch root, from which xl-sriov --help, the migration scripts' --help and the
# man pages work.
# Environment: SRIOV_SRCDIR (SRIOV_DEB_CHECK=1 also runs tier 1 inside the build).
set -u
: "${SRIOV_SRCDIR:?}"
pass() { echo "PASS: deb: $1"; }
fail() { echo "FAIL: deb: $1: $2"; }
skip() { echo "SKIP: deb: $1: $2"; }

if ! command -v dpkg-buildpackage >/dev/null; then
    skip packages "dpkg-buildpackage not found (Debian: apt-get install dpkg-dev debhelper lintian fakeroot)"
    exit 0
fi

W=$(mktemp -d /tmp/xen-sriov-deb.XXXXXX)
trap 'rm -rf "$W"' EXIT
src=$W/xen-sriov
mkdir -p "$src"

# A clean copy: in a git checkout, the tracked and the untracked-but-not-ignored
# files as they are now (so uncommitted work is what gets built; build products
# are ignored); otherwise (a release tarball, distcheck) the tree itself.
if git -C "$SRIOV_SRCDIR" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    (cd "$SRIOV_SRCDIR" && git ls-files -z -c -o --exclude-standard |
        while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
        tar --null -T - -cf -) | tar -C "$src" -xf - ||
        { fail copy "could not copy the tree from $SRIOV_SRCDIR"; exit 1; }
else
    cp -a "$SRIOV_SRCDIR"/. "$src"/ && chmod -R u+w "$src" ||
        { fail copy "could not copy $SRIOV_SRCDIR"; exit 1; }
fi

# The build: tier 1 ran already in this make check, so nocheck unless asked.
opts="parallel=$(nproc)" profile=()
[ "${SRIOV_DEB_CHECK:-0}" = 1 ] || { opts="nocheck $opts"; profile=(-Pnocheck); }
t0=$SECONDS
if (cd "$src" && DEB_BUILD_OPTIONS=$opts dpkg-buildpackage -us -uc -b "${profile[@]}") >"$W/build.log" 2>&1; then
    pass "dpkg-buildpackage -us -uc -b ($((SECONDS - t0)) s, DEB_BUILD_OPTIONS=$opts)"
else
    fail dpkg-buildpackage "failed after $((SECONDS - t0)) s; log tail:"
    tail -n 40 "$W/build.log" | sed "s/^/    /"
    exit 1
fi
ver=$(cd "$src" && dpkg-parsechangelog -SVersion)
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
debs=()
for p in libsriov0 libsriov-dev xen-sriov; do
    d=$W/${p}_${ver}_$arch.deb
    if [ -f "$d" ]; then debs+=("$d"); else fail "$p" "no $d"; fi
done
[ ${#debs[@]} -eq 3 ] && pass "three packages: libsriov0 libsriov-dev xen-sriov $ver"

# lintian on what was built: no errors; warnings are shown.
changes=$W/xen-sriov_${ver}_$arch.changes
if ! command -v lintian >/dev/null; then
    fail lintian "lintian not found (Debian: apt-get install lintian)"
else
    lintian --fail-on error --display-info --pedantic "$changes" >"$W/lintian.log" 2>&1
    rc=$?
    cat "$W/lintian.log"
    e=$(grep -c '^E: ' "$W/lintian.log") w=$(grep -c '^W: ' "$W/lintian.log")
    if [ "$rc" -eq 0 ] && [ "$e" -eq 0 ]; then
        pass "lintian: 0 errors, $w warnings"
    else
        fail lintian "status $rc, $e errors: $(grep '^E: ' "$W/lintian.log" | head -n 10 | tr '\n' ' ')"
    fi
fi

# The scratch root: the three packages unpacked, nothing installed on the host.
root=$W/root
for d in "${debs[@]}"; do dpkg-deb -x "$d" "$root" || fail unpack "$d"; done
missing=
for f in usr/sbin/xl-sriov usr/lib/$multiarch/libsriov.so.0 usr/lib/$multiarch/libsriov.so \
         usr/lib/$multiarch/pkgconfig/libsriov.pc usr/include/sriov.h \
         etc/xapi.d/plugins/xen-sriov usr/share/bash-completion/completions/xl-sriov \
         usr/share/man/man1/xl-sriov.1.gz usr/share/man/man5/xl-sriov.cfg.5.gz \
         usr/share/man/man8/xen-sriov-xapi.8.gz usr/share/man/man3/libsriov.3.gz \
         usr/sbin/xen-sriov-xe-migrate usr/sbin/xen-sriov-migrate-hook \
         usr/share/man/man8/xen-sriov-xe-migrate.8.gz usr/share/man/man8/xen-sriov-migrate-hook.8.gz \
         lib/systemd/system/xen-sriov-boot.service lib/systemd/system/xen-sriov-watch.service; do
    [ -e "$root/$f" ] || missing="$missing $f"
done
if [ -z "$missing" ]; then pass "every file in place"; else fail files "missing:$missing"; fi
if grep -qx 'ExecStart=/usr/sbin/xl-sriov watch' "$root/lib/systemd/system/xen-sriov-watch.service" &&
   grep -qx 'ExecStart=/usr/sbin/xl-sriov boot' "$root/lib/systemd/system/xen-sriov-boot.service"; then
    pass "units run /usr/sbin/xl-sriov"
else
    fail units "ExecStart is not /usr/sbin/xl-sriov: $(grep -h ^ExecStart= "$root"/lib/systemd/system/*.service | tr '\n' ' ')"
fi
# The postinst starts the watch unit but never the boot unit (it writes
# sriov_numvfs and starts guests); both are enabled.
dpkg-deb -e "${debs[2]}" "$W/ctl" 2>/dev/null
pi=$W/ctl/postinst
if grep -q "deb-systemd-helper enable 'xen-sriov-watch.service'" "$pi" 2>/dev/null &&
   grep -q "deb-systemd-invoke .* 'xen-sriov-watch.service'" "$pi" &&
   grep -q "deb-systemd-helper enable 'xen-sriov-boot.service'" "$pi" &&
   ! grep -q "deb-systemd-invoke .*xen-sriov-boot" "$pi"; then
    pass "postinst enables both units, starts xen-sriov-watch, never xen-sriov-boot"
else
    fail postinst "$(grep -n 'deb-systemd-.*xen-sriov' "$pi" 2>/dev/null | tr '\n' ' ')"
fi

# xl-sriov from the scratch root, with its library from there too.
export LD_LIBRARY_PATH=$root/usr/lib/$multiarch
if ldd "$root/usr/sbin/xl-sriov" | grep -q "libsriov.so.0 => $root/"; then
    pass "xl-sriov links the scratch root's libsriov.so.0"
else
    fail ldd "$(ldd "$root/usr/sbin/xl-sriov" | grep -E 'sriov|not found' | tr '\n' ' ')"
fi
if out=$("$root/usr/sbin/xl-sriov" --help 2>&1) && grep -q '^Usage: xl-sriov' <<<"$out"; then
    pass "xl-sriov --help from the scratch root"
else
    fail "xl-sriov --help" "$(head -n 3 <<<"$out" | tr '\n' ' ')"
fi
unset LD_LIBRARY_PATH
for s in xen-sriov-xe-migrate xen-sriov-migrate-hook; do
    if out=$("$root/usr/sbin/$s" --help 2>&1) && grep -q "^Usage: $s" <<<"$out"; then
        pass "$s --help from the scratch root"
    else
        fail "$s --help" "$(head -n 3 <<<"$out" | tr '\n' ' ')"
    fi
done
for m in man1/xl-sriov.1 man5/xl-sriov.cfg.5 man8/xen-sriov-xapi.8 man3/libsriov.3 \
         man8/xen-sriov-xe-migrate.8 man8/xen-sriov-migrate-hook.8; do
    page=$root/usr/share/man/$m.gz
    title=$(basename "$m" | sed 's/\.\([0-9]\)$/(\1)/' | tr '[:lower:]' '[:upper:]')
    if out=$(MANWIDTH=80 man -l -P cat "$page" 2>"$W/man.err") && grep -q "^NAME" <<<"$out" &&
       grep -qF "$title" <<<"$out" && [ ! -s "$W/man.err" ]; then
        pass "man -l $m.gz ($(wc -l <<<"$out") lines)"
    else
        fail "man -l $m.gz" "$(head -c 300 "$W/man.err") $(head -n 3 <<<"$out" | tr '\n' ' ')"
    fi
done
