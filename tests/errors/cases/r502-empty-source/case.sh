# title: a source folder holds no data file
# about: Redshift's COPY fails on a prefix with no object; the runner refuses an empty source before the first step, as it does a missing one.
mkdir -p data/events/2018
runner -q --data data steps
