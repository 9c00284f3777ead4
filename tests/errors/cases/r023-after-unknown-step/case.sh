# title: stargen:after naming no step
# about: every name in steps= must be a step of the folder.
cp -r steps s
sed -i '2a -- stargen:after steps=create_staging,load_nothing' s/04_load_names.sql
runner s
