#!/bin/bash
# The library exports exactly what libsriov.sym lists, every symbol versioned,
# and every export is declared in sriov.h.
set -u
lib=$SRIOV_BUILDDIR/libsriov/.libs/libsriov.so
sym=$SRIOV_SRCDIR/libsriov/libsriov.sym
hdr=$SRIOV_SRCDIR/libsriov/sriov.h

exported=$(nm -D --defined-only "$lib" | awk '$2 == "T" {print $3}' | sort)
listed=$(sed -n '/global:/,/local:/p' "$sym" | grep -oE '^\s*sriov_[a-z0-9_]+' | tr -d '\t ' | sort)
unversioned=$(grep -v '@@LIBSRIOV_' <<<"$exported")
if [ "$(sed 's/@@.*//' <<<"$exported")" = "$listed" ]; then
    echo "PASS: exports match libsriov.sym ($(wc -l <<<"$listed") symbols)"
else
    echo "FAIL: exports differ from libsriov.sym: $(diff <(sed 's/@@.*//' <<<"$exported") <(echo "$listed") | tr '\n' ' ')"
fi
if [ -z "$unversioned" ]; then
    echo "PASS: every export carries a LIBSRIOV_ version"
else
    echo "FAIL: unversioned exports: $unversioned"
fi
# The Debian symbols file lists the same exports with their version nodes
# (dpkg-gensymbols -c4 fails the package build otherwise): a new export goes there too.
debsym=$SRIOV_SRCDIR/debian/libsriov0.symbols
if [ -f "$debsym" ]; then
    deb=$(sed -nE 's/^ (sriov_[a-z0-9_]+)@(LIBSRIOV_[0-9.]+) .*/\1@@\2/p' "$debsym" | sort)
    if [ "$deb" = "$exported" ]; then
        echo "PASS: debian/libsriov0.symbols lists every export with its version node"
    else
        echo "FAIL: debian/libsriov0.symbols differs from the exports (< symbols file, > library): $(diff <(echo "$deb") <(echo "$exported") | grep '^[<>]' | tr '\n' ' ')"
    fi
fi
missing=
for s in $listed; do
    grep -qE "\b$s\(" "$hdr" || missing="$missing $s"
done
if [ -z "$missing" ]; then
    echo "PASS: every export is declared in sriov.h"
else
    echo "FAIL: not declared in sriov.h:$missing"
fi

# The shipped library holds only what runs on a real host: the simulated
# hypervisor and netlink are a module of their own (tools/sim-backend).
sim_syms=$(nm "$lib" 2>/dev/null | awk '{print $NF}' | grep -Ei '(^|_)(sim|fault|faults)(_|$)|fail_?at' | head -5)
sim_text=$(strings "$lib" | grep -Ei 'simulated|fail-at|sim:' | head -5)
if [ -z "$sim_syms$sim_text" ]; then
    echo "PASS: libsriov.so carries no simulator or fault injection"
else
    echo "FAIL: simulator in libsriov.so: $sim_syms $sim_text"
fi
# ... which a real host never needs loaded: its library and module stay apart.
mod=$SRIOV_BUILDDIR/tools/sim-backend/.libs/sim.so
if nm -D --defined-only "$mod" 2>/dev/null | awk '{print $NF}' | grep -qx sriov_backend &&
   [ "$(nm -D --defined-only "$mod" | awk '{print $NF}' | grep -c '^sriov')" = 1 ]; then
    echo "PASS: the sim module exports only its backend table"
else
    echo "FAIL: $mod does not export exactly sriov_backend"
fi
