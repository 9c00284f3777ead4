# title: a stargen:copy directive with an unknown timeformat
cp -r steps s
sed -i 's/timeformat=epochmillisecs/timeformat=epochnanos/' s/03_load_staging_events.sql
runner s
