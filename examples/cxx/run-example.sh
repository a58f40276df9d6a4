#!/bin/bash
# Runs the C++ example on an MNIST-format directory; exits 77 (skipped) with
# a message when the data is absent. Usage: run-example.sh PROGRAM DATA_DIR
set -euo pipefail
prog=$1 data=$2
if [ ! -e "$data/train-images-idx3-ubyte" ] && [ ! -e "$data/train-images-idx3-ubyte.gz" ]; then
    echo "SKIP: no MNIST-format dataset in '$data' (set HOGFEAT_DATA_DIR when configuring)"
    exit 77
fi
exec "$prog" "$data"
