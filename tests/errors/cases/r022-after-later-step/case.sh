# title: stargen:after naming a later step
# about: a step comes after earlier steps only (runner --jobs); naming a later step, or the step itself, is refused before connecting.
cp -r steps s
sed -i '2a -- stargen:after steps=load_names' s/03_load_staging_events.sql
runner s
