# title: a stargen:copy directive with an unknown key
cp -r steps s
sed -i 's/emptyasnull=off/emptyasnul=off/' s/03_load_staging_events.sql
runner s
