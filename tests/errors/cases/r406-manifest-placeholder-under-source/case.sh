# title: a type=manifest placeholder whose manifests lie under its source
# about: The manifest spot of a Redshift incremental COPY names the source prefix it lists, where the manifest goes (a folder, outside the source: a COPY of the prefix would read it as data) and the on_changed policy; the runner checks them before anything runs.
cp -r steps s
printf '%s\n' '-- stargen:placeholder name=STARGEN_MANIFEST type=manifest offset=13 source=s3://lake/orders/ manifests=s3://lake/orders/manifests/ changed=error' \
    "COPY t FROM '\${STARGEN_MANIFEST}' IAM_ROLE default MANIFEST;" >s/06_m.sql
runner s
