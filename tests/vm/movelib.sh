# Shared by the tier-3 tests that move a guest on an igb VF (50-igb-move,
# 60-igb-hvm-migrate, explore/igb-reflect): the guest (domu_run through its PV
# console) runs init-domu's vmbond= bond of the VF and netfront; dom0 pings it
# through the bridge xenbr0. Sourced after testlib.sh; the test sets dom, MAC
# and GUEST, move_setup the rest (W, PROBE, pf, pfdev).

# move_setup NAME SUBNET: xs_setup, the igb PF up on dom0's bridge xenbr0 at
# 169.254.SUBNET.1/16, and sriov.cfg's network "lan" on it (2 VFs, xenbr0 its
# fallback bridge). Ends the test when it cannot (SKIP without python3). From
# then on until move_cleanup, the log has a "frame"/"port" line for each frame
# the guest (MAC) sends into the bridge but the pings' answers (mac-watch).
move_setup() {
    xs_setup "$SRIOV_VM_SCRATCH/xl-sriov-$1"
    PROBE=$SRIOV_SRCDIR/tests/vm/ping-probe
    command -v python3 >/dev/null || { skip "$1" "no python3 on the host root (ping-probe)"; exit 0; }
    igb_pf_up || exit 1
    bridge_up "169.254.$2.1/16" || fail bridge-setup "see log"
    rm -f "$W/stop-mac-watch"
    python3 "$SRIOV_SRCDIR/tests/vm/mac-watch" "$MAC" "$W/stop-mac-watch" xenbr0 &
    cat >"$W/sriov.cfg" <<CFG
network = [ [ "name=lan", "pf=$pf", "numvfs=2", "bridge=xenbr0" ] ]
CFG
}
numvfs() { cat "/sys/bus/pci/devices/$pf/sriov_numvfs"; }
# move_cleanup DOMAIN...: those destroyed, their VFs given back, the bridge and
# the VFs gone.
move_cleanup() {
    local d
    touch "$W/stop-mac-watch"
    for d; do xl destroy "$d" 2>/dev/null; done
    xs gc >/dev/null 2>&1
    ip link del xenbr0 2>/dev/null
    xs pf-disable "$pf" >/dev/null 2>&1
}

