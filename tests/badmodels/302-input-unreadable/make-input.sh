#!/bin/sh
# A valid-looking model that cannot be read (mode 000).  Root reads it anyway,
# so the suite skips this case when run as root.
set -e
printf 'version: 1\n' > "$1/schema.yaml"
chmod 000 "$1/schema.yaml"
