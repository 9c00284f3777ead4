#!/bin/sh
# A ~56 MB model: template.yaml with an 800,000-line description block inserted
# after "  users:"; template.yaml's one mistake (e.levle) then sits near line 800,047.
set -e
dir="$1"
sed -n '1,/^  users:$/p' "$dir/template.yaml" > "$dir/schema.yaml"
{
    echo "    description: |"
    awk 'BEGIN { for (i = 1; i <= 800000; i++) printf "      line %07d of a very long description, padded to sixty bytes.\n", i }'
    sed '1,/^  users:$/d' "$dir/template.yaml"
} >> "$dir/schema.yaml"
