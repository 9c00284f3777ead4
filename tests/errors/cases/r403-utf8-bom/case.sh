# title: a data file that starts with a UTF-8 byte order mark
# about: Said in words, not as "found 0xEF". Redshift's guide documents a byte order mark only for ENCODING UTF16 (docs.aws.amazon.com/redshift/latest/dg/copy-parameters-data-conversion.html), so the runner keeps refusing it.
# needs: a PostgreSQL server
mkdir -p data/events
printf '\xef\xbb\xbf{"id": 1, "name": "a"}\n' >data/events/a.json
runner -q --data data steps
