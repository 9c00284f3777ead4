# title: a stargen:copy directive not followed by a COPY
cp -r steps s
printf -- '-- stargen:copy source=events/ jsonpaths=staging_events.jsonpaths.json\nSELECT 1;\n' >s/06_bad.sql
runner s
