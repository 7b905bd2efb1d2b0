#!/bin/bash
. "$SRIOV_VM_TESTLIB"
check smoke-ip ip link show lo
check smoke-lspci lspci
lspci; lsmod; env | sort; mount