gsh() { domu_run "$dom" "$@"; }
# gactive: "IFACE DRIVER" of the guest bond's active slave.
gactive() {
    gsh 'read -r a </sys/class/net/bond0/bonding/active_slave && d=$(readlink /sys/class/net/$a/device/driver) && read -r m </sys/class/net/$a/address && echo "$a ${d##*/} $m"' 20
}
# active_is DRIVER SECONDS: wait until the bond's active slave is driven by
# DRIVER (igbvf: the VF; vif: netfront) and has MAC.
active_is() {
    local end=$((SECONDS + $2)) a
    while [ "$SECONDS" -lt "$end" ]; do
        a=$(gactive) && [ "${a#* }" = "$1 $MAC" ] && return 0
        sleep 1
    done
    echo "active slave: ${a:-none}"
    return 1
}
on_vf() { active_is igbvf "${1:-90}"; }
on_netfront() { active_is vif "${1:-60}"; }
# guest_on_vf SECONDS: the new guest (seen with its VF within SECONDS) has the
# VF usable (the quirk bit, then igbvf loaded: deferred with vmdefer=igbvf),
# and from then on probes a new VF only when told (vf_in_guest), after its
# quirk bit is set (autoprobe off; off before the load, igbvf would not bind
# this first one); the bond is on the VF, and 2 s of pings lose none.
guest_on_vf() {
    check guest-up domu_sees "$dom" '0x8086:0x10ca' "$1"
    check qemu-quirk-mem-enable vf_mem_enable "$(vfs_of "$dom" | head -n 1)"
    check guest-load-igbvf gsh 'load igbvf' 120
    check guest-autoprobe-off gsh 'echo 0 >/sys/bus/pci/drivers_autoprobe'
    if on_vf 120; then pass guest-on-vf; else fail guest-on-vf "the bond's active slave is not the VF"; fi
    check ping-on-vf reachable warmup
    guest_kaslr
}
# vf_in_guest: the quirk bit on the domain's VF, then have the guest probe
# it (its autoprobe is off, so that the bit is set first).
vf_in_guest() {
    local vf
    vf=$(vfs_of "$dom" | head -n 1) && [ -n "$vf" ] || { echo "no VF recorded"; return 1; }
    vf_mem_enable "$vf" || return 1
    # Asked, not read from DOMU-PCI lines: after a migration the line that
    # shows the VF may be in the incoming domain's console log.
    wait_until 90 gsh 'for d in /sys/bus/pci/devices/*; do read -r v <$d/vendor; read -r i <$d/device; [ $v:$i = 0x8086:0x10ca ] && exit 0; done; exit 1' 20 ||
        { echo "the guest does not see an 82576 VF"; return 1; }
    gsh 'for d in /sys/bus/pci/devices/*; do [ -e $d/driver ] || echo ${d##*/} >/sys/bus/pci/drivers_probe; done; true' 60
}
# reachable LABEL: 2 s of pings to the guest (probe LABEL), none lost.
reachable() {
    probe_start "$1"; sleep 2; probe_stop "$1"
    test "$(lost_of "$1")" = 0 -a "$(sed -n 's/.* received \([0-9]*\) .*/\1/p' "$W/probe-$1")" -gt 0
}
# vf_state_log: what to look at when a VF the guest's bond has made active
# carries nothing: the guest's counters for its slaves (twice, 2 s apart) and
# igb's and the bond's messages there; in dom0 the PF's view of its VFs and
# the kernel's last messages about igb and pciback (a PF reset stops every VF),
# the VF's PCI command register as the card has it.
vf_state_log() {
    local i
    for i in 1 2; do
        gsh 'for d in /sys/class/net/eth*; do s=$d/statistics; echo "${d##*/} tx $(cat $s/tx_packets) rx $(cat $s/rx_packets) carrier $(cat $d/carrier)"; done' 20 |
            sed 's/^/guest slaves: /'
        sleep 2
    done
    gsh 'dmesg | grep -i -e igbvf -e bond0 | tail -n 12' 20 | sed 's/^/guest dmesg: /'
    ip -d link show "$pfdev" | grep ' vf ' | sed 's/^/dom0 PF: /'
    # the VF's command register as the card has it (bus mastering: its DMA)
    vfs_of | while read -r v; do
        lspci -vv -s "$v" | grep -E '^\s(Control|Status):|DevCtl:' | sed "s/^/dom0 VF $v: /"
    done
    dmesg --time-format iso 2>/dev/null | grep -i -e igb -e pciback -e "$pfdev" | tail -n 20 | sed 's/^/dom0 dmesg: /'
}
# bond_log: the guest bond's state (active slave, each slave's link failures).
bond_log() { gsh 'cat /proc/net/bonding/bond0' 20 | grep -E 'Slave|Status|Failure|Permanent' | sed 's/^/guest bond: /'; }
# guest_kaslr: where the guest's kernel text starts now (KASLR), in $guest_text.
guest_kaslr() {
    guest_text=$(gsh 'grep -m1 " _text$" /proc/kallsyms' 20 | awk '{ print $1; exit }')
    echo "guest kernel _text at ${guest_text:-unknown}"
}
# crash_count: how many times Xen has reported an HVM guest's triple fault
# in this boot.
crash_count() { xl dmesg | grep -c "Triple fault"; }
# guest_crashes [SKIP [quick]]: Xen's reports of an HVM guest that
# triple-faulted (Xen then restarts it, as for a reboot), after the first SKIP,
# one line each with the faulting RIP; unless quick, named by the restarted
# guest's own /proc/kallsyms (Debian ships no System.map) when it answers
# within 300 s: the same kernel, so the same offset from _text as in the
# guest_kaslr before the crash. Status 1: none.
guest_crashes() {
    local rips rip old=${guest_text:-} want sym named=""
    rips=$(xl dmesg | awk -v skip="${1:-0}" '/Triple fault/ { t = ++n > skip; next }
        t && /RIP:/ { sub(/.*\[</, ""); sub(/>.*/, ""); print; t = 0 }')
    [ -n "$rips" ] || return 1
    [ -n "$old" ] && [ "${2:-}" != quick ] && wait_until 300 gsh true 10 && guest_kaslr && named=1
    for rip in $rips; do
        sym=""
        if [ -n "$named" ] && [ -n "${guest_text:-}" ]; then
            want=$(printf '%016x' $((16#$guest_text + 16#$rip - 16#$old)))
            # Fixed-width hex: compared as strings, in order.
            set -- $(gsh "awk -v w=$want '(\$2 == \"t\" || \$2 == \"T\") && \$1 <= w && \$1 > a { a = \$1; n = \$3 } END { print n, a }' /proc/kallsyms" 60)
            [ $# = 2 ] && sym=$(printf '%s+0x%x' "$1" $((16#$want - 16#$2)))
        fi
        # A RIP in Xen's own range (ffff82d0...) is no place in the guest.
        case $rip in
        ffff82*) echo "guest crash: triple fault at RIP $rip, an address of Xen's, not of the guest" ;;
        *) echo "guest crash: triple fault at RIP $rip${old:+ (_text+0x$(printf '%x' $((16#$rip - 16#$old))))}${sym:+ in $sym}" ;;
        esac
    done
    return 0
}
# no_reservation: the destination side (this host) holds no VF reserved.
no_reservation() { ! xs list --json | grep -q '"reserved"'; }
# vfline VF: the PF's `ip -d link` line for the VF of that BDF.
vfline() { vf_line "$pfdev" "$(vf_number "$pf" "$1")"; }

# probe_start LABEL / probe_stop LABEL: dom0 pings the guest every 10 ms in between.
probe_start() {
    rm -f "$W/stop-$1" "$W/stop-$1.started"
    python3 "$PROBE" "$GUEST" "$W/stop-$1" 900 >"$W/probe-$1" 2>&1 &
    eval "probe_pid_$1=\$!"
    wait_until 60 test -e "$W/stop-$1.started"
    fdb_watch "$1" &
    sleep 1
}
# fdb_watch LABEL: until probe LABEL stops, the port dom0's bridge sends the
# guest's MAC to, at each change (where a lost ping went: the VF's path is the
# PF's port, netfront's the vif's).
fdb_watch() {
    local last=none now
    while [ ! -e "$W/stop-$1" ]; do
        now=$(bridge fdb show br xenbr0 2>/dev/null | awk -v m="$MAC" '$1 == m { print $3; exit }')
        now=${now:-none}
        [ "$now" = "$last" ] || echo "fdb $1: $MAC on $now at ${EPOCHREALTIME/,/.}"
        last=$now
        sleep 0.5
    done
}
probe_stop() {
    local pid
    touch "$W/stop-$1"
    eval "pid=\$probe_pid_$1"
    wait "$pid"
    sed "s/^/probe $1: /" "$W/probe-$1"
}
mark() { echo "mark: $1 at ${EPOCHREALTIME/,/.}"; }
lost_of() { sed -n 's/.* lost \([0-9]*\) .*/\1/p' "$W/probe-$1"; }
gap_of() { sed -n 's/.* gap_ms \([0-9]*\).*/\1/p' "$W/probe-$1"; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
ratio_of() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print (a > 0 ? "inf" : "1.00") }'; }

# bridge_up ADDR/LEN: dom0's bridge xenbr0 with the igb PF as its uplink and
# the PF's MAC, so that the VF (through the card's switch) and netfront
# (through the bridge) lead to the same dom0 address.
bridge_up() {
    modprobe bridge
    ip link add xenbr0 type bridge &&
        ip link set xenbr0 address "$(cat "/sys/class/net/$pfdev/address")" &&
        ip link set "$pfdev" master xenbr0 &&
        ip addr add "$1" dev xenbr0 &&
        ip link set xenbr0 up
}

# move_summary WHAT ROUNDS: the line bench/migration reads, from the probes
# sriovR (xl-sriov's move) and netfrontR (plain xl's, netfront only), R = 1..ROUNDS:
# "WHAT: xl-sriov lost N pings (longest gap G ms), xl netfront-only lost M
# (gap H ms), ratio R, after: vf MAC", N, G, M, H medians over the turns.
# Each turn's two moves run back to back, under the same load, so the median
# of the turns' own ratios is printed too: it is less swayed by the machine
# than the ratio of the medians (single outages swing by +-30% under TCG).
# Uses after_guest, the guest's "IFACE DRIVER MAC" after the last turn.
move_summary() {
    local what=$1 rounds=$2 r ls gs ln gn ratio paired med="" after=${after_guest##* }
    turns() { for ((r = 1; r <= rounds; r++)); do "$1" "$2$r"; done; }
    ls=$(turns lost_of sriov | median) gs=$(turns gap_of sriov | median)
    ln=$(turns lost_of netfront | median) gn=$(turns gap_of netfront | median)
    echo "per turn: xl-sriov lost $(turns lost_of sriov | tr '\n' ' ')/ xl lost $(turns lost_of netfront | tr '\n' ' ')"
    ratio=$(ratio_of "$ls" "$ln")
    paired=$(for ((r = 1; r <= rounds; r++)); do ratio_of "$(lost_of "sriov$r")" "$(lost_of "netfront$r")"; echo; done)
    echo "per turn ratio: $(echo "$paired" | tr '\n' ' ')"
    paired=$(echo "$paired" | sort -g | awk '{ v[NR] = $1 } END { if (NR) printf "%.2f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
    # A guest that is gone answers with an error, not "IFACE DRIVER MAC".
    [[ $after =~ ^([0-9a-f]{2}:){5}[0-9a-f]{2}$ ]] || after="unknown (the guest did not answer)"
    [ "$rounds" -gt 1 ] && med=" (medians of $rounds turns; median of the turns' ratios $paired)"
    echo "$what: xl-sriov lost $ls pings (longest gap $gs ms), xl netfront-only lost $ln (gap $gn ms), ratio $ratio, after: vf $after$med"
    check "${what//\//-}-loss-measured" test -n "$ls" -a -n "$ln"
}
