#!/bin/sh
# The valid template.yaml, then a key holding 200,000 nested "[" (generated: 200 KB).
# libyaml's document loader took about 90 s on this; gen stops at 64 levels.
set -e
{ cat "$1/template.yaml"; printf 'extra: '; head -c 200000 /dev/zero | tr '\0' '['; echo; } > "$1/schema.yaml"
