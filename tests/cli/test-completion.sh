#!/bin/bash
# Bash completion (tools/completion/xl-sriov) against the synthetic host: subcommands
# and options as `xl-sriov help` lists them, PFs, VFs, vf-set keys and values, domains
# (a stand-in `xl list` and the assignments), networks, and silence when listings fail.
set -u
: "${XL_SRIOV:?}" "${SRIOV_SIM:?}" "${SRIOV_SRCDIR:?}"
BASH_COMPLETION=${BASH_COMPLETION:-/usr/share/bash-completion/bash_completion}
if [ ! -f "$BASH_COMPLETION" ]; then
    echo "SKIP: completion: needs bash-completion ($BASH_COMPLETION)"
    exit 0
fi
HOSTLIB_NAME=completion HOSTLIB_BASE=1
. "$(dirname "$0")/hostlib.sh"
mkdir -p "$T/sys" "$T/hv" "$T/state" "$T/run" "$T/bin"
"$SRIOV_SIM" mount --host "82599 vfs=4 numvfs=2" "$T/sys" || { echo "FAIL: completion-mount"; exit 1; }
printf 'network = [ [ "name=lan", "pf=enp1s0f1" ], [ "name=wan", "pf=enp1s0f0" ] ]\n' >"$SRIOV_CONFIG"
printf 'name = "g1"\ntype = "hvm"\nvf = [ "network=lan" ]\n' >"$T/g1.cfg"
"$XL_SRIOV" create "$T/g1.cfg" >/dev/null || echo "FAIL: completion-create"
# The command as a user types it, and an `xl` that lists domains besides dom0, two of
# them with names a careless completion would expand or glob.
ln -s "$XL_SRIOV" "$T/bin/xl-sriov"
cat >"$T/bin/xl" <<'EOF'
#!/bin/sh
[ "$1" = list ] || exit 1
printf 'Name                                        ID   Mem VCPUs\tState\tTime(s)\n'
printf 'Domain-0                                     0  1024     2     r-----      10.0\n'
printf 'web1                                         3   512     1     -b----       1.0\n'
printf 'odd$(id)                                     4   512     1     -b----       1.0\n'
printf 'x*                                           5   512     1     -b----       1.0\n'
EOF
chmod +x "$T/bin/xl"
export PATH=$T/bin:$PATH

# shellcheck source=/dev/null
source "$BASH_COMPLETION"
# shellcheck source=../../tools/completion/xl-sriov
source "$SRIOV_SRCDIR/tools/completion/xl-sriov"

# compopt works only while readline runs a completion: note what is asked instead.
compopt() { [[ $* == *"-o nospace"* ]] && nospace=" +nospace"; return 0; }
# comp LINE: the whole words bash would offer to complete LINE (cursor at its end),
# sorted, on one line, then " +nospace" if no space is to follow.  Words are split as readline does (checked against a real
# interactive bash): at blanks, and every run of ':' or '=' is a word of its own.
comp() {
    local line=$1 word r nospace
    local -a w
    read -ra w <<<"$(sed 's/[:=]\{1,\}/ & /g' <<<"$line")"
    [[ $line == *' ' ]] && w+=('')
    COMP_WORDS=("${w[@]}") COMP_CWORD=$((${#w[@]} - 1)) COMP_LINE=$line COMP_POINT=${#line}
    COMPREPLY=() nospace=
    _xl_sriov xl-sriov "${w[COMP_CWORD]}" "${w[COMP_CWORD - 1]}" 2>&1
    # The reply replaces the text after the last ':' or '=' of the line's last word.
    word=${line##* }
    for r in "${COMPREPLY[@]}"; do
        printf '%s\n' "${word%"${word##*[:=]}"}$r"
    done | sort | tr '\n' ' ' | sed 's/ $//'
    printf '%s' "$nospace"
}
check() {
    local got
    got=$(comp "$2")
    if [ "$got" = "$3" ]; then echo "PASS: completion-$1"; else echo "FAIL: completion-$1: '$2' gave '$got', not '$3'"; fi
}

[[ $(complete -p xl-sriov) == *"-F _xl_sriov xl-sriov" ]] && echo "PASS: completion-complete-p" ||
    echo "FAIL: completion-complete-p: $(complete -p xl-sriov 2>&1)"
# Every subcommand of the command table, read back from the command itself.
all=$("$XL_SRIOV" help | awk 'go && NF { print $1 } /subcommands:/ { go = 1 }' | sort | tr '\n' ' ')
check subcommands "xl-sriov " "${all% }"
check subcommand-prefix "xl-sriov pf-" "pf-disable pf-enable pf-list"
check subcommand-after-globals "xl-sriov -v --sysfs $T/sys vf-" "vf-list vf-restore vf-set vf-show"
check global-options "xl-sriov --s" "--state-dir --sysfs"
check global-hypervisor "xl-sriov --hypervisor " "libxl sim: +nospace"
check options-pf-enable "xl-sriov pf-enable --" "--dry-run --force --help --host-probe"
check options-vf-restore "xl-sriov vf-restore --a" "--all"
check options-after-operand "xl-sriov vf-set --dry-run enp1s0f0/0 --d" "--dry-run"
check help-cmd "xl-sriov help network" "network-list"
check pf "xl-sriov pf-enable " "0000:01:00.0 0000:01:00.1 enp1s0f0 enp1s0f1"
check pf-bdf-colons "xl-sriov pf-disable 0000:01:00." "0000:01:00.0 0000:01:00.1"
check pf-netdev "xl-sriov vf-list enp1s0f" "enp1s0f0 enp1s0f1"
check pf-count-none "xl-sriov pf-enable enp1s0f0 " ""
check vf "xl-sriov vf-set enp1s0f1/" "enp1s0f1/0 enp1s0f1/1"
check vf-bdf "xl-sriov vf-restore 0000:01:10." "0000:01:10.0 0000:01:10.1 0000:01:10.2 0000:01:10.3"
check vf-show-both "xl-sriov vf-show 0000:01:00" "0000:01:00.0 0000:01:00.1"
check vf-set-keys "xl-sriov vf-set enp1s0f0/0 s" "spoofchk= state= +nospace"
check vf-set-value "xl-sriov vf-set enp1s0f0/0 vlan=5 trust=" "trust=off trust=on"
check vf-set-proto "xl-sriov vf-set enp1s0f0/0 vlan_proto=802.1a" "vlan_proto=802.1ad"
check vf-set-free-value "xl-sriov vf-set enp1s0f0/0 vlan=" ""
# Domains: xl list's (not Domain-0) and those holding VFs.
check domains "xl-sriov pci-attach " 'g1 odd$(id) web1 x*'
check domain-not-expanded "xl-sriov pci-attach od" 'odd$(id)'
check domain-not-globbed "xl-sriov pci-detach x" 'x*'
check attach-spec "xl-sriov pci-attach web1 " "network= pf= +nospace"
check attach-network "xl-sriov pci-attach web1 network=" "network=lan network=wan"
check attach-pf "xl-sriov pci-attach web1 pf=enp" "pf=enp1s0f0 pf=enp1s0f1"
check detach-held "xl-sriov pci-detach g1 " "0000:01:10.1"
check detach-other "xl-sriov pci-detach web1 " ""
check create-file "xl-sriov create $T/g1.c" "$T/g1.cfg"
# The line's global options reach the listings; a failing listing stays quiet.
check globals-passed "xl-sriov --sysfs $T/nowhere pf-enable " ""
check quiet "xl-sriov --sysfs=$T/nowhere vf-set " ""
