#!/bin/sh
# Binary garbage with NUL bytes (generated, so that no binary file is committed).
set -e
printf 'version: 1\n\000\001\002\377\376garbage\000\n' > "$1/schema.yaml"
