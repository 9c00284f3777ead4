#!/bin/sh
# The valid template.yaml with a NUL byte after "first_name:" on line 22 (generated, so that
# no binary file is committed): the error must name that line and column.
set -e
t=$1/template.yaml
{ sed -n '1,21p' "$t"; printf '      first_name:\000 {type: varchar(256), json: firstName}\n'; sed -n '23,$p' "$t"; } > "$1/schema.yaml"
