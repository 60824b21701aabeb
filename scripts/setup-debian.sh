#!/bin/sh
# Install what whyslow needs to build, test and benchmark on Debian 12
# (run as root).  Optional parts (OpenMP is in gcc; MPI and OpenBLAS for the
# examples; capstone for `whyslow report --vector`; PAPI and libpfm4 for
# `whyslow record -e`) are included so that
# configure finds them; the core needs only the first two lines (less
# libcapstone-dev).
set -e
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
	build-essential autoconf automake libtool pkg-config make git ca-certificates \
	libunwind-dev libdw-dev libelf-dev zlib1g-dev libcapstone-dev libomp-dev \
	jq protobuf-compiler binutils file \
	libopenmpi-dev openmpi-bin libopenblas-dev gnuplot-nox \
	libpapi-dev libpfm4-dev \
	python3 libpython3.11-dev python3-numpy python3-mpi4py \
	>/dev/null
echo "whyslow: build dependencies installed"
