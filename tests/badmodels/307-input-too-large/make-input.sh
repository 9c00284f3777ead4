#!/bin/sh
# A 300 MiB model (sparse: truncate allocates nothing); gen refuses anything over 256 MiB.
set -e
truncate -s 300M "$1/schema.yaml"
