#!/bin/sh
# Accuracy in wall-clock mode (--clock wall): see test_accuracy_cpu.sh.
exec "${SRCDIR:-$(dirname "$0")}/test_accuracy_cpu.sh" wall
