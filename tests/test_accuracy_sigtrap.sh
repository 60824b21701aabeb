#!/bin/sh
# Accuracy with the perf event delivering SIGTRAP itself (--signal SIGTRAP,
# the cheaper delivery: docs/overhead.md): see test_accuracy_cpu.sh.
exec "${SRCDIR:-$(dirname "$0")}/test_accuracy_cpu.sh" sigtrap
